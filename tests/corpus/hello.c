/* expect-exit: 0 */
/* expect-stdout:
hello, world
answer 42
ok
*/
#include <stdio.h>

int main(void)
{
    puts("hello, world");
    printf("%s %d\n", "answer", 42);
    putchar('o');
    putchar('k');
    putchar('\n');
    return 0;
}

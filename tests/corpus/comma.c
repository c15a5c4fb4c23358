/* expect-exit: 0 */
/* expect-stdout:
3
5 5
2 20
10
*/
#include <stdio.h>

int main(void)
{
    int a = (1, 2, 3);
    printf("%d\n", a);
    int i, j;
    for (i = 0, j = 10; i < j; i++, j--)
        ;
    printf("%d %d\n", i, j);
    int x = 0;
    int y = (x++, x++, x * 10);
    printf("%d %d\n", x, y);
    int s = 0;
    for (int k = 0; k < 5; s += k, k++)
        ;
    printf("%d\n", s);
    return 0;
}

/* native: skip */
/* expect-exit: 0 */
/* expect-stdout:
0
42
1
1
126
0
1
1
*/
/* The default built-ins: a plugin creates, looks up, calls and deletes
 * another plugin. */
#include <kplug.h>
#include <stdio.h>

static const char child_src[] =
    "int triple(int x) { return 3 * x; }\n"
    "int twice_triple(int x) { return triple(triple(x)) - x * 3; }\n";

int main(void)
{
    printf("%d\n", create("child", child_src));
    int (*f)(int) = (int (*)(int))lookup("triple");
    printf("%d\n", f(14));
    printf("%d\n", lookup("nothing") == 0);
    printf("%d\n", create("child", child_src) < 0);
    int (*g)(int) = (int (*)(int))lookup("twice_triple");
    printf("%d\n", g(7) + 84);
    printf("%d\n", delete("child"));
    printf("%d\n", lookup("triple") == 0);
    printf("%d\n", delete("child") < 0);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
hello world
1 + 2
42
VERSION
"quoted" and 'c'
10 20
255
640 480
6
1235
ab
*/
#include <stdio.h>

#define STR(x) #x
#define XSTR(x) STR(x)
#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)
#define VERSION 42
#define MAKE_GETTER(name) int get_##name(void) { return name; }
#define FIELD(n) int f##n;

static int width = 640, height = 480;
MAKE_GETTER(width)
MAKE_GETTER(height)

struct s { FIELD(1) FIELD(2) FIELD(3) };

int main(void)
{
    puts(STR(hello world));
    puts(STR(1 + 2));
    puts(XSTR(VERSION));
    puts(STR(VERSION));
    puts(STR("quoted" and 'c'));
    int CAT(var, 1) = 10, var2 = 20;
    printf("%d %d\n", var1, XCAT(var, 2));
    printf("%d\n", CAT(0x, ff));
    printf("%d %d\n", get_width(), get_height());
    struct s v = { 1, 2, 3 };
    printf("%d\n", v.f1 + v.f2 + v.f3);
    printf("%d\n", CAT(12, 34) + 1);
    puts(XSTR(CAT(a, b)));
    return 0;
}

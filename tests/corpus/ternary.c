/* expect-exit: 7 */
/* expect-stdout:
1 -1 0
1.000000
4294967295
9 0
pos
8
3
*/
#include <stdio.h>

int sign(int x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }

int main(void)
{
    printf("%d %d %d\n", sign(5), sign(-5), sign(0));
    int a = 1;
    double d = a ? 1 : 2.5;
    printf("%f\n", d);
    unsigned u = 1;
    long l = a ? -1 : u;
    printf("%ld\n", l);
    int x = 0, y = 0;
    *(a ? &x : &y) = 9;
    printf("%d %d\n", x, y);
    const char *s = a > 0 ? "pos" : "neg";
    puts(s);
    int m = 3, n = 8;
    int max = m > n ? m : n;
    printf("%d\n", max);
    int z = 0 ? 1 : 0 ? 2 : 3;
    printf("%d\n", z);
    return a ? 7 : 8;
}

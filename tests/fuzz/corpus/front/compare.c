/* expect-exit: 1 */
/* expect-stdout:
1 0 1 0 0 1
2
1
0
1
1 1
1 1
1
1
*/
#include <stdio.h>

int main(void)
{
    int a = 3, b = 7;
    printf("%d %d %d %d %d %d\n", a < b, a > b, a <= b, a >= b, a == b, a != b);
    printf("%d\n", (a < b) + (b < a) + (a == 3));
    printf("%d\n", 1 < 2 < 3);
    printf("%d\n", 3 > 2 > 1);
    long big = 1L << 40;
    printf("%d\n", big > 1);
    unsigned u = 0xFFFFFFFFu;
    printf("%d %d\n", u > 0, (int)u < 0);
    double d = 0.1;
    printf("%d %d\n", d < 0.2, d != 0.1f);
    char c1 = 'a', c2 = 'b';
    printf("%d\n", c1 < c2);
    int r = (a == 3) == 1;
    printf("%d\n", r);
    return a != b;
}

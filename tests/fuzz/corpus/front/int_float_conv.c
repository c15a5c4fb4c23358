/* expect-exit: 0 */
/* expect-stdout:
3 -3
16777216.0
1000000000000000
3000000000
123456789.0
3.00 3.50
0
0.333333343
A
18000000000000000000
0
1
*/
#include <stdio.h>

int main(void)
{
    double d = 3.99;
    int i = (int)d;
    printf("%d %d\n", i, (int)-3.99);
    float f = 16777217;           /* rounds to 16777216 in float */
    printf("%.1f\n", f);
    long l = (long)1e15;
    printf("%ld\n", l);
    unsigned u = (unsigned)3e9;
    printf("%u\n", u);
    double back = (double)123456789L;
    printf("%.1f\n", back);
    int n = 7;
    double q = n / 2;
    double r = n / 2.0;
    printf("%.2f %.2f\n", q, r);
    float third = 1.0f / 3.0f;
    double dthird = 1.0 / 3.0;
    printf("%d\n", (double)third == dthird);
    printf("%.9f\n", (double)third);
    char c = (char)65.7;
    printf("%c\n", c);
    unsigned long big = (unsigned long)1.8e19;
    printf("%lu\n", big);
    printf("%d\n", (int)(0.1 + 0.2 == 0.3));
    _Bool b = 0.5;
    printf("%d\n", b);
    return 0;
}

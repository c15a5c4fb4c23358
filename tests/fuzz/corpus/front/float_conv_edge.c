/* expect-exit: 0 */
/* expect-stdout:
15000000000000000000
18446744073709549568.0
9007199254740992.0
-9007199254740992.0
16777216.0
0 0
4294967295.0 4294967296.0
inf
1 1
0 1 0 0
44
5
0
1.000
18446744073709551616.0
2900000000
*/
#include <stdio.h>

int main(void)
{
    double big = 1.5e19;
    unsigned long ul = (unsigned long)big;
    printf("%lu\n", ul);
    unsigned long top = 0xFFFFFFFFFFFFF800UL;
    printf("%.1f\n", (double)top);
    unsigned long odd = 9007199254740993UL;
    printf("%.1f\n", (double)odd);
    long neg = -9007199254740993L;
    printf("%.1f\n", (double)neg);
    int i = 16777217;
    printf("%.1f\n", (double)(float)i);
    printf("%d %d\n", (int)-0.9, (int)0.9);
    unsigned u = 4294967295u;
    printf("%.1f %.1f\n", (double)u, (double)(float)u);
    float f = 3.4e38f;
    printf("%g\n", (double)(f * 10.0f));
    double zero = 0.0;
    double inf = 1.0 / (zero + 1e-320 * 0 + 1e-300) * 1e300 * 1e300;
    printf("%d %d\n", inf > 1e308, -inf < -1e308);
    double nan = inf - inf;
    printf("%d %d %d %d\n", nan == nan, nan != nan, nan < 1, nan > 1);
    printf("%d\n", (unsigned char)(int)300.7);
    long double ld = 2.5;
    printf("%d\n", (int)(ld * 2));
    float small = 1e-30f;
    printf("%g\n", (double)(small * small));
    printf("%.3f\n", (float)1 / 3 * 3);
    unsigned long long ull = 18446744073709551615ULL;
    printf("%.1f\n", (double)ull);
    printf("%u\n", (unsigned)2.9e9);
    return 0;
}

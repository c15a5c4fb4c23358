/* expect-exit: 0 */
/* expect-stdout:
1099511627776 18446744073709551615
fffffffffffffff DEADBEEFCAFE
-9000000000000000000
-8999999937
-441
2432902008176640000
-1
8
17511885964321538452
*/
#include <stdio.h>

int main(void)
{
    long long a = 1LL << 40;
    unsigned long long b = 18446744073709551615ULL;
    printf("%lld %llu\n", a, b);
    printf("%llx %llX\n", b >> 4, 0xDEADBEEFCAFEULL);
    long long c = -9000000000000000000LL;
    printf("%lld\n", c);
    printf("%lld\n", c / 1000000007LL);
    printf("%lld\n", c % 1000000007LL);
    long long f = 1;
    for (int i = 1; i <= 20; i++)
        f *= i;
    printf("%lld\n", f);
    printf("%lli\n", (long long)-1);
    printf("%d\n", (int)sizeof(long long));
    unsigned long long h = 0;
    for (int i = 0; i < 100; i++)
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
    printf("%llu\n", h);
    return 0;
}

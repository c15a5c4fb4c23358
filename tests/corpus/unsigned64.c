/* expect-exit: 0 */
/* expect-stdout:
1080863910568919040 1
5764607523034234880
1000000000
0
4326621740974158673
9223372036854775804 -3
1
0 4294967296
*/
#include <stdio.h>
#include <stdint.h>

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    uint64_t r = 0;
    a %= m;
    while (b) {
        if (b & 1) {
            r += a;
            if (r >= m) r -= m;
        }
        a <<= 1;
        if (a >= m) a -= m;
        b >>= 1;
    }
    return r;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
    uint64_t r = 1;
    while (e) {
        if (e & 1) r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}

int main(void)
{
    uint64_t a = 0xF000000000000001ULL, b = 0x10;
    printf("%llu %llu\n", (unsigned long long)(a / b), (unsigned long long)(a % b));
    printf("%llu\n", (unsigned long long)(a / 3));
    printf("%llx\n", (unsigned long long)(a * 0x1000000000ULL));
    uint64_t m = 0xFFFFFFFFFFFFFFC5ULL; /* the largest 64-bit prime */
    printf("%llu\n", (unsigned long long)powmod(2, 1000000, m));
    printf("%llu\n", (unsigned long long)powmod(3, m - 1, m));
    int64_t s = -7;
    uint64_t us = (uint64_t)s;
    printf("%llu %lld\n", (unsigned long long)(us / 2), (long long)(s / 2));
    printf("%d\n", us > 5);
    uint32_t x = 0x80000000u;
    uint64_t wide = x << 1;
    uint64_t wide2 = (uint64_t)x << 1;
    printf("%llu %llu\n", (unsigned long long)wide, (unsigned long long)wide2);
    return 0;
}

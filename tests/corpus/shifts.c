/* expect-exit: 0 */
/* expect-stdout:
34567812
3456789abcdef012
1 8192 67108864 549755813888 4503599627370496 
-1
2064 16
48
12
34359738368
*/
#include <stdio.h>
#include <stdint.h>

uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

int main(void)
{
    printf("%08x\n", rotl32(0x12345678u, 8));
    printf("%016llx\n", (unsigned long long)rotl64(0x0123456789ABCDEFull, 12));
    uint64_t one = 1;
    for (int i = 0; i < 64; i += 13)
        printf("%llu ", (unsigned long long)(one << i));
    printf("\n");
    int64_t neg = INT64_MIN;
    printf("%lld\n", (long long)(neg >> 63));
    uint8_t u8 = 0x81;
    printf("%d %d\n", u8 << 4, (uint8_t)(u8 << 4));
    int s = 3;
    s <<= 4;
    printf("%d\n", s);
    s >>= 2;
    printf("%d\n", s);
    unsigned int k = 1;
    long sh = 35;
    printf("%lu\n", (unsigned long)k << sh);
    return 0;
}

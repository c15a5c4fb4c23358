/* expect-exit: 0 */
/* expect-stdout:
00000000 pop 0 clz 32 rev 00000000 bswap 00000000
00000001 pop 1 clz 31 rev 80000000 bswap 01000000
000000ff pop 8 clz 24 rev ff000000 bswap ff000000
80000000 pop 1 clz 0 rev 00000001 bswap 00000080
deadbeef pop 24 clz 0 rev f77db57b bswap efbeadde
ffffffff pop 32 clz 0 rev ffffffff bswap ffffffff
1 0 0
9 5
37
16
*/
#include <stdint.h>
#include <stdio.h>

static int popcount(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int)((x * 0x01010101u) >> 24);
}

static int clz(uint32_t x)
{
    if (!x)
        return 32;
    int n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

static uint32_t reverse_bits(uint32_t x)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) {
        r = (r << 1) | (x & 1);
        x >>= 1;
    }
    return r;
}

static uint32_t bswap(uint32_t x)
{
    return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}

static int is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

int main(void)
{
    uint32_t v[] = { 0, 1, 0xFF, 0x80000000u, 0xDEADBEEFu, 0xFFFFFFFFu };
    for (int i = 0; i < 6; i++)
        printf("%08x pop %d clz %d rev %08x bswap %08x\n", v[i], popcount(v[i]), clz(v[i]),
               reverse_bits(v[i]), bswap(v[i]));
    printf("%d %d %d\n", is_pow2(1ULL << 40), is_pow2(96), is_pow2(0));
    int a = 5, b = 9;
    a ^= b;
    b ^= a;
    a ^= b;
    printf("%d %d\n", a, b);
    int x = -37;
    int mask = x >> 31;
    printf("%d\n", (x + mask) ^ mask);
    uint32_t lowest = 0xB0u & -0xB0u;
    printf("%u\n", lowest);
    return 0;
}

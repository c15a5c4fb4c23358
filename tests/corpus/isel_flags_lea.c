/* expect-exit: 0 */
/* expect-stdout:
flags 3516174380
flags 6554 2406 3689
count 55 1
sum 3811719595312
wrap 1073974420
sadd 1089526760 63527338485 190582015455
*/
/* Compares with 0 right after the arithmetic that defined the value (the
 * JIT reuses the flags: the overflow flag of add/sub must not leak into
 * < and >=), and index scaling folded with a constant (lea), wrapping
 * at 32 bits. */
#include <stdio.h>

static short sh[40];
static int in[40];
static long long ll[40];

static int flags(int x, int k)
{
    int r = 0, y;
    y = (int)((unsigned)x - (unsigned)k);
    if (y == 0) r |= 1;
    if (y != 0) r |= 2;
    if (y < 0) r |= 4;
    if (y >= 0) r |= 8;
    y = (int)((unsigned)x + (unsigned)k);
    if (y < 0) r |= 16;
    if (y >= 0) r |= 32;
    y = x & k;
    if (y > 0) r |= 64;
    if (y <= 0) r |= 128;
    y = x | k;
    if (y < 0) r |= 256;
    if (y > 0) r |= 512;
    y = x ^ k;
    if (y >= 0) r |= 1024;
    if (y <= 0) r |= 2048;
    long long z = (long long)x * 4 - k;
    if (z < 0) r |= 4096;
    if (z == 0) r |= 8192;
    return r;
}

static int count_down(int n)
{
    int s = 0;
    do {
        s += n;
    } while (--n);
    return s;
}

static unsigned wrapidx(unsigned i, unsigned base)
{
    /* (i * 8 + K) computed at 32 bits */
    unsigned a = i * 8u + 0xFFFFFFF0u;
    unsigned b = i * 4u + 0x10u;
    unsigned c = i * 2u + 0x7FFFFFFFu;
    return (a ^ b ^ c) + base;
}

/* y + x * s with a non-constant y: one lea, wrapping at 32 (and 64) bits */
static unsigned sadd(unsigned y, unsigned x)
{
    unsigned a = y + x * 8u, b = x * 4u + y, c = y + x * 2u;
    unsigned long long d = (unsigned long long)y + (unsigned long long)x * 8u;
    return a ^ (b << 1) ^ (c << 2) ^ (unsigned)(d >> 3) ^ (unsigned)d;
}

static long long pick(const long long *p, int i, int j) { return p[i] + p[j] * 2; }

int main(void)
{
    int xs[] = {0, 1, -1, 2, 7, -7, 0x7fffffff, (int)0x80000000u, 0x40000000, 12345};
    int ks[] = {0, 1, -1, 7, (int)0x80000000u, 0x7fffffff};
    unsigned h = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 6; j++)
            h = h * 131 + (unsigned)flags(xs[i], ks[j]);
    printf("flags %u\n", h);
    printf("flags %d %d %d\n", flags((int)0x80000000u, 1), flags(0x7fffffff, -1), flags(5, 5));
    printf("count %d %d\n", count_down(10), count_down(1));
    for (int i = 0; i < 40; i++) {
        sh[i] = (short)(i * 1000 - 7);
        in[i] = i * 100003;
        ll[i] = (long long)i * 0x123456789LL;
    }
    long long s = 0;
    for (int i = 0; i < 40; i++)
        s += sh[i] + in[i] + ll[i] + sh[39 - i] * 3;
    printf("sum %lld\n", s);
    unsigned w = 0;
    for (unsigned i = 0; i < 5; i++)
        w = w * 7 + wrapidx(i, 3) + wrapidx(0x20000000u + i, 5) + wrapidx(0xFFFFFFFFu - i, 1);
    printf("wrap %u\n", w);
    unsigned ys[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xffffffffu};
    unsigned v = 0;
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            v = v * 33 + sadd(ys[i], ys[j] + (unsigned)i);
    printf("sadd %u %lld %lld\n", v, pick(ll, 3, 5), pick(ll, 39, 0));
    return 0;
}

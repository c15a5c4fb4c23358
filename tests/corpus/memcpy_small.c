/* expect-exit: 0 */
/* expect-stdout:
load 0: 1 2049 370083841 3615022833237690369
load 1: 8 3848 487984904 4121404043104227080
load 2: 15 5647 605885967 4627785252970763791
load 3: 22 7446 723787030 5134166462837300502
load 4: 29 9245 841688093 5640547672703837213
load 5: 36 11044 959589156 6146928882570373924
load 6: 43 12843 1077490219 6653310092436910635
load 7: 50 14642 1195391282 7159691302303447346
store 0: 3487035680
store 1: 743383402
store 2: 3779277294
store 3: 1137229438
store 4: 1901787226
move -3: 107904789
move -2: 139711826
move -1: 830091271
move 0: 3869008864
move 1: 104577529
move 2: 414132846
move 3: 260070635
set 0: 1408878601
set 1: 3045967466
set 127: 3160734248
set 128: 502855817
set 255: 2254711464
set -1: 2254711464
set -128: 502855817
set 4660: 638153661
set 256: 1408878601
returns: 3 4 5 6 7 190374819
structs: x -2 123456 7 -9 1 2 3 -1 42
zeroed: 0 0 0 0
unaligned struct: 1276721632
*/
/* Small constant-size memcpy/memmove/memset and struct copies (the JIT
 * expands them inline): unaligned, overlapping, zero length, every fill
 * value, the returned pointer. */
#include <stdio.h>
#include <string.h>

struct s1 { char c; };
struct s2 { short h; };
struct s4 { int i; };
struct s8 { int a, b; };
struct s12 { int v[3]; };
struct s16 { long long a, b; };

static unsigned char buf[64];

static unsigned sum(const unsigned char *p, int n)
{
    unsigned h = 0;
    for (int i = 0; i < n; i++)
        h = h * 31 + p[i];
    return h;
}

static void reset(void)
{
    for (int i = 0; i < 64; i++)
        buf[i] = (unsigned char)(i * 7 + 1);
}

int main(void)
{
    unsigned k4;
    unsigned long long k8;
    unsigned short k2;
    unsigned char k1;
    reset();
    for (int off = 0; off < 8; off++) {
        memcpy(&k1, buf + off, 1);
        memcpy(&k2, buf + off, 2);
        memcpy(&k4, buf + off, 4);
        memcpy(&k8, buf + off, 8);
        printf("load %d: %u %u %u %llu\n", off, k1, k2, k4, k8);
    }
    for (int off = 0; off < 5; off++) {
        reset();
        k4 = 0xdeadbeefu + off;
        k8 = 0x0123456789abcdefull * (off + 1);
        memcpy(buf + off, &k4, 4);
        memcpy(buf + 20 + off, &k8, 8);
        memcpy(buf + 40 + off, buf + off, 16);
        printf("store %d: %u\n", off, sum(buf, 64));
    }
    /* overlapping ranges: memmove, both directions, 1..16 bytes */
    for (int d = -3; d <= 3; d++) {
        reset();
        memmove(buf + 20 + d, buf + 20, 16);
        memmove(buf + 5 + d, buf + 5, 8);
        memmove(buf + 50 + d, buf + 50, 4);
        memmove(buf + 40 + d, buf + 40, 2);
        memmove(buf + 30 + d, buf + 30, 1);
        printf("move %d: %u\n", d, sum(buf, 64));
    }
    /* memset: constant and variable values, truncated to a byte */
    int vals[] = {0, 1, 0x7f, 0x80, 0xff, -1, -128, 0x1234, 0x100};
    for (int i = 0; i < 9; i++) {
        reset();
        memset(buf + 1, vals[i], 1);
        memset(buf + 3, vals[i], 2);
        memset(buf + 7, vals[i], 4);
        memset(buf + 13, vals[i], 8);
        memset(buf + 31, vals[i], 16);
        memset(buf + 50, 0xab, 16);
        memset(buf + 48, 0, 2);
        printf("set %d: %u\n", vals[i], sum(buf, 64));
    }
    /* zero lengths touch nothing and return the destination */
    reset();
    char *r0 = memcpy(buf + 3, buf + 9, 0);
    char *r1 = memmove(buf + 4, buf + 9, 0);
    char *r2 = memset(buf + 5, 9, 0);
    char *r3 = memcpy(buf + 6, buf + 9, 4);
    char *r4 = memset(buf + 7, 9, 16);
    printf("returns: %d %d %d %d %d %u\n", (int)(r0 - (char *)buf), (int)(r1 - (char *)buf),
           (int)(r2 - (char *)buf), (int)(r3 - (char *)buf), (int)(r4 - (char *)buf), sum(buf, 64));
    /* struct copies and zeroing */
    struct s1 a1 = {'x'}, b1;
    struct s2 a2 = {-2}, b2;
    struct s4 a4 = {123456}, b4;
    struct s8 a8 = {7, -9}, b8;
    struct s12 a12 = {{1, 2, 3}}, b12;
    struct s16 a16 = {-1, 42}, b16;
    b1 = a1; b2 = a2; b4 = a4; b8 = a8; b12 = a12; b16 = a16;
    printf("structs: %c %d %d %d %d %d %d %d %lld %lld\n", b1.c, b2.h, b4.i, b8.a, b8.b, b12.v[0],
           b12.v[1], b12.v[2], b16.a, b16.b);
    b8 = (struct s8){0};
    b16 = (struct s16){0};
    printf("zeroed: %d %d %lld %lld\n", b8.a, b8.b, b16.a, b16.b);
    struct c16 { char c[16]; } *ps = (struct c16 *)(buf + 3), *pq = (struct c16 *)(buf + 9);
    reset();
    *ps = *pq; /* overlapping too */
    printf("unaligned struct: %u\n", sum(buf, 64));
    return 0;
}

// expect: 261105
/* control flow */
static int calls;
static int t(int v) { calls++; return v; }
static int sw(int x)
{
    int r = 0;
    switch (x) {
    case 0: r += 1;
    case 1: r += 10; break;
    case 2: { r += 100; }
    case 3: r += 1000; break;
    case -1: return -1;
    case 1000000: r = 7; break;
    default: r = 99;
    }
    return r;
}
static long swl(long x)
{
    switch (x) { case 5000000000L: return 1; case -1: return 2; case 3: return 3; }
    return 0;
}
static int sw2(unsigned x)
{
    switch (x) { case 0xffffffffu: return 1; case 0x80000000u: return 2; default: break; }
    return 0;
}
int main(void)
{
    int acc = 0;
    for (int i = -2; i < 6; i++) acc = acc * 3 + sw(i);
    acc += sw(1000000) + (int)swl(5000000000L) * 10 + (int)swl(-1) * 100 + (int)swl(7) + sw2(0xffffffffu) * 7 + sw2(0x80000000u) * 11;
    int i = 0, n = 0;
    while (i < 100) { i++; if (i % 3 == 0) continue; if (i > 50) break; n += i; }
    acc += n;
    do { n--; } while (n > 1000);
    acc += n;
    int k = 0;
again:
    k++;
    if (k < 10) goto again;
    acc += k;
    if (k == 10) goto skip;
    acc += 1000000;
skip:
    calls = 0;
    if (t(0) && t(1)) acc += 1;
    if (t(1) || t(0)) acc += 2;
    if (!(t(0) || t(0)) && t(1)) acc += 4;
    acc += calls * 100;
    int a = 3, b = 0;
    acc += (a && b) + (a || b) * 2 + (!a) * 4 + (a > b ? 8 : 16) + (b ? t(1) : t(2)) * 32;
    int m = 0;
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++) {
            if (y == x) continue;
            if (y > 3) break;
            m += x * y;
        }
    acc += m;
    for (;;) { if (++m > 100) break; }
    acc += m;
    double d = 0.0;
    if (d) acc += 1000;
    if (!d) acc += 3;
    long big = 1L << 40;
    if (big) acc += 5;
    int *p = 0;
    if (!p) acc += 7;
    acc += (d < 1.0 && big > 0) ? 11 : 13;
    return acc;
}

// expect: 636720
/* integer arithmetic, conversions and narrow types */
static unsigned int h = 2166136261u;
static void mix(long long v) { h = (h ^ (unsigned int)v) * 16777619u; h ^= (unsigned int)(v >> 32); }

int main(void)
{
    int i = 7, j = -3;
    unsigned u = 0xfffffff0u, w = 5;
    long l = -1234567890123LL;
    unsigned long ul = 18446744073709551000UL;
    char c = 120;
    unsigned char uc = 250;
    short s = 32000;
    unsigned short us = 65530;
    _Bool b = 0;
    mix(i / j); mix(i % j); mix(-i / 2); mix(j % 2);
    mix(u / w); mix(u % w); mix(u >> 3); mix(j >> 1); mix(j << 3); mix((unsigned)j >> 28);
    mix(l / 1000); mix(l % 1000); mix(l >> 7); mix(ul >> 7); mix(ul / 3); mix(ul % 1000);
    c += 10; mix(c); c++; mix(c); c = c * 3; mix(c);
    uc += 10; mix(uc); uc--; mix(uc); uc = uc << 1; mix(uc);
    s += 1000; mix(s); s = -s * 2; mix(s);
    us += 10; mix(us); us = us * 3; mix(us);
    b = 5; mix(b); b++; mix(b); b--; mix(b); b--; mix(b); b = 0.5; mix(b);
    mix((char)300); mix((unsigned char)-1); mix((short)70000); mix((unsigned short)-2);
    mix((int)l); mix((unsigned)l); mix((long)u); mix((long)j); mix((unsigned long)j);
    mix((long)(unsigned)j); mix((long)c); mix((long)uc);
    mix(i < j); mix(u < w); mix((unsigned)j > 5u); mix(l < 0); mix(ul > 5);
    mix(~i); mix(-u); mix(!i); mix(!0); mix(i & j); mix(i | j); mix(i ^ j);
    int k = 1;
    k <<= 4; mix(k); k >>= 2; mix(k); k *= -7; mix(k); k /= 2; mix(k); k %= 5; mix(k);
    k |= 0x100; mix(k); k &= 0xff0f; mix(k); k ^= 0x5555; mix(k); k -= 100000; mix(k);
    long long ll = 1; for (int n = 0; n < 70; n++) { ll = ll * 3 + n; mix(ll); }
    int x = 0x7fffffff; x++; mix(x);
    unsigned char a1 = 200, a2 = 100; mix(a1 + a2); mix((unsigned char)(a1 + a2));
    char ca[4]; ca[0] = -1; ca[1] = (char)200; mix(ca[0]); mix(ca[1]);
    int sh = 33; mix(1 << (sh & 31)); mix(1L << 40);
    int y = 5; int z = y++; z += ++y; mix(z); mix(y);
    mix(h % 1000);
    return (int)(h % 1000000);
}

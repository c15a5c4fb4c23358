// expect: -1630812041
/* gen_fuzz.py 4242: a random program, checked against gcc -fwrapv */
typedef unsigned long long u64;
static u64 mix(u64 h, u64 v) { h ^= v; h *= 0x100000001b3ULL; return h ^ (h >> 29); }
struct S {
    unsigned m0;
    unsigned char m1;
    unsigned long m2 : 53;
    long long m3;
};
static signed char g0 = 0x2e09e4b8245edebcUL;
static signed char g1 = 291;
static unsigned long long g2;
static long g3 = 1445078890u;
static int g4;
static struct S s, sa[4];
static long arr[8];
static double dv;
static long *pa = arr + 0;
static struct S *ps = &sa[1];
static unsigned long f0(int a, unsigned long long b) { return a ^ (b << 2); }
static long long f1(unsigned a, unsigned b) { return a ^ (b << 2); }
static _Bool f2(unsigned short a, unsigned char b) { return a ^ (b << 2); }
int main(void)
{
    u64 h = 1;
    unsigned short l0 = 1004356167021L;
    unsigned short l1 = 85;
    unsigned short l2 = 953241905539L;
    long l3 = 253;
    short l4 = 9;
    double d0 = 1e-3;
    double d1 = 1.5;
    float d2 = -2.75e10;
    long *pv = &g3;
    g0 = (ps->m1 >= ((l1 >= 8) >= (d1 >= d2)));
    g2 |= g0;
    ps->m1 = ((((long long)g4) & (296 & g2)) <= g0);
    s.m1 = (((s.m3 || s.m0) || (g4 / (((0xe1a9611df1526a9fUL) & 7) + 1)))) ? 3266588568u : 356660001179L;
    for (int i1 = 0; i1 < 4; i1++) {
        { unsigned char t = ((g4 >> ((g3) & 31)) >= ((signed char)d2)); ps->m1 += t; }
        g1 = ((((*pv) + 695878028979L) & ((int)(dv * 1e-12) + (l3)))) ? ps->m0 : g4;
    }
    g0 |= (~(l4 >> ((s.m0) & 31)));
    d0--;
    if (s.m2) {
        g4 = (2532301338u == (-291));
        d0 *= d2;
    } else {
        l3 = (((signed char)arr[(g3) & 7])) ? ((l3 > g3) ? (187 | l4) : (l0 == 60763609u)) : l4;
    }
    l2++;
    g1 ^= (((signed char)g4) >= ((int)(unsigned)-196198642));
    dv = dv * 0.5 + (double)(((int)(dv * 1e-12) + (((int)(dv * 1e-12) + (l4)))));
    (*pv) %= (((s.m1) & 7) + 1);
    l3 <<= ((f2(g4, (~2226397943u))) & 31);
    if (arr[((g1 > 7)) & 7]) {
        g2 &= 3;
        g1 <<= ((((s.m1 ? g1 : l0) ? (l3 & s.m1) : (-47346802051L & 234))) & 31);
    } else {
        (*pv) = (d2 ? 1 : 2);
    }
    (*pv)--;
    l2 = arr[(((s.m3 >= (long)760062695) / ((((g1 + g1)) & 7) + 1))) & 7];
    if ((signed char)-486813839) {
        pa[(g0) & 7] = (((g2 ? (*pv) : 0) != s.m3) | arr[(2) & 7]);
        g0 >>= ((((l2 == 1871819301u) <= s.m0)) & 31);
        (*pv) = (g1 ? s.m2 : l0);
        l2 <<= ((arr[(f0(0, 1137365346u)) & 7]) & 31);
    } else {
        g3 = ((d2 ? 1 : 2)) ? s.m3 : arr[(((int)(dv * 1e-12) + (g1))) & 7];
        { char t = f0((g0 ? l2 : g0), (g4 ? s.m1 : l1)); sa[(l3) & 3].m2 += t; }
        if (((s.m1 <= s.m0) ? f0(g2, g1) : (2416167881u ? (*pv) : 3))) {
            (*pv) = 510881180220L;
        }
    }
    l0 = s.m2;
    g0 = (-551828053080L + f0((g4 && 189), (g2 % (((l0) & 7) + 1))));
    if ((((*pv) || (*pv)) > ((unsigned long)ps->m3))) {
        dv = dv * 0.5 + (double)(0x815b1ebc909efda0UL);
        g0 = (((g3 ? s.m3 : 0x52f9b6534f4027b3UL) <= (sa[(l0) & 3].m1 & s.m0)) + ((22103230u << ((g4) & 31)) < f2(sa[(arr[3]) & 3].m2, l2)));
    }
    h = mix(h, (u64)g0);
    h = mix(h, (u64)g1);
    h = mix(h, (u64)g2);
    h = mix(h, (u64)g3);
    h = mix(h, (u64)g4);
    h = mix(h, (u64)l0);
    h = mix(h, (u64)l1);
    h = mix(h, (u64)l2);
    h = mix(h, (u64)l3);
    h = mix(h, (u64)l4);
    h = mix(h, (u64)(long long)d0);
    h = mix(h, (u64)(long long)d1);
    h = mix(h, (u64)(long long)d2);
    h = mix(h, (u64)s.m0);
    h = mix(h, (u64)s.m1);
    h = mix(h, (u64)s.m2);
    h = mix(h, (u64)s.m3);
    for (int i = 0; i < 8; i++) h = mix(h, (u64)arr[i]);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m0);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m1);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m2);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m3);
    h = mix(h, (u64)(long)(dv / 1e6));
    return (int)(h ^ (h >> 32));
}


// expect: -1899435137
/* gen_fuzz.py 7: a random program, checked against gcc -fwrapv */
typedef unsigned long long u64;
static u64 mix(u64 h, u64 v) { h ^= v; h *= 0x100000001b3ULL; return h ^ (h >> 29); }
struct S {
    char m0;
    unsigned m1 : 4;
    unsigned char m2 : 4;
};
static signed char g0 = 3;
static signed char g1 = 9;
static struct S s, sa[4];
static long arr[8];
static double dv;
static long *pa = arr + 0;
static struct S *ps = &sa[1];
static signed char f0(short a, unsigned long long b) { return -a; }
static long long f1(char a, long long b) { return a & ~b; }
static unsigned f2(char a, short b) { return a + b; }
int main(void)
{
    u64 h = 1;
    unsigned short l0 = -647763847797L;
    long long l1 = 0x301850c5a38fd547UL;
    signed char l2 = 0x9e7769b10f4205b4UL;
    double d0 = -2.75e10;
    double d1 = 1e-3;
    double d2 = -2.75e10;
    unsigned short *pv = &l0;
    g0 = (((g0 == l0) ? g0 : f1(l2, s.m0))) ? ((3530140069u - s.m2) != ((int)l1)) : 126;
    s.m0++;
    ++s.m2;
    l0 <<= ((((int)(dv * 1e-12) + ((g1 * (*pv))))) & 31);
    (*pv) += (*pv);
    g0 *= ((d0 ? 1 : 2) ? (~l1) : (l1 << ((l2) & 31)));
    switch ((l2) & 7) {
    case 1:
        switch ((((long)d1)) & 7) {
        case 1:
            if (((unsigned short)824877558 * (arr[4] && 4))) {
                g1 = (((!265) << ((arr[(l0) & 7]) & 31)) ? (arr[(345908635u) & 7] <= g1) : f0((d2 ? 1 : 2), l1));
                s.m2 = arr[((!arr[(g0) & 7])) & 7];
                (*pv) = (d2 ? 1 : 2);
            }
            pa[(g0) & 7] = arr[(((108 >= l0) ? f1(s.m0, l1) : (pa[(pa[(arr[7]) & 7]) & 7] ? 0x2c1eea1f265974a7UL : l2))) & 7];
            l2 = ((signed char)(l2 >> ((((*pv) * 0xceaf4915888564e8UL)) & 31)));
            for (int i3 = 0; i3 < 2; i3++) {
                for (int i4 = 0; i4 < 2; i4++) {
                    s.m0 = ((-(187 & l1)) * ((s.m2 >> ((s.m0) & 31)) > (ps->m1 <= 200248242000L)));
                    g0 = (l0 & (!(ps->m2 > g0)));
                    l1 = (((l1 * ps->m1) * (2 && g1)) + ((unsigned long)d0));
                    l0 = (pa[(ps->m0) & 7] / (((((404712905370L ? l1 : 2) >= l1)) & 7) + 1));
                }
                g0 = (!((l1 == l0) >> (((l0 ? g0 : l1)) & 31)));
                (*pv) /= (((((204 / (((s.m0) & 7) + 1)) && (d2 != d2))) & 7) + 1);
            }
            break;
        default:
            l2 = (arr[((arr[3] ? g1 : l1)) & 7] && (pa[(sa[(l1) & 3].m0) & 7] ? (8 ? s.m1 : 3248891100u) : ((int)(dv * 1e-12) + (s.m0))));
            if ((((unsigned short)d2) - arr[((*pv)) & 7])) {
                s.m0 = ((unsigned short)d0);
                sa[(ps->m1) & 3].m0 = ((171873872912L ? (85873434215L ? g0 : l2) : (sa[(l0) & 3].m0 | s.m1))) ? s.m2 : ((~g0) | (g0 > 1087538182u));
            } else {
                { long long t = 3668998441u; g0 += t; }
                g1 = (((-(unsigned)211433297) <= (l0 >= pa[(l1) & 7])) >= (arr[(1025058476u) & 7] % ((((d0 < d2)) & 7) + 1)));
                ps->m2 = ((l2 ? l2 : (pa[(sa[(g0) & 3].m1) & 7] >= g1)) == ((l1 * s.m1) ? (s.m2 | l1) : (-115495767970L ? arr[7] : g0)));
                h = mix(h, l0);
            }
            l2 = arr[((f0(l2, sa[(sa[(g1) & 3].m1) & 3].m2) * ((unsigned long long)-827220022 + s.m2))) & 7];
            d1 /= d1;
        }
        s.m0 = arr[((d0 ? 1 : 2)) & 7];
    default:
        g1 = ((((long long)l1) & ((char)d2)) / (((f0(arr[(s.m1) & 7], (168 & ps->m0))) & 7) + 1));
        g0 <<= (((g0 == (194 || l1))) & 31);
        s.m0 = (((short)arr[(6) & 7])) ? ((int)(dv * 1e-12) + (g0)) : arr[(l0) & 7];
        g0 %= ((((int)1822045708) & 7) + 1);
    }
    h = mix(h, (u64)g0);
    h = mix(h, (u64)g1);
    h = mix(h, (u64)l0);
    h = mix(h, (u64)l1);
    h = mix(h, (u64)l2);
    h = mix(h, (u64)(long long)d0);
    h = mix(h, (u64)(long long)d1);
    h = mix(h, (u64)(long long)d2);
    h = mix(h, (u64)s.m0);
    h = mix(h, (u64)s.m1);
    h = mix(h, (u64)s.m2);
    for (int i = 0; i < 8; i++) h = mix(h, (u64)arr[i]);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m0);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m1);
    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].m2);
    h = mix(h, (u64)(long)(dv / 1e6));
    return (int)(h ^ (h >> 32));
}


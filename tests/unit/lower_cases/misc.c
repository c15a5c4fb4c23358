// expect: 11343
/* assorted corners: struct rvalues, post-increments, function pointers in
   structs, static locals, switch/loop interplay, goto, shadowing */
struct T { int arr[4]; int x; };
struct F { int (*fp)(int); int k; };
static int dbl(int x) { return 2 * x; }
static int neg(int x) { return -x; }
static struct T mkT(int v) { struct T t; for (int i = 0; i < 4; i++) t.arr[i] = v + i; t.x = v * 10; return t; }
static struct F ftab[2] = {{dbl, 1}, {neg, 2}};
int garr[5] = {10, 20, 30, 40, 50};
int *gp2 = garr + 2;
char gs[] = "xyz";
char *gq = &gs[1];
long gaddr = 0;
struct W { char s[4]; short n; } gw = {"abc", 7};
union UU { int i; char c[4]; } gu = {0x41424344};
struct M { int a; struct { int b, c; } in[2]; } gm2[2] = {[1] = {.in = {[1] = {.c = 5}}, .a = 3}};
static int *sptr(void) { static int cell[3] = {4, 5, 6}; return &cell[1]; }
static int cnt(void) { static int n; return ++n; }

int main(void)
{
    int acc = 0;
    acc += mkT(3).arr[2] + mkT(1).x;
    struct T a = mkT(5), b = mkT(7);
    int c = 1;
    acc += (c ? a : b).x + (c - 1 ? a : b).arr[3];
    acc += (a = b).arr[0];
    int src[5] = {1, 2, 3, 4, 5}, dst[5];
    int *p = dst, *q = src;
    for (int i = 0; i < 5; i++) *p++ = *q++ * 3;
    acc += dst[4] + (int)(p - dst);
    int idx = 0;
    dst[idx++] = 100;
    dst[idx++] += 5;
    acc += dst[0] + dst[1] + idx;
    struct F f = {dbl, 3};
    struct F *pf = &ftab[1];
    acc += f.fp(4) + pf->fp(6) + ftab[0].fp(ftab[1].k);
    acc += *gp2 + *gq + gw.s[2] + gw.n + gu.c[0] + gm2[1].a + gm2[1].in[1].c + gm2[0].in[1].c;
    acc += sptr()[1] + sptr()[-1];
    cnt(); cnt();
    acc += cnt() * 1000;
    int n = 0;
    for (int i = 0; i < 10; i++) {
        switch (i % 4) {
        case 0: continue;
        case 1: n += 1; break;
        case 2: n += 10;
        default: n += 100; break;
        }
        n += 1000;
    }
    acc += n;
    int k = 0;
    do {
        k++;
        if (k < 5) continue;
        k += 100;
    } while (k < 50);
    acc += k;
    int found = -1;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++)
            if (i * j == 42) { found = i * 10 + j; goto done; }
done:
    acc += found;
    int s = 1;
    {
        int s = 2;
        acc += s;
        {
            int s = 3;
            acc += s * 10;
        }
    }
    acc += s * 100;
    for (int i = 0; i < 3; i++) {
        int *cl = (int[]){i, i * 2, 0};
        cl[2] += 7;
        acc += cl[1] + cl[2];
    }
    unsigned long ul = (unsigned long)(void *)&garr[1] - (unsigned long)(void *)&garr[0];
    acc += (int)ul;
    char ch = 'a';
    switch (ch) { case 'a': acc += 1; break; case 'b': acc += 2; break; }
    long L = 3000000000L;
    switch (L) { case 3000000000L: acc += 4; break; default: acc += 8; }
    unsigned short us = 65535;
    switch (us) { case 65535: acc += 16; break; case 0: break; }
    return acc;
}

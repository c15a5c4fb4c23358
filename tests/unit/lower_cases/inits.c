// expect: -3238
/* initializers: globals, relocations, locals, statics, compound literals */
struct P { int x; const char *name; struct P *next; };
struct Q { char c; short s; int i; long l; float f; double d; unsigned char bits : 3; int sb : 4; };
static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }

int gi = 42;
int garr[6] = {1, 2, 3, [5] = 9};
char gstr[] = "hello";
char gstr2[10] = "hi";
const char *gp = "world";
const char *gnames[] = {"zero", "one", "two"};
struct P p2 = {2, "two", 0};
struct P p1 = {1, "one", &p2};
int *gptr = &garr[3];
int (*ops[])(int, int) = {add, mul};
struct Q gq = {'a', -300, 70000, -5000000000L, 1.5f, 2.25, 5, -3};
int gm[2][3] = {{1, 2, 3}, {4, 5, 6}};
long gl = sizeof(gm) + sizeof(struct Q);
int *gcl = (int[]){7, 8, 9};
double gd = 1.0 / 4;
unsigned char guc = 255 + 3;
int zeroes[100];

static int counter(void) { static int n = 10; return n++; }

int main(void)
{
    int acc = gi + garr[0] + garr[2] + garr[4] + garr[5] * 10;
    acc += gstr[1] + (int)sizeof(gstr) + gstr2[1] + gstr2[5];
    acc += gp[0] + gnames[2][1] + p1.next->x * 100 + p1.next->name[1] + p1.name[0];
    acc += *gptr + ops[0](3, 4) + ops[1](3, 4);
    acc += gq.c + gq.s + gq.i / 1000 + (int)(gq.l / 1000000) + (int)(gq.f * 2) + (int)(gq.d * 4) + gq.bits + gq.sb;
    acc += gm[1][2] + gm[0][1] + (int)gl + gcl[1] + (int)(gd * 100) + guc;
    for (int i = 0; i < 100; i++) acc += zeroes[i];
    counter(); counter();
    acc += counter();
    int la[8] = {5, 6, [6] = 7};
    acc += la[0] + la[1] + la[2] + la[6] + la[7];
    int lb[5] = {1, 2, 3, 4, 5};
    acc += lb[4] * 10;
    char ls[] = "local";
    char ls2[16] = "ab";
    acc += ls[4] + (int)sizeof(ls) + ls2[1] + ls2[15];
    struct P lp = {3, "three", &p1};
    acc += lp.x + lp.name[2] + lp.next->x;
    struct Q lq = {'z', 1, 2, 3, 4.5f, 5.5, 6, -1};
    acc += lq.c + lq.s + lq.i + (int)lq.l + (int)(lq.f * 2) + (int)(lq.d * 2) + lq.bits + lq.sb;
    struct Q lq2 = {.i = 9};
    acc += lq2.c + lq2.i + lq2.bits;
    int x = 3;
    int *px = &x;
    int vals[3] = {x, x * 2, *px + 1};
    acc += vals[0] + vals[1] + vals[2];
    int *cl = (int[]){x, 20, 30};
    acc += cl[0] + cl[2];
    struct P *cp = &(struct P){4, "four", 0};
    acc += cp->x + cp->name[0];
    double dd[3] = {1, 2.5};
    acc += (int)(dd[0] + dd[1] * 2 + dd[2]);
    float fl = 2;
    long lg = 7;
    acc += (int)fl + (int)lg;
    return acc;
}

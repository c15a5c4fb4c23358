/* expect-exit: 0 */
/* expect-stdout:
5 const ptr to const 9 6 1000 4 60
15
1 b
*/
#include <stdio.h>

static const int limits[3] = { 10, 20, 30 };
volatile int ticks;

static int sum(const int *p, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += p[i];
    return s;
}

static void spin(volatile int *v, int n)
{
    for (int i = 0; i < n; i++)
        (*v)++;
}

int main(void)
{
    const int k = 5;
    const char *const msg = "const ptr to const";
    int x = 1;
    int *const px = &x;
    *px = 9;
    volatile long vl = 3;
    vl *= 2;
    spin(&ticks, 1000);
    const volatile int cv = 4;
    printf("%d %s %d %ld %d %d %d\n", k, msg, x, vl, ticks, cv, sum(limits, 3));
    register int r = 7;
    auto int a = 8;
    printf("%d\n", r + a);
    const struct { int a; const char *b; } cs = { 1, "b" };
    printf("%d %s\n", cs.a, cs.b);
    return 0;
}

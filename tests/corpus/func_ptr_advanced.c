/* expect-exit: 0 */
/* expect-stdout:
11 20 -10
42
11 12
-14
-4
1 1
100
*/
#include <stdio.h>

typedef int unary(int);
typedef unary *unary_ptr;

static int inc(int x) { return x + 1; }
static int dbl(int x) { return x * 2; }
static int neg(int x) { return -x; }

static unary_ptr choose(int k) { return k == 0 ? inc : k == 1 ? dbl : neg; }
static int (*choose2(int k))(int) { return choose(k % 3); }

static int compose(unary *f, unary *g, int x) { return f(g(x)); }

struct machine { int acc; unary *ops[4]; int nops; };

static void run(struct machine *m)
{
    for (int i = 0; i < m->nops; i++)
        m->acc = m->ops[i](m->acc);
}

static unary *const table[3] = { inc, dbl, neg };
static int apply_all(int x, unary *const *fs, int n)
{
    while (n--)
        x = (*fs++)(x);
    return x;
}

int main(void)
{
    printf("%d %d %d\n", choose(0)(10), choose(1)(10), choose(2)(10));
    printf("%d\n", choose2(4)(21));
    printf("%d %d\n", compose(inc, dbl, 5), compose(dbl, inc, 5));
    struct machine m = { 3, { dbl, inc, dbl, neg }, 4 };
    run(&m);
    printf("%d\n", m.acc);
    printf("%d\n", apply_all(1, table, 3));
    unary_ptr p = inc;
    unary_ptr q = inc;
    printf("%d %d\n", p == q, p != (unary_ptr)dbl);
    int (*(*pp))(int) = &p;
    printf("%d\n", (*pp)(99));
    return 0;
}

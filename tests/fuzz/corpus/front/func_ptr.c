/* expect-exit: 0 */
/* expect-stdout:
+ 24
- 16
* 80
/ 5
42
7
14
15 120
1
2 1
-7
*/
#include <stdio.h>

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
int divi(int a, int b) { return b ? a / b : 0; }

typedef int (*op_fn)(int, int);

int apply(op_fn f, int a, int b) { return f(a, b); }

op_fn pick(char c)
{
    switch (c) {
    case '+': return add;
    case '-': return sub;
    case '*': return mul;
    default: return divi;
    }
}

int fold(const int *v, int n, int init, int (*f)(int, int))
{
    for (int i = 0; i < n; i++)
        init = f(init, v[i]);
    return init;
}

static op_fn table[4] = { add, sub, mul, divi };
static const char ops[] = "+-*/";

int main(void)
{
    for (int i = 0; i < 4; i++)
        printf("%c %d\n", ops[i], table[i](20, 4));
    printf("%d\n", apply(mul, 6, 7));
    printf("%d\n", pick('-')(10, 3));
    printf("%d\n", (*pick('/'))(100, 7));
    int v[] = { 1, 2, 3, 4, 5 };
    printf("%d %d\n", fold(v, 5, 0, add), fold(v, 5, 1, mul));
    op_fn f = 0;
    printf("%d\n", f == 0);
    f = &add;
    printf("%d %d\n", f(1, 1), f == add);
    int (*arr2[2])(int, int) = { sub, add };
    printf("%d\n", arr2[0](arr2[1](1, 2), 10));
    return 0;
}

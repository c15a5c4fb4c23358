/* expect-exit: 0 */
/* expect-stdout:
1 1 0
7
9
28
56
*/
#include <stdio.h>

int is_odd(int n);

int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }

/* A tiny recursive-descent evaluator: expr = term {+|- term}, term = factor {*|/ factor}. */
static const char *p;
static int expr(void);

static int factor(void)
{
    if (*p == '(') {
        p++;
        int v = expr();
        p++;
        return v;
    }
    if (*p == '-') {
        p++;
        return -factor();
    }
    int v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (*p++ - '0');
    return v;
}

static int term(void)
{
    int v = factor();
    while (*p == '*' || *p == '/') {
        char op = *p++;
        int r = factor();
        v = op == '*' ? v * r : v / r;
    }
    return v;
}

static int expr(void)
{
    int v = term();
    while (*p == '+' || *p == '-') {
        char op = *p++;
        int r = term();
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

int eval(const char *s)
{
    p = s;
    return expr();
}

int main(void)
{
    printf("%d %d %d\n", is_even(10), is_odd(7), is_even(1001));
    printf("%d\n", eval("1+2*3"));
    printf("%d\n", eval("(1+2)*3"));
    printf("%d\n", eval("100/(2+3)-4*-2"));
    printf("%d\n", eval("((((7))))*((2+2)*(3-1))"));
    return 0;
}

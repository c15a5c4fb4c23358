/* expect-exit: 0 */
/* expect-stdout:
100 101 102
5
102334155
alpha beta gamma alpha 
6 5
*/
#include <stdio.h>

static int hidden = 5;

static int next_id(void)
{
    static int id = 100;
    return id++;
}

int count_calls(void)
{
    static int n;
    return ++n;
}

int fib_memo(int n)
{
    static long memo[50];
    if (n < 2)
        return n;
    if (memo[n])
        return (int)memo[n];
    memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
    return (int)memo[n];
}

const char *rotate(void)
{
    static const char *names[] = { "alpha", "beta", "gamma" };
    static int i;
    return names[i++ % 3];
}

int main(void)
{
    int i1 = next_id();
    int i2 = next_id();
    int i3 = next_id();
    printf("%d %d %d\n", i1, i2, i3);
    for (int i = 0; i < 4; i++)
        count_calls();
    printf("%d\n", count_calls());
    printf("%d\n", fib_memo(40));
    for (int i = 0; i < 4; i++)
        printf("%s ", rotate());
    printf("\n");
    {
        static int block_static = 3;
        block_static *= 2;
        printf("%d %d\n", block_static, hidden);
    }
    return 0;
}

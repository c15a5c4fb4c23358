// expect: 11243
/* recursion, mutual recursion, forward calls */
static int odd(int n);
static int even(int n) { return n == 0 ? 1 : odd(n - 1); }
static int odd(int n) { return n == 0 ? 0 : even(n - 1); }
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static long ack(long m, long n)
{
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}
static void qs(int *a, int lo, int hi)
{
    if (lo >= hi) return;
    int p = a[(lo + hi) / 2], i = lo, j = hi;
    while (i <= j) {
        while (a[i] < p) i++;
        while (a[j] > p) j--;
        if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    qs(a, lo, j);
    qs(a, i, hi);
}
static unsigned seed = 12345;
static int rnd(void) { seed = seed * 1103515245u + 12345u; return (int)((seed >> 16) & 0x7fff); }
int main(void)
{
    int acc = fib(20) + even(10) * 1000 + odd(7) * 2000 + (int)ack(2, 3);
    int a[200];
    for (int i = 0; i < 200; i++) a[i] = rnd() % 1000;
    qs(a, 0, 199);
    for (int i = 1; i < 200; i++) if (a[i - 1] > a[i]) return -1;
    acc += a[0] + a[199] + a[100];
    return acc;
}

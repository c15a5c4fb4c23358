/* Recursion, call-heavy: naive recursive Fibonacci of 24, n times. */
static int fib(int k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }
long bench(int n)
{
    long s = 0;
    for (int r = 0; r < n; r++)
        s += fib(24 + (r & 1));
    return s;
}

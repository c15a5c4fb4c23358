/* Recursion with backtracking: count the solutions of 9-queens (bitmasks),
 * n times. */
static int solve(int row, int n, unsigned cols, unsigned d1, unsigned d2)
{
    if (row == n)
        return 1;
    int count = 0;
    unsigned avail = ~(cols | d1 | d2) & ((1u << n) - 1);
    while (avail) {
        unsigned bit = avail & -avail;
        avail ^= bit;
        count += solve(row + 1, n, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
    }
    return count;
}
long bench(int n)
{
    long s = 0;
    for (int r = 0; r < n; r++)
        s += solve(0, 8 + (r & 1), 0, 0, 0);
    return s;
}

/* expect-exit: 0 */
/* expect-stdout:
1:1 2:0 3:0 4:2 5:10 6:4 7:40 8:92 
92 352
*/
#include <stdio.h>

static int cols[16];

static int ok(int row, int col)
{
    for (int r = 0; r < row; r++) {
        int c = cols[r];
        if (c == col || c - col == r - row || c - col == row - r)
            return 0;
    }
    return 1;
}

static int solve(int row, int n)
{
    if (row == n)
        return 1;
    int count = 0;
    for (int c = 0; c < n; c++)
        if (ok(row, c)) {
            cols[row] = c;
            count += solve(row + 1, n);
        }
    return count;
}

/* Bitmask variant. */
static int solve_bits(int n, unsigned cols_used, unsigned d1, unsigned d2)
{
    unsigned all = (1u << n) - 1;
    if (cols_used == all)
        return 1;
    int count = 0;
    unsigned avail = all & ~(cols_used | d1 | d2);
    while (avail) {
        unsigned bit = avail & -avail;
        avail -= bit;
        count += solve_bits(n, cols_used | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
    }
    return count;
}

int main(void)
{
    for (int n = 1; n <= 8; n++)
        printf("%d:%d ", n, solve(0, n));
    printf("\n");
    printf("%d %d\n", solve_bits(8, 0, 0, 0), solve_bits(9, 0, 0, 0));
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
534678912
672195348
198342567
859761423
426853791
713924856
961537284
287419635
345286179
37652 tries
*/
#include <stdio.h>

static int grid[9][9];

static int ok(int r, int c, int v)
{
    for (int i = 0; i < 9; i++)
        if (grid[r][i] == v || grid[i][c] == v)
            return 0;
    int br = r / 3 * 3, bc = c / 3 * 3;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (grid[br + i][bc + j] == v)
                return 0;
    return 1;
}

static long tries;

static int solve(int pos)
{
    if (pos == 81)
        return 1;
    int r = pos / 9, c = pos % 9;
    if (grid[r][c])
        return solve(pos + 1);
    for (int v = 1; v <= 9; v++) {
        tries++;
        if (ok(r, c, v)) {
            grid[r][c] = v;
            if (solve(pos + 1))
                return 1;
            grid[r][c] = 0;
        }
    }
    return 0;
}

int main(void)
{
    const char *puzzle =
        "530070000600195000098000060800060003400803001700020006060000280000419005000080079";
    for (int i = 0; i < 81; i++)
        grid[i / 9][i % 9] = puzzle[i] - '0';
    if (!solve(0))
        return 1;
    for (int r = 0; r < 9; r++) {
        for (int c = 0; c < 9; c++)
            putchar('0' + grid[r][c]);
        putchar('\n');
    }
    printf("%ld tries\n", tries);
    return 0;
}

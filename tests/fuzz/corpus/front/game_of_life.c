/* expect-exit: 8 */
/* expect-stdout:
................
................
................
................
.....#..........
......#...###...
....###.........
................
*/
#include <stdio.h>
#include <string.h>

#define W 16
#define H 8

static char grid[H][W], next[H][W];

static int neighbours(int y, int x)
{
    int n = 0;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            if (!dy && !dx)
                continue;
            int yy = (y + dy + H) % H, xx = (x + dx + W) % W;
            n += grid[yy][xx];
        }
    return n;
}

int main(void)
{
    memset(grid, 0, sizeof grid);
    grid[1][2] = grid[2][3] = grid[3][1] = grid[3][2] = grid[3][3] = 1; /* glider */
    grid[5][10] = grid[5][11] = grid[5][12] = 1;                        /* blinker */
    for (int gen = 0; gen < 12; gen++) {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int n = neighbours(y, x);
                next[y][x] = (char)(n == 3 || (n == 2 && grid[y][x]));
            }
        memcpy(grid, next, sizeof grid);
    }
    int alive = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            putchar(grid[y][x] ? '#' : '.');
            alive += grid[y][x];
        }
        putchar('\n');
    }
    return alive;
}

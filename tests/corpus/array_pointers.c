/* expect-exit: 0 */
/* expect-stdout:
7 12 6
78
9 8
2
11
4
8
three w
3c 2d
*/
#include <stdio.h>

static int grid[3][4] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } };

static int sum_row(int (*row)[4]) { return (*row)[0] + (*row)[1] + (*row)[2] + (*row)[3]; }
static int sum_all(int (*g)[4], int rows)
{
    int s = 0;
    for (int (*r)[4] = g; r < g + rows; r++)
        s += sum_row(r);
    return s;
}

int main(void)
{
    int (*p)[4] = grid;
    printf("%d %d %d\n", p[1][2], (*(p + 2))[3], *(*(p + 1) + 1));
    printf("%d\n", sum_all(grid, 3));
    int *rows[3] = { grid[2], grid[0], grid[1] };
    printf("%d %d\n", rows[0][0], rows[2][3]);
    int **pp = rows;
    pp++;
    printf("%d\n", (*pp)[1]);
    int (*whole)[3][4] = &grid;
    printf("%d\n", (*whole)[2][2]);
    printf("%d\n", (int)(sizeof *p / sizeof **p));
    printf("%d\n", (int)(&grid[2][0] - &grid[0][0]));
    char words[4][8] = { "zero", "one", "two", "three" };
    char (*w)[8] = words + 3;
    printf("%s %c\n", *w, w[-1][1]);
    struct cell { int v; char tag; } cells[2][2] = { { { 1, 'a' }, { 2, 'b' } }, { { 3, 'c' }, { 4, 'd' } } };
    struct cell (*cr)[2] = cells;
    printf("%d%c %d%c\n", cr[1][0].v, cr[1][0].tag, (*cr)[1].v, cells[1][1].tag);
    return 0;
}

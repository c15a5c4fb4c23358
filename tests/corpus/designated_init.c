/* expect-exit: 0 */
/* expect-stdout:
8080 example 0 7 0 0 99
1 0 20 0 0 0 0 70 80 0 
0 0 0
0 5 0
7 8 9
1 0 3 -1
sun mon tue 3
22 4 3 1
5
*/
#include <stdio.h>

struct cfg { int port; const char *host; int flags[3]; struct { int lo, hi; } range; };

struct cfg global_cfg = { .host = "example", .range = { .hi = 99 }, .port = 8080, .flags[1] = 7 };
int sparse[10] = { [2] = 20, [7] = 70, 80, [0] = 1 };
int grid[3][3] = { [1][1] = 5, [2] = { 7, 8, 9 } };
struct cfg many[3] = { [2].port = 3, [0] = { .port = 1 }, [1].range.lo = -1 };
const char *days[] = { [1] = "mon", [0] = "sun", [2] = "tue" };

int main(void)
{
    printf("%d %s %d %d %d %d %d\n", global_cfg.port, global_cfg.host, global_cfg.flags[0],
           global_cfg.flags[1], global_cfg.flags[2], global_cfg.range.lo, global_cfg.range.hi);
    for (int i = 0; i < 10; i++)
        printf("%d ", sparse[i]);
    printf("\n");
    for (int i = 0; i < 3; i++)
        printf("%d %d %d\n", grid[i][0], grid[i][1], grid[i][2]);
    printf("%d %d %d %d\n", many[0].port, many[1].port, many[2].port, many[1].range.lo);
    printf("%s %s %s %d\n", days[0], days[1], days[2], (int)(sizeof days / sizeof days[0]));
    struct cfg local = { .range.lo = 4, .port = 22, .flags = { 1, 2, 3 } };
    printf("%d %d %d %d\n", local.port, local.range.lo, local.flags[2], local.host == 0);
    int arr[] = { [4] = 1 };
    printf("%d\n", (int)(sizeof arr / sizeof arr[0]));
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
25
15
2 7
0 9
30
*/
#include <stdio.h>

struct point { int x, y; };

int dist2(struct point a, struct point b)
{
    int dx = a.x - b.x, dy = a.y - b.y;
    return dx * dx + dy * dy;
}

int sum(const int *v, int n)
{
    int s = 0;
    while (n--)
        s += *v++;
    return s;
}

int main(void)
{
    printf("%d\n", dist2((struct point){ 0, 0 }, (struct point){ 3, 4 }));
    printf("%d\n", sum((int[]){ 1, 2, 3, 4, 5 }, 5));
    struct point *p = &(struct point){ .y = 7 };
    p->x = 2;
    printf("%d %d\n", p->x, p->y);
    int *arr = (int[4]){ [3] = 9 };
    printf("%d %d\n", arr[0], arr[3]);
    struct point pts[2];
    pts[1] = (struct point){ 5, 6 };
    printf("%d\n", pts[1].x * pts[1].y);
    return 0;
}

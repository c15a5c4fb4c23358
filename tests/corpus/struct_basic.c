/* expect-exit: 0 */
/* expect-stdout:
3 4 10 20
50
6 25
14
5 z
0 0
*/
#include <stdio.h>

struct point { int x, y; };
struct rect { struct point tl, br; };

int area(struct rect *r) { return (r->br.x - r->tl.x) * (r->br.y - r->tl.y); }

int main(void)
{
    struct point p;
    p.x = 3;
    p.y = 4;
    struct point q = { 10, 20 };
    struct rect r = { { 1, 2 }, { 11, 7 } };
    printf("%d %d %d %d\n", p.x, p.y, q.x, q.y);
    printf("%d\n", area(&r));
    struct rect *rp = &r;
    rp->tl.x = 6;
    printf("%d %d\n", r.tl.x, area(rp));
    struct point *pp = &r.br;
    pp->y *= 2;
    printf("%d\n", r.br.y);
    struct { int a; char b; } anon = { 5, 'z' };
    printf("%d %c\n", anon.a, anon.b);
    struct point zero = { 0 };
    printf("%d %d\n", zero.x, zero.y);
    return 0;
}

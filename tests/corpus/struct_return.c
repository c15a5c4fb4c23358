/* expect-exit: 0 */
/* expect-stdout:
11 22
-4 -4 4 4 box4
2 box3
T
5 5000000000 2.5
7 8
10 10
4
*/
#include <stdio.h>

struct pt { int x, y; };
struct box { struct pt min, max; char label[8]; };
struct tiny { char c; };
struct mixed { char c; long l; float f; };

struct pt mk(int x, int y) { struct pt p = { x, y }; return p; }
struct pt add(struct pt a, struct pt b) { return mk(a.x + b.x, a.y + b.y); }
struct box make_box(int n)
{
    struct box b = { mk(-n, -n), mk(n, n), "box" };
    b.label[3] = (char)('0' + n);
    return b;
}
struct tiny tiny(char c) { struct tiny t = { c }; return t; }
struct mixed mixed(int i) { struct mixed m = { (char)i, i * 1000000000L, i * 0.5f }; return m; }

static struct pt global_pt;
struct pt get_global(void) { return global_pt; }

int main(void)
{
    printf("%d %d\n", add(mk(1, 2), mk(10, 20)).x, add(mk(1, 2), mk(10, 20)).y);
    struct box b = make_box(4);
    printf("%d %d %d %d %s\n", b.min.x, b.min.y, b.max.x, b.max.y, b.label);
    printf("%d %s\n", make_box(2).max.y, make_box(3).label);
    printf("%c\n", tiny('T').c);
    struct mixed m = mixed(5);
    printf("%d %ld %g\n", m.c, m.l, m.f);
    global_pt = mk(7, 8);
    struct pt g = get_global();
    g.x = 0;
    printf("%d %d\n", global_pt.x, g.y);
    struct pt chain = add(add(mk(1, 1), mk(2, 2)), add(mk(3, 3), mk(4, 4)));
    printf("%d %d\n", chain.x, chain.y);
    struct pt arr[3];
    for (int i = 0; i < 3; i++)
        arr[i] = mk(i, i * i);
    printf("%d\n", arr[2].y);
    return 0;
}

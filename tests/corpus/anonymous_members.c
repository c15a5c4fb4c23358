/* expect-exit: 0 */
/* expect-stdout:
1 2 3 1 7
1 2 3 4 8
6 0 5
0 1 2 3
4 6
1 2 0
*/
/* Anonymous struct and union members: access, offsetof, positional and
 * designated initialization. */
#include <stdio.h>
#include <stddef.h>
struct v { union { struct { float x, y, z; }; float e[3]; }; int tag; };
struct w { int a; struct { int b, c; }; union { int d; short s; }; };
int main(void)
{
    struct v p = { { { 1, 2, 3 } }, 7 };
    struct v *pp = &p;
    printf("%g %g %g %g %d\n", pp->x, pp->e[1], p.z, p.e[0], p.tag);
    struct w q = { 1, { 2, 3 }, { 4 } };
    printf("%d %d %d %d %d\n", q.a, q.b, q.c, q.d, (int)offsetof(struct w, c));
    struct w r = { .c = 5, .a = 6 };
    printf("%d %d %d\n", r.a, r.b, r.c);
    struct w s = { .b = 1, .c = 2, .d = 3 };
    printf("%d %d %d %d\n", s.a, s.b, s.c, s.d);
    struct v t = { .e = { 4, 5, 6 }, .tag = 1 };
    printf("%g %g\n", t.x, t.z);
    struct v u = { .x = 1, .y = 2 };
    printf("%g %g %g\n", u.x, u.y, u.z);
    return 0;
}

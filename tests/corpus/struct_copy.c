/* expect-exit: 0 */
/* expect-stdout:
1.5 2.25 3.125
30 45 62.5
4
0 27 big
3 -1
5 0
8 7
0.5
*/
#include <stdio.h>

struct vec { double x, y, z; };
struct big { int a[10]; char name[8]; };

struct vec vadd(struct vec a, struct vec b)
{
    struct vec r = { a.x + b.x, a.y + b.y, a.z + b.z };
    return r;
}

struct vec vscale(struct vec v, double k)
{
    v.x *= k;
    v.y *= k;
    v.z *= k;
    return v;
}

void modify(struct big b) { b.a[0] = 999; b.name[0] = 'X'; }

struct big make(int seed)
{
    struct big b;
    for (int i = 0; i < 10; i++)
        b.a[i] = seed * i;
    b.name[0] = 'b';
    b.name[1] = 'i';
    b.name[2] = 'g';
    b.name[3] = 0;
    return b;
}

struct pair { int k; long v; };
struct pair swap(struct pair p) { struct pair r = { (int)p.v, p.k }; return r; }

int main(void)
{
    struct vec a = { 1, 2, 3 }, b = { 0.5, 0.25, 0.125 };
    struct vec c = vadd(a, b);
    printf("%g %g %g\n", c.x, c.y, c.z);
    c = vscale(vadd(c, c), 10);
    printf("%g %g %g\n", c.x, c.y, c.z);
    printf("%g\n", vadd(a, a).y);
    struct big x = make(3);
    modify(x);
    printf("%d %d %s\n", x.a[0], x.a[9], x.name);
    struct big y = x;
    y.a[1] = -1;
    printf("%d %d\n", x.a[1], y.a[1]);
    struct big arr[2];
    arr[0] = make(1);
    arr[1] = arr[0];
    arr[1].a[5] = 0;
    printf("%d %d\n", arr[0].a[5], arr[1].a[5]);
    struct pair p = swap((struct pair){ 7, 8 });
    printf("%d %ld\n", p.k, p.v);
    struct vec *vp = &a;
    *vp = b;
    printf("%g\n", a.x);
    return 0;
}

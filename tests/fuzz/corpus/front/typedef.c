/* expect-exit: 0 */
/* expect-stdout:
5 44 11 13 9
1099511627776
12
*/
#include <stdio.h>

typedef int myint;
typedef unsigned char byte;
typedef struct point { int x, y; } point;
typedef point *point_ptr;
typedef int (*binop)(int, int);
typedef int vec3[3];

static int add(int a, int b) { return a + b; }

int main(void)
{
    myint a = 5;
    byte b = 300 & 0xff;
    point p = { 1, 2 };
    point_ptr pp = &p;
    binop op = add;
    vec3 v = { 7, 8, 9 };
    pp->x += 10;
    printf("%d %d %d %d %d\n", a, b, p.x, op(p.x, p.y), v[2]);
    {
        typedef long myint;
        myint big = 1L << 40;
        printf("%ld\n", big);
    }
    printf("%d\n", (int)sizeof(vec3));
    return 0;
}

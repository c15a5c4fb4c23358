/* expect-exit: 0 */
/* expect-stdout:
10
103 109
104 100
1 0 1
7
3 2.5
2
32
0.5
fdb
1045
6
101
*/
#include <stdio.h>

struct item { int id; double w; };

int main(void)
{
    int a[10];
    for (int i = 0; i < 10; i++)
        a[i] = 100 + i;
    int *p = a, *q = a + 10;
    printf("%d\n", (int)(q - p));
    printf("%d %d\n", *(p + 3), *(q - 1));
    p += 4;
    printf("%d %d\n", *p, p[-4]);
    printf("%d %d %d\n", p < q, p > q, p == &a[4]);
    long diff = &a[9] - &a[2];
    printf("%ld\n", diff);
    struct item items[4] = { { 1, 0.5 }, { 2, 1.5 }, { 3, 2.5 }, { 4, 3.5 } };
    struct item *it = items;
    it += 2;
    printf("%d %g\n", it->id, it->w);
    printf("%d\n", (int)(it - items));
    printf("%d\n", (int)((char *)&items[3] - (char *)&items[1]));
    double *dp = &items[0].w;
    printf("%g\n", *dp);
    char s[] = "abcdef";
    char *c = s + 5;
    while (c >= s + 1) {
        putchar(*c);
        c -= 2;
    }
    putchar('\n');
    int sum = 0;
    for (int *r = a; r != a + 10; r++)
        sum += *r;
    printf("%d\n", sum);
    short sh[4] = { 1, 2, 3, 4 };
    short *sp = sh;
    printf("%d\n", *(sp + 3) + *(sp + 1));
    unsigned char *bp = (unsigned char *)&a[1];
    printf("%d\n", *bp);
    return 0;
}

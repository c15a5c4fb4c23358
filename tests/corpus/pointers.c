/* expect-exit: 0 */
/* expect-stdout:
2 1
-2 9
50
60
60 70
1 1
9
7
abc
*/
#include <stdio.h>
#include <stddef.h>

void swap(int *a, int *b) { int t = *a; *a = *b; *b = t; }

void minmax(const int *a, int n, int *mn, int *mx)
{
    *mn = *mx = a[0];
    for (int i = 1; i < n; i++) {
        if (a[i] < *mn) *mn = a[i];
        if (a[i] > *mx) *mx = a[i];
    }
}

int main(void)
{
    int x = 1, y = 2;
    swap(&x, &y);
    printf("%d %d\n", x, y);
    int a[] = { 4, -2, 9, 0, 7 };
    int lo, hi;
    minmax(a, 5, &lo, &hi);
    printf("%d %d\n", lo, hi);
    int *p = &x;
    *p = 50;
    printf("%d\n", x);
    int **pp = &p;
    **pp = 60;
    printf("%d\n", x);
    *pp = &y;
    *p = 70;
    printf("%d %d\n", x, y);
    int *null = NULL;
    printf("%d %d\n", null == 0, p != NULL);
    void *v = a;
    int *back = v;
    printf("%d\n", back[2]);
    const char *s = "pointer";
    const char *e = s;
    while (*e)
        e++;
    printf("%d\n", (int)(e - s));
    char buf[8];
    char *w = buf;
    for (const char *r = "abc"; *r; r++)
        *w++ = *r;
    *w = 0;
    printf("%s\n", buf);
    return 0;
}

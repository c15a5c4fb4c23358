/* expect-exit: 0 */
/* expect-stdout:
1
3
2 3
4
0
1
1.0
yes
void branch
*/
#include <stdio.h>
#include <stddef.h>

struct pt { int x, y; };

static struct pt pick(int c, struct pt a, struct pt b) { return c ? a : b; }

int main(void)
{
    int arr[3] = { 1, 2, 3 };
    int *p = NULL;
    int *q = p ? p : arr;
    printf("%d\n", *q);
    void *v = arr;
    int *r = 1 ? v : arr;
    printf("%d\n", r[2]);
    struct pt a = { 1, 2 }, b = { 3, 4 };
    printf("%d %d\n", pick(1, a, b).y, (0 ? a : b).x);
    char c = 'x';
    int i = 1;
    printf("%d\n", (int)sizeof(i ? c : i));
    unsigned short us = 5;
    printf("%d\n", (i ? us : -1) < 0);
    unsigned int ui = 5;
    printf("%d\n", (i ? ui : -1) > 0);
    double d = i ? 1 : 0.5;
    printf("%.1f\n", d);
    const char *s = i > 0 ? "yes" : NULL;
    puts(s);
    i ? puts("void branch") : puts("other");
    return 0;
}

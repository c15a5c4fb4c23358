/* expect-exit: 0 */
/* expect-stdout:
285
81 64 49 36 25 16 9 4 1 0 
3 12
1 2 0
abc 0 0
1241
3
49 16
*/
#include <stdio.h>

int sum(const int *a, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += a[i];
    return s;
}

void reverse(int a[], int n)
{
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

int main(void)
{
    int a[10];
    for (int i = 0; i < 10; i++)
        a[i] = i * i;
    printf("%d\n", sum(a, 10));
    reverse(a, 10);
    for (int i = 0; i < 10; i++)
        printf("%d ", a[i]);
    printf("\n");
    int b[] = { 5, 4, 3 };
    printf("%d %d\n", (int)(sizeof b / sizeof *b), sum(b, 3));
    int c[8] = { 1, 2 };
    printf("%d %d %d\n", c[0], c[1], c[7]);
    char s[10] = "abc";
    printf("%s %d %d\n", s, s[3], s[9]);
    long big[100] = { [50] = 7, [99] = 9 };
    long t = 0;
    for (int i = 0; i < 100; i++)
        t += big[i] * i;
    printf("%ld\n", t);
    printf("%d\n", 2[b]);
    int *p = &a[3];
    printf("%d %d\n", p[-1], p[2]);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
1 -478 27 499
eve:25 alice:31 bob:31 dave:40 carol:52 
alice bob carol dave eve 
10000000000 7 5 0 -3 -9 
*/
#include <stdio.h>
#include <string.h>

static void isort(int *a, int n)
{
    for (int i = 1; i < n; i++) {
        int v = a[i], j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(int *a, int lo, int hi)
{
    if (lo >= hi)
        return;
    int p = a[(lo + hi) / 2], i = lo, j = hi;
    while (i <= j) {
        while (a[i] < p) i++;
        while (a[j] > p) j--;
        if (i <= j) {
            int t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
    }
    quicksort(a, lo, j);
    quicksort(a, i, hi);
}

/* A generic qsort-like sort over bytes with a comparator. */
static void gsort(void *base, int n, int size, int (*cmp)(const void *, const void *))
{
    char *b = base;
    char tmp[64];
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp(b + (j - 1) * size, b + j * size) > 0; j--) {
            memcpy(tmp, b + j * size, (size_t)size);
            memcpy(b + j * size, b + (j - 1) * size, (size_t)size);
            memcpy(b + (j - 1) * size, tmp, (size_t)size);
        }
}

struct person { char name[12]; int age; };

static int by_age(const void *a, const void *b)
{
    const struct person *x = a, *y = b;
    return x->age - y->age;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct person *)a)->name, ((const struct person *)b)->name);
}

static int desc_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void merge_sort(int *a, int *tmp, int n)
{
    if (n < 2)
        return;
    int m = n / 2;
    merge_sort(a, tmp, m);
    merge_sort(a + m, tmp, n - m);
    int i = 0, j = m, k = 0;
    while (i < m && j < n)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < m) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

int main(void)
{
    int a[200], b[200], c[200], tmp[200];
    unsigned s = 42;
    for (int i = 0; i < 200; i++) {
        s = s * 1103515245u + 12345u;
        a[i] = b[i] = c[i] = (int)(s >> 16) % 1000 - 500;
    }
    isort(a, 200);
    quicksort(b, 0, 199);
    merge_sort(c, tmp, 200);
    int same = 1;
    for (int i = 0; i < 200; i++)
        same &= a[i] == b[i] && b[i] == c[i];
    printf("%d %d %d %d\n", same, a[0], a[100], a[199]);
    struct person ps[5] = { { "dave", 40 }, { "alice", 31 }, { "eve", 25 }, { "carol", 52 }, { "bob", 31 } };
    gsort(ps, 5, sizeof ps[0], by_age);
    for (int i = 0; i < 5; i++)
        printf("%s:%d ", ps[i].name, ps[i].age);
    printf("\n");
    gsort(ps, 5, sizeof ps[0], by_name);
    for (int i = 0; i < 5; i++)
        printf("%s ", ps[i].name);
    printf("\n");
    long ls[6] = { 5, -3, 10000000000L, 0, 7, -9 };
    gsort(ls, 6, sizeof ls[0], desc_long);
    for (int i = 0; i < 6; i++)
        printf("%ld ", ls[i]);
    printf("\n");
    return 0;
}

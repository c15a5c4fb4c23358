/* Branchy integer code: quicksort 400k pseudo-random ints. */
#include <stdio.h>
#define N 400000
static int a[N];
static void qs(int *v, int lo, int hi)
{
    while (lo < hi) {
        int p = v[(lo + hi) / 2], i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) { int t = v[i]; v[i++] = v[j]; v[j--] = t; }
        }
        if (j - lo < hi - i) { qs(v, lo, j); lo = i; }
        else { qs(v, i, hi); hi = j; }
    }
}
int main(void)
{
    unsigned s = 1;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        a[i] = (int)(s >> 1);
    }
    qs(a, 0, N - 1);
    long check = 0;
    for (int i = 0; i < N; i += 1000)
        check += a[i] % 1000;
    printf("%ld\n", check);
    return 0;
}

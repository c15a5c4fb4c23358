/* Sorting, branchy recursion: quicksort of 50k pseudo-random ints, n times. */
#define N 50000
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
long bench(int n)
{
    long check = 0;
    unsigned s = 1;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < N; i++) {
            s = s * 1103515245u + 12345u;
            a[i] = (int)(s >> 1);
        }
        qs(a, 0, N - 1);
        for (int i = 0; i < N; i += 100)
            check += a[i] % 1000;
    }
    return check;
}

/* Sorting, loops: Shell sort (Ciura gaps) of 50k pseudo-random ints, n times. */
#define N 50000
static int a[N];
long bench(int n)
{
    static const int gaps[] = {13776, 5985, 2660, 1182, 525, 233, 103, 41, 17, 7, 3, 1};
    long check = 0;
    unsigned s = 7;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < N; i++) {
            s = s * 1664525u + 1013904223u;
            a[i] = (int)(s >> 2);
        }
        for (int g = 0; g < (int)(sizeof gaps / sizeof gaps[0]); g++) {
            int gap = gaps[g];
            for (int i = gap; i < N; i++) {
                int t = a[i], j = i;
                while (j >= gap && a[j - gap] > t) {
                    a[j] = a[j - gap];
                    j -= gap;
                }
                a[j] = t;
            }
        }
        for (int i = 1; i < N; i++)
            if (a[i - 1] > a[i])
                return -1;
        check += a[N / 2] % 100000 + a[N / 3] % 1000;
    }
    return check;
}

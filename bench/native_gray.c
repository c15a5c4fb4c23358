/* native_gray.c — examples/gray.c compiled natively (gcc -O2), timed the
 * same way `kplug filter --repeat N --stats` times the plugin:
 *   native_gray N < image.ppm   prints the median call time in us. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap);

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static unsigned char in[1 << 25], out[1 << 25];
    int reps = argc > 1 ? atoi(argv[1]) : 10;
    size_t n = fread(in, 1, sizeof in, stdin);
    double t[1000];
    if (reps > 1000)
        reps = 1000;
    int r = 0;
    for (int i = 0; i < reps; i++) {
        double t0 = now_us();
        r = filter(in, (int)n, out, (int)sizeof out);
        t[i] = now_us() - t0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp);
    printf("%.1f %d\n", t[reps / 2], r);
    return r < 0;
}

/*
 * kplugfs_native.c — the anchor for bench/kplugfs.sh: a kplugfs plugin
 * compiled by gcc -O2 and linked in (the plugins are plain C), timed on the
 * same input as the plugin under kplug.
 *
 *   kplugfs_native FILE REPEAT   prints "compress MIN_US decompress MIN_US SIZE"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slurp.h"

int compress(const unsigned char *in, int in_len, unsigned char *out, int out_cap);
int decompress(const unsigned char *in, int in_len, unsigned char *out, int out_cap);

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    size_t n;
    unsigned char *in = argc == 3 ? (unsigned char *)slurp(argv[1], &n) : NULL;
    if (!in) {
        fprintf(stderr, "usage: kplugfs_native FILE REPEAT\n");
        return 1;
    }
    int repeat = atoi(argv[2]);
    int cap = (int)(2 * n + 64);
    unsigned char *c = malloc((size_t)cap), *d = malloc(n + 1);
    double best_c = 1e30, best_d = 1e30;
    int clen = 0, dlen = 0;
    for (int r = 0; r < repeat; r++) {
        double t0 = now_us();
        clen = compress(in, (int)n, c, cap);
        double t1 = now_us();
        dlen = decompress(c, clen, d, (int)n);
        double t2 = now_us();
        if (t1 - t0 < best_c)
            best_c = t1 - t0;
        if (t2 - t1 < best_d)
            best_d = t2 - t1;
    }
    if (clen < 0 || dlen != (int)n || memcmp(d, in, n)) {
        fprintf(stderr, "kplugfs_native: round trip failed\n");
        return 1;
    }
    printf("compress %.0f decompress %.0f size %d\n", best_c, best_d, clen);
    return 0;
}

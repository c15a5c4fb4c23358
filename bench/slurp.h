/* slurp.h — read a whole file into a malloc'd, NUL-terminated buffer.
 * Shared by the benchmark drivers (bench/bench.c, bench/compile_speed.c,
 * tests/unit/bench_front.c). Returns NULL on any failure. */
#ifndef KP_BENCH_SLURP_H
#define KP_BENCH_SLURP_H

#include <stdio.h>
#include <stdlib.h>

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    if (s) {
        s[n] = 0;
        *len = (size_t)n;
    }
    return s;
}

#endif

/*
 * compile_speed.c — how long compiling a small plugin takes, stage by stage:
 *   pp    fe_preprocess alone (lexing, directives, headers, macros)
 *   fe    fe_compile: preprocess + parse + lower + ir_verify
 *   add   kp_plugin_add + kp_delete on a live runtime (fe + link + engine)
 *   fresh kp_plugin_add alone, into a runtime created just before (the
 *         runtime's create and destroy are not timed)
 * Median of many runs, in microseconds. Figures, never pass/fail.
 *
 *   cc -std=gnu11 -O2 -Iinclude -Isrc bench/compile_speed.c build/libkplug.a \
 *      -lpthread -lm -o build/compile_speed
 *   build/compile_speed [-n RUNS] [-s pp|fe|add|fresh] [FILE...]
 *
 * Without files it measures examples/gray.c, a small plugin that includes two
 * headers (built in), and a few corpus files. -s runs one stage only, RUNS
 * times without timing, for `valgrind --tool=callgrind` (instruction counts
 * are deterministic there, wall times are not).
 */
#include "slurp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kplug.h"
#include "front/front.h"
#include "front/token.h"

static const char small_src[] =
    "#include <stdint.h>\n#include <string.h>\n\n"
    "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
    "static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }\n"
    "int gray(const unsigned char *in, int n, unsigned char *out, int cap)\n{\n"
    "    int w = 0;\n    for (int i = 0; i + 2 < n && w < cap; i += 3) {\n"
    "        int y = (in[i] * 77 + in[i + 1] * 150 + in[i + 2] * 29) >> 8;\n"
    "        out[w++] = (unsigned char)clamp(MAX(y, 0), 0, 255);\n    }\n"
    "    return w;\n}\n";

static const char *const default_files[] = {
    "examples/gray.c", "<small>", "examples/rle.c", "tests/corpus/crc32.c",
    "tests/corpus/base64.c", "tests/corpus/big_switch.c",
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *read_file(const char *path, size_t *len)
{
    if (strcmp(path, "<small>") == 0) {
        *len = sizeof small_src - 1;
        char *s = malloc(*len + 1);
        if (s)
            memcpy(s, small_src, *len + 1);
        return s;
    }
    return slurp(path, len);
}

/* One preprocessing run as fe_compile starts it; returns the token count
 * or -1. */
static long run_pp(const char *name, const char *src, size_t len)
{
    fe_ctx cx;
    memset(&cx, 0, sizeof cx);
    kp_arena_init(&cx.arena, ((size_t)64 << 20) + 64 * len);
    cx.plugin_name = name;
    cx.files[0].name = name;
    cx.files[0].src = src;
    cx.files[0].len = len;
    cx.nfiles = 1;
    fe_token *toks;
    uint32_t n;
    long rc = fe_preprocess(&cx, &toks, &n) == 0 ? (long)n : -1;
    free(cx.diag);
    kp_arena_free(&cx.arena);
    return rc;
}

static int run_fe(const char *name, const char *src, size_t len)
{
    ir_module *m = NULL;
    fe_result res;
    int rc = fe_compile(name, src, len, NULL, NULL, NULL, &m, &res);
    free(res.message);
    ir_module_free(m);
    return rc;
}

static int run_add(kp_runtime *rt, const char *src, size_t len)
{
    int rc = kp_plugin_add(rt, "bench", src, len);
    if (rc == KP_OK)
        kp_delete(rt, "bench");
    return rc;
}

/* A runtime like rt's default, created before and destroyed after the add;
 * returns the add's time in us (negative on failure). */
static double run_fresh(const char *src, size_t len)
{
    kp_config cfg;
    kp_runtime *rt;
    kp_config_init(&cfg);
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return -1;
    double t0 = now_us();
    int rc = kp_plugin_add(rt, "bench", src, len);
    double t = now_us() - t0;
    kp_runtime_destroy(rt);
    return rc == KP_OK ? t : -1;
}

enum { ST_PP, ST_FE, ST_ADD, ST_FRESH, ST_N };
static const char *const st_names[ST_N] = {"pp", "fe", "add", "fresh"};

static double measure(int stage, kp_runtime *rt, const char *name, const char *src,
                      size_t len, int runs)
{
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t)
        return -1;
    for (int i = 0; i < runs; i++) {
        if (stage == ST_FRESH) {
            t[i] = run_fresh(src, len);
            continue;
        }
        double t0 = now_us();
        if (stage == ST_PP)
            run_pp(name, src, len);
        else if (stage == ST_FE)
            run_fe(name, src, len);
        else
            run_add(rt, src, len);
        t[i] = now_us() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double med = t[runs / 2];
    free(t);
    return med;
}

int main(int argc, char **argv)
{
    int runs = 2000, only = -1, argi = 1;
    while (argi < argc && argv[argi][0] == '-') {
        if (!strcmp(argv[argi], "-n") && argi + 1 < argc) {
            runs = atoi(argv[argi + 1]);
            argi += 2;
        } else if (!strcmp(argv[argi], "-s") && argi + 1 < argc) {
            for (int s = 0; s < ST_N; s++)
                if (!strcmp(argv[argi + 1], st_names[s]))
                    only = s;
            if (only < 0) {
                fprintf(stderr, "unknown stage %s\n", argv[argi + 1]);
                return 2;
            }
            argi += 2;
        } else {
            fprintf(stderr, "usage: %s [-n RUNS] [-s pp|fe|add|fresh] [FILE...]\n", argv[0]);
            return 2;
        }
    }
    if (runs < 1)
        runs = 1;
    const char *const *files = default_files;
    int nfiles = (int)(sizeof default_files / sizeof default_files[0]);
    if (argi < argc) {
        files = (const char *const *)argv + argi;
        nfiles = argc - argi;
    }
    kp_config cfg;
    kp_runtime *rt = NULL;
    kp_config_init(&cfg);
    if (kp_runtime_create(&cfg, &rt) != KP_OK) {
        /* pp and fe do not need one */
        fprintf(stderr, "cannot create a runtime (%s): no \"add\" figures\n", kp_errmsg());
        rt = NULL;
        if (only == ST_ADD)
            return 1;
    }
    if (only < 0)
        printf("%-28s %6s %6s %10s %10s %10s %10s\n", "file", "lines", "tokens", "pp us",
               "fe us", "add us", "fresh us");
    for (int i = 0; i < nfiles; i++) {
        size_t len;
        char *src = read_file(files[i], &len);
        if (!src) {
            fprintf(stderr, "cannot read %s\n", files[i]);
            continue;
        }
        if (only >= 0) {
            /* for callgrind: just do the work */
            for (int k = 0; k < runs; k++) {
                if (only == ST_PP)
                    run_pp(files[i], src, len);
                else if (only == ST_FE)
                    run_fe(files[i], src, len);
                else if (only == ST_ADD)
                    run_add(rt, src, len);
                else
                    run_fresh(src, len);
            }
            free(src);
            continue;
        }
        int lines = 0;
        for (size_t k = 0; k < len; k++)
            lines += src[k] == '\n';
        long ntok = run_pp(files[i], src, len);
        int fe_rc = run_fe(files[i], src, len);
        int add_rc = rt ? run_add(rt, src, len) : KP_ERR_ARG;
        /* warm up, then measure */
        measure(ST_PP, rt, files[i], src, len, runs / 10 + 1);
        double pp = measure(ST_PP, rt, files[i], src, len, runs);
        double fe = fe_rc == KP_OK ? measure(ST_FE, rt, files[i], src, len, runs) : -1;
        double add = add_rc == KP_OK ? measure(ST_ADD, rt, src, src, len, runs) : -1;
        /* fewer runs: each creates and destroys a runtime */
        double fresh = add_rc == KP_OK ? measure(ST_FRESH, rt, src, src, len, runs / 4 + 1) : -1;
        printf("%-28s %6d %6ld %10.2f", files[i], lines, ntok - 1, pp);
        if (fe_rc == KP_OK)
            printf(" %10.2f", fe);
        else
            printf(" %10s", kp_result_name(fe_rc));
        if (add_rc == KP_OK)
            printf(" %10.2f %10.2f\n", add, fresh);
        else
            printf(" %10s\n", kp_result_name(add_rc));
        free(src);
    }
    if (rt)
        kp_runtime_destroy(rt);
    return 0;
}

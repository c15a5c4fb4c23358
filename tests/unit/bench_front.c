/*
 * bench_front.c — cost of the front end's stages on one plugin, for
 * profiling the parser and the lowering: preprocess once, then parse and
 * lower the same tokens many times.
 *
 *   cc -std=gnu11 -O2 -g -Iinclude -Isrc tests/unit/bench_front.c \
 *      build/libkplug.a -lpthread -lm -o build/bench_front
 *   build/bench_front [-n RUNS] [-s pp|parse|lower|all] [FILE]
 *
 * Prints the median microseconds of each stage. With -s it only does the
 * work (RUNS times) of the stages up to that one, for
 * `valgrind --tool=callgrind` (compare inclusive counts of fe_parse,
 * fe_lower, fe_preprocess).
 */
#include "../../bench/slurp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kplug.h"
#include "front/ast.h"
#include "front/front.h"
#include "front/token.h"

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


static void ctx_init(fe_ctx *cx, const char *name, const char *src, size_t len)
{
    memset(cx, 0, sizeof *cx);
    kp_arena_init(&cx->arena, ((size_t)64 << 20) + 64 * len);
    cx->plugin_name = name;
    cx->files[0].name = name;
    cx->files[0].src = src;
    cx->files[0].len = len;
    cx->nfiles = 1;
}

static void ctx_free(fe_ctx *cx)
{
    free(cx->diag);
    kp_arena_free(&cx->arena);
}

enum { S_PP, S_PARSE, S_LOWER, S_ALL };

static int show_mem;

/* One run; t[] receives the time of each stage. */
static int run(const char *name, const char *src, size_t len, int upto, double t[3])
{
    fe_ctx cx;
    ctx_init(&cx, name, src, len);
    fe_token *toks;
    uint32_t n;
    double t0 = now_us();
    int rc = -1;
    if (fe_preprocess(&cx, &toks, &n) != 0 || cx.nerrors)
        goto out;
    double t1 = now_us();
    t[0] = t1 - t0;
    size_t mem_pp = cx.arena.used_total;
    if (upto >= S_PARSE) {
        ast_unit *u = fe_parse(&cx, toks, n);
        double t2 = now_us();
        t[1] = t2 - t1;
        if (!u || cx.nerrors)
            goto out;
        size_t mem_parse = cx.arena.used_total;
        if (upto >= S_LOWER) {
            cx.depth = 0;
            ir_module *m = fe_lower(&cx, u);
            t[2] = now_us() - t2;
            if (!m || cx.nerrors)
                goto out;
            if (show_mem)
                printf("arena bytes: pp %zu, parse %zu, lower %zu; module %zu\n", mem_pp,
                       mem_parse - mem_pp, cx.arena.used_total - mem_parse,
                       m->arena.used_total);
            ir_module_free(m);
        }
    }
    rc = 0;
out:
    if (cx.diag && rc)
        fprintf(stderr, "%s", cx.diag);
    ctx_free(&cx);
    return rc;
}

int main(int argc, char **argv)
{
    int runs = 5000, only = -1, argi = 1;
    static const char *const names[] = {"pp", "parse", "lower", "all"};
    while (argi + 1 < argc && argv[argi][0] == '-') {
        if (!strcmp(argv[argi], "-n"))
            runs = atoi(argv[argi + 1]);
        else if (!strcmp(argv[argi], "-s")) {
            for (int s = 0; s < 4; s++)
                if (!strcmp(argv[argi + 1], names[s]))
                    only = s;
        }
        argi += 2;
    }
    const char *path = argi < argc ? argv[argi] : "examples/gray.c";
    size_t len;
    char *src = slurp(path, &len);
    if (!src) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    if (runs < 1)
        runs = 1;
    double t[3];
    if (only >= 0) {
        for (int i = 0; i < runs; i++)
            if (run(path, src, len, only, t) != 0)
                return 1;
        free(src);
        return 0;
    }
    double *v[3];
    for (int s = 0; s < 3; s++)
        v[s] = malloc((size_t)runs * sizeof(double));
    for (int i = 0; i < runs / 10; i++)
        run(path, src, len, S_LOWER, t);
    for (int i = 0; i < runs; i++) {
        if (run(path, src, len, S_LOWER, t) != 0)
            return 1;
        for (int s = 0; s < 3; s++)
            v[s][i] = t[s];
    }
    show_mem = 1;
    run(path, src, len, S_LOWER, t);
    printf("%s:", path);
    for (int s = 0; s < 3; s++) {
        qsort(v[s], (size_t)runs, sizeof(double), cmp_double);
        printf(" %s %.2f us", names[s], v[s][runs / 2]);
        free(v[s]);
    }
    printf("\n");
    free(src);
    return 0;
}

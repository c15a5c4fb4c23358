/*
 * bench.c — the figures of DESIGN.md ("Figures to reach"), measured side by
 * side with the anchors in one process: gcc -O2 native code of the same C
 * (linked in), libtcc and LuaJIT when built with HAVE_TCC / HAVE_LUAJIT.
 * Built and run by bench/run.sh (`make bench`, `make bench QUICK=1`).
 *
 * Every figure is the median (and min) of many runs; the contenders of a
 * figure run interleaved, one run each in turn, so that the noise of a
 * shared machine hits them alike. Figures, never pass/fail.
 *
 *   kbench [-q] [-w] [-m] [-s SECTIONS] [-k KERNEL]   SECTIONS: digits of 1234567
 *
 * malloc's mmap threshold is fixed (32 MiB) unless -m: glibc raises its
 * dynamic threshold the first time the process frees a large mmapped
 * block, and from then on libtcc's per-compile buffers come from the heap
 * instead of fresh pages. Which of the two states a run was in depended on
 * what the other contenders happened to free (libtcc -nostdlib warm: 142
 * us or 92 us in the same binary), so the state is set once for all.
 */
#include "slurp.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "kplug.h"
#include "front/front.h"
#include "interp/interp.h"
#include "jit/jit.h"

#ifdef HAVE_TCC
#include <libtcc.h>
#endif
#ifdef HAVE_LUAJIT
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#endif

/* ---- the natively compiled contenders (gcc -O2, see run.sh) ---- */

int native_filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap);
#define K(name) long native_##name(int);
#include "kernels.gen.h"
#undef K
static const struct kernel {
    const char *name;
    long (*native)(int);
} kernels[] = {
#define K(name) {#name, native_##name},
#include "kernels.gen.h"
#undef K
};
#define NKERNELS ((int)(sizeof kernels / sizeof kernels[0]))

/* ---- options, timing, statistics ---- */

static int quick;
static const char *sections = "1234567";
static const char *only_kernel;
static int nbugs;

static inline double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Long samples (ms) are measured in thread CPU time: on a shared, loaded
 * machine wall time counts the slices other processes take from us, and
 * that noise dwarfs the differences we measure. Samples of a few us (one
 * compile, one link) keep wall time: a CPU-time read is a syscall costing
 * about as much as they do, and they are rarely preempted. -w: wall time
 * everywhere. */
static int use_wall;
static int dyn_mmap; /* -m: see the head of the file */

static inline double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(use_wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A series of samples of one contender. */
typedef struct series {
    double *v;
    int n, cap;
} series;

static void add(series *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, (size_t)s->cap * sizeof *s->v);
        if (!s->v) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    s->v[s->n++] = x;
}

static double med(series *s)
{
    if (!s->n)
        return NAN;
    qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_double);
    return s->v[s->n / 2];
}

static double mini(series *s)
{
    if (!s->n)
        return NAN;
    qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_double);
    return s->v[0];
}


static int want(char sec) { return strchr(sections, sec) != NULL; }

static void bug(const char *fmt, const char *a, const char *b, long x, long y)
{
    nbugs++;
    printf("  BUG: ");
    printf(fmt, a, b, x, y);
    printf("\n");
}

/* ---- kplug helpers ---- */

static const char *ename(kp_engine e) { return e == KP_ENGINE_JIT ? "kplug jit" : "kplug interp"; }

static kp_runtime *mkrt(kp_engine e)
{
    kp_config cfg;
    kp_runtime *rt;
    kp_config_init(&cfg);
    cfg.engine = e;
    if (kp_runtime_create(&cfg, &rt) != KP_OK) {
        fprintf(stderr, "kp_runtime_create: %s\n", kp_errmsg());
        exit(1);
    }
    return rt;
}

static kp_func *addfn(kp_runtime *rt, const char *plugin, const char *src, size_t len,
                      const char *fn)
{
    kp_func *f;
    if (plugin && kp_plugin_add(rt, plugin, src, len) != KP_OK) {
        printf("  kp_plugin_add %s: %s\n", plugin, kp_errmsg());
        return NULL;
    }
    if (kp_lookup(rt, fn, &f) != KP_OK)
        return NULL;
    return f;
}

#ifdef HAVE_TCC
static void tcc_quiet(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "tcc: %s\n", msg);
}

/* nostdlib: link neither libc nor libtcc1.a (tcc_relocate otherwise
 * opens and reads both each time, most of its cost on a small plugin);
 * the string functions the kernels use are added as symbols. */
static TCCState *tcc_build_opt(const char *src, int nostdlib)
{
    TCCState *s = tcc_new();
    if (!s)
        return NULL;
    tcc_set_error_func(s, NULL, tcc_quiet);
    if (nostdlib)
        tcc_set_options(s, "-nostdlib");
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    if (nostdlib) {
        tcc_add_symbol(s, "memcpy", (const void *)memcpy);
        tcc_add_symbol(s, "memset", (const void *)memset);
        tcc_add_symbol(s, "memmove", (const void *)memmove);
        tcc_add_symbol(s, "memcmp", (const void *)memcmp);
    }
    if (tcc_compile_string(s, src) < 0 || tcc_relocate(s, TCC_RELOCATE_AUTO) < 0) {
        tcc_delete(s);
        return NULL;
    }
    return s;
}

static TCCState *tcc_build(const char *src) { return tcc_build_opt(src, 0); }
#endif

#ifdef HAVE_LUAJIT
static lua_State *lua_new(const char *chunk)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return NULL;
    luaL_openlibs(L);
    if (luaL_dostring(L, chunk)) {
        fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
        lua_close(L);
        return NULL;
    }
    return L;
}

/* A registry reference to global `name`. */
static int lua_ref(lua_State *L, const char *name)
{
    lua_getglobal(L, name);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}
#endif

static void heading(const char *title)
{
    printf("\n== %s\n", title);
}

static void row_us(const char *what, series *s, double scale, const char *unit)
{
    printf("  %-52s %10.2f %10.2f %s\n", what, med(s) * scale, mini(s) * scale, unit);
}

/* ================================================================== */
/* 1. compile + link of examples/gray.c; runtime create/destroy        */
/* ================================================================== */

static void sec_compile(void)
{
    size_t len;
    char *src = slurp("examples/gray.c", &len);
    if (!src) {
        printf("  cannot read examples/gray.c\n");
        return;
    }
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += src[i] == '\n';
    char title[128];
    snprintf(title, sizeof title, "1. compile + link examples/gray.c (%d lines)", lines);
    heading(title);
    int runs = quick ? 100 : 1000;
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
    series create[2] = {{0}}, addf[2] = {{0}}, addw[2] = {{0}}, del[2] = {{0}},
           destroy[2] = {{0}}, fe = {0};
#ifdef HAVE_TCC
    series tcc = {0}, tccdel = {0}, tccns = {0};
#endif
    kp_runtime *warm[2] = {mkrt(engs[0]), mkrt(engs[1])};
    int tcc_broken = 0;
    (void)tcc_broken;
    for (int r = 0; r < runs + runs / 10; r++) {
        int keep = r >= runs / 10; /* the first tenth warms up */
        for (int e = 0; e < 2; e++) {
            kp_runtime *rt;
            kp_config cfg;
            kp_config_init(&cfg);
            cfg.engine = engs[e];
            double t0 = now_ns();
            if (kp_runtime_create(&cfg, &rt) != KP_OK) {
                printf("  kp_runtime_create: %s\n", kp_errmsg());
                return;
            }
            double t1 = now_ns();
            int rc = kp_plugin_add(rt, "gray", src, len);
            double t2 = now_ns();
            if (rc != KP_OK) {
                printf("  kp_plugin_add: %s\n", kp_errmsg());
                return;
            }
            kp_delete(rt, "gray");
            double t3 = now_ns();
            kp_runtime_destroy(rt);
            double t4 = now_ns();
            kp_plugin_add(warm[e], "gray", src, len);
            double t5 = now_ns();
            kp_delete(warm[e], "gray");
            if (keep) {
                add(&create[e], t1 - t0);
                add(&addf[e], t2 - t1);
                add(&del[e], t3 - t2);
                add(&destroy[e], t4 - t3);
                add(&addw[e], t5 - t4);
            }
        }
        {
            ir_module *m = NULL;
            fe_result res;
            double t0 = now_ns();
            int frc = fe_compile("gray", src, len, NULL, NULL, NULL, &m, &res);
            double t1 = now_ns();
            if (frc != KP_OK && r == 0)
                printf("  fe_compile(gray.c) failed: %s\n", res.message ? res.message : "?");
            free(res.message);
            ir_module_free(m);
            if (keep)
                add(&fe, t1 - t0);
        }
#ifdef HAVE_TCC
        if (!tcc_broken) {
            double t0 = now_ns();
            TCCState *s = tcc_build(src);
            double t1 = now_ns();
            if (!s) {
                printf("  tcc failed on gray.c\n");
                tcc_broken = 1;
                continue;
            }
            tcc_delete(s);
            double t2 = now_ns();
            s = tcc_build_opt(src, 1);
            double t3 = now_ns();
            if (s)
                tcc_delete(s);
            if (keep) {
                add(&tcc, t1 - t0);
                add(&tccdel, t2 - t1);
                if (s)
                    add(&tccns, t3 - t2);
            }
        }
#endif
    }
    kp_runtime_destroy(warm[0]);
    kp_runtime_destroy(warm[1]);

    /* Warm, back to back: each contender in its own loop, so its code and
     * data stay in the caches from one compile to the next (the way the
     * issue's libtcc anchor, ~100 us, was taken). The interleaved rounds
     * above evict them between compiles: the "cold" figures. */
    series bb_add[2] = {{0}};
#ifdef HAVE_TCC
    series bb_tcc = {0}, bb_tccns = {0};
#endif
    for (int e = 0; e < 2; e++) {
        kp_runtime *rt = mkrt(engs[e]);
        for (int r = 0; r < runs + runs / 10; r++) {
            double t0 = now_ns();
            int rc = kp_plugin_add(rt, "gray", src, len);
            double t1 = now_ns();
            if (rc != KP_OK) {
                printf("  kp_plugin_add: %s\n", kp_errmsg());
                break;
            }
            kp_delete(rt, "gray");
            if (r >= runs / 10)
                add(&bb_add[e], t1 - t0);
        }
        kp_runtime_destroy(rt);
    }
#ifdef HAVE_TCC
    for (int ns = 0; ns < 2 && !tcc_broken; ns++)
        for (int r = 0; r < runs + runs / 10; r++) {
            double t0 = now_ns();
            TCCState *s = tcc_build_opt(src, ns);
            double t1 = now_ns();
            if (!s)
                break;
            tcc_delete(s);
            if (r >= runs / 10)
                add(ns ? &bb_tccns : &bb_tcc, t1 - t0);
        }
#endif

    printf("  %-52s %10s %10s\n", "cold: the contenders interleaved, one run each in turn",
           "median", "min");
    for (int e = 0; e < 2; e++) {
        char w[96];
        snprintf(w, sizeof w, "%s: kp_plugin_add, fresh runtime", ename(engs[e]));
        row_us(w, &addf[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_plugin_add, warm runtime", ename(engs[e]));
        row_us(w, &addw[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_delete", ename(engs[e]));
        row_us(w, &del[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_runtime_create", ename(engs[e]));
        row_us(w, &create[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_runtime_destroy", ename(engs[e]));
        row_us(w, &destroy[e], 1e-3, "us");
    }
    row_us("front end alone (fe_compile: pp+parse+lower)", &fe, 1e-3, "us");
#ifdef HAVE_TCC
    row_us("libtcc: tcc_new+compile_string+relocate", &tcc, 1e-3, "us");
    row_us("libtcc: tcc_delete", &tccdel, 1e-3, "us");
    row_us("libtcc -nostdlib: tcc_new+compile_string+relocate", &tccns, 1e-3, "us");
#else
    printf("  libtcc: not available (skipped)\n");
#endif
    printf("  %-52s %10s %10s\n", "warm: each contender back to back in its own loop", "median",
           "min");
    for (int e = 0; e < 2; e++) {
        char w[96];
        snprintf(w, sizeof w, "%s: kp_plugin_add, warm runtime", ename(engs[e]));
        row_us(w, &bb_add[e], 1e-3, "us");
    }
#ifdef HAVE_TCC
    row_us("libtcc: tcc_new+compile_string+relocate", &bb_tcc, 1e-3, "us");
    row_us("libtcc -nostdlib: tcc_new+compile_string+relocate", &bb_tccns, 1e-3, "us");
    printf("  => jit compile+link, warm: %.1f us (target <= 50 us): %.2fx libtcc, %.2fx libtcc "
           "-nostdlib\n",
           med(&bb_add[0]) * 1e-3, med(&bb_add[0]) / med(&bb_tcc), med(&bb_add[0]) / med(&bb_tccns));
    printf("  => jit compile+link, cold: %.1f us into a fresh runtime, %.1f us into a warm one: "
           "%.2fx libtcc, %.2fx libtcc -nostdlib (cold)\n",
           med(&addf[0]) * 1e-3, med(&addw[0]) * 1e-3, med(&addf[0]) / med(&tcc),
           med(&addf[0]) / med(&tccns));
#else
    printf("  => jit compile+link, warm: %.1f us (target <= 50 us)\n", med(&bb_add[0]) * 1e-3);
    printf("  => jit compile+link, cold: %.1f us into a fresh runtime, %.1f us into a warm one\n",
           med(&addf[0]) * 1e-3, med(&addw[0]) * 1e-3);
#endif
    free(src);
}

/* ================================================================== */
/* 2. null upcall host -> plugin, 0..6 int arguments                   */
/* ================================================================== */

static const char upcall_src[] =
    "int f0(void) { return 0; }\n"
    "int f1(int a) { return 0; }\n"
    "int f2(int a, int b) { return 0; }\n"
    "int f3(int a, int b, int c) { return 0; }\n"
    "int f4(int a, int b, int c, int d) { return 0; }\n"
    "int f5(int a, int b, int c, int d, int e) { return 0; }\n"
    "int f6(int a, int b, int c, int d, int e, int f) { return 0; }\n";

__attribute__((noinline)) static int n0(void) { __asm__ volatile(""); return 0; }
__attribute__((noinline)) static int n1(int a) { __asm__ volatile("" ::"r"(a)); return 0; }
__attribute__((noinline)) static int n2(int a, int b) { __asm__ volatile("" ::"r"(a), "r"(b)); return 0; }
__attribute__((noinline)) static int n3(int a, int b, int c) { __asm__ volatile("" ::"r"(a), "r"(b), "r"(c)); return 0; }
__attribute__((noinline)) static int n4(int a, int b, int c, int d) { __asm__ volatile("" ::"r"(a), "r"(b), "r"(c), "r"(d)); return 0; }
__attribute__((noinline)) static int n5(int a, int b, int c, int d, int e) { __asm__ volatile("" ::"r"(a), "r"(b), "r"(c), "r"(d), "r"(e)); return 0; }
__attribute__((noinline)) static int n6(int a, int b, int c, int d, int e, int f) { __asm__ volatile("" ::"r"(a), "r"(b), "r"(c), "r"(d), "r"(e), "r"(f)); return 0; }

/* Native indirect calls through pointers the compiler cannot see through. */
static int (*volatile p0)(void) = n0;
static int (*volatile p1)(int) = n1;
static int (*volatile p2)(int, int) = n2;
static int (*volatile p3)(int, int, int) = n3;
static int (*volatile p4)(int, int, int, int) = n4;
static int (*volatile p5)(int, int, int, int, int) = n5;
static int (*volatile p6)(int, int, int, int, int, int) = n6;

static double native_calls(int k, int batch)
{
    int s = 0;
    double t0 = cpu_ns();
    switch (k) {
    case 0: { int (*f)(void) = p0; for (int i = 0; i < batch; i++) s += f(); } break;
    case 1: { int (*f)(int) = p1; for (int i = 0; i < batch; i++) s += f(i); } break;
    case 2: { int (*f)(int, int) = p2; for (int i = 0; i < batch; i++) s += f(i, 2); } break;
    case 3: { int (*f)(int, int, int) = p3; for (int i = 0; i < batch; i++) s += f(i, 2, 3); } break;
    case 4: { int (*f)(int, int, int, int) = p4; for (int i = 0; i < batch; i++) s += f(i, 2, 3, 4); } break;
    case 5: { int (*f)(int, int, int, int, int) = p5; for (int i = 0; i < batch; i++) s += f(i, 2, 3, 4, 5); } break;
    default: { int (*f)(int, int, int, int, int, int) = p6; for (int i = 0; i < batch; i++) s += f(i, 2, 3, 4, 5, 6); } break;
    }
    double t = cpu_ns() - t0;
    __asm__ volatile("" ::"r"(s));
    return t / batch;
}

static double kp_calls(kp_func *f, int k, int batch)
{
    kp_value args[6], ret;
    for (int i = 0; i < 6; i++)
        args[i] = KP_I32(i + 1);
    int bad = 0;
    double t0 = cpu_ns();
    for (int i = 0; i < batch; i++)
        bad |= kp_call(f, args, k, &ret);
    double t = cpu_ns() - t0;
    if (bad) {
        printf("  kp_call failed: %s\n", kp_errmsg());
        return NAN;
    }
    return t / batch;
}

/* The same calls through kp_call_prepared (prepared once per column). */
static double prep_calls(kp_prepared *p, int batch)
{
    kp_value args[6], ret;
    for (int i = 0; i < 6; i++)
        args[i] = KP_I32(i + 1);
    int bad = 0;
    double t0 = cpu_ns();
    for (int i = 0; i < batch; i++)
        bad |= kp_call_prepared(p, args, &ret);
    double t = cpu_ns() - t0;
    if (bad) {
        printf("  kp_call_prepared failed: %s\n", kp_errmsg());
        return NAN;
    }
    return t / batch;
}

static void sec_upcall(void)
{
    heading("2. null upcall host -> plugin (kp_call; kp_call_prepared), ns per call");
    int runs = quick ? 15 : 61, batch = quick ? 10000 : 20000;
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
    kp_runtime *rt[2];
    kp_func *f[2][7];
    for (int e = 0; e < 2; e++) {
        rt[e] = mkrt(engs[e]);
        if (kp_plugin_add(rt[e], "up", upcall_src, sizeof upcall_src - 1) != KP_OK) {
            printf("  kp_plugin_add: %s\n", kp_errmsg());
            return;
        }
        for (int k = 0; k < 7; k++) {
            char nm[4] = {'f', (char)('0' + k), 0};
            f[e][k] = addfn(rt[e], NULL, NULL, 0, nm);
        }
    }
    static const kp_type ints[6] = {KP_T_I32, KP_T_I32, KP_T_I32, KP_T_I32, KP_T_I32, KP_T_I32};
    kp_prepared *pj[7] = {0};
    series first = {0}, again = {0};
    for (int k = 0; k < 7; k++) {
        double t0 = now_ns();
        if (kp_prepare(f[0][k], KP_T_I32, ints, k, &pj[k]) != KP_OK)
            printf("  kp_prepare: %s\n", kp_errmsg());
        add(&first, (now_ns() - t0) / 1e3);
    }
    /* a prototype already prepared on this thread: its stub is shared */
    for (int r = 0; r < 41; r++) {
        kp_prepared *q[16];
        double t0 = now_ns();
        for (int i = 0; i < 16; i++)
            if (kp_prepare(f[0][r % 7], KP_T_I32, ints, r % 7, &q[i]) != KP_OK)
                q[i] = NULL;
        add(&again, (now_ns() - t0) / 1e3 / 16);
        for (int i = 0; i < 16; i++)
            kp_prepared_free(q[i]);
    }
#ifdef HAVE_LUAJIT
    lua_State *L = lua_new("function f0() end\nfunction f6(a,b,c,d,e,f) end\n");
    int lref = L ? lua_ref(L, "f0") : 0;
#endif
    /* columns: native, jit, interp, luajit, jit prepared */
    series s[5][7];
    memset(s, 0, sizeof s);
    for (int r = 0; r < runs + 2; r++)
        for (int k = 0; k < 7; k++) {
            double x[5] = {native_calls(k, batch), kp_calls(f[0][k], k, batch),
                           kp_calls(f[1][k], k, batch / 4), NAN,
                           pj[k] ? prep_calls(pj[k], batch) : NAN};
#ifdef HAVE_LUAJIT
            if (L) {
                double t0 = cpu_ns();
                for (int i = 0; i < batch; i++) {
                    lua_rawgeti(L, LUA_REGISTRYINDEX, lref);
                    for (int a = 0; a < k; a++)
                        lua_pushinteger(L, a + 1);
                    lua_call(L, k, 0);
                }
                x[3] = (cpu_ns() - t0) / batch;
            }
#endif
            if (r >= 2)
                for (int c = 0; c < 5; c++)
                    if (!isnan(x[c]))
                        add(&s[c][k], x[c]);
        }
    printf("  %-6s %16s %16s %16s %16s %16s\n", "args", "native ind.call", "kplug jit",
           "kplug interp", "LuaJIT lua_call", "jit prepared");
    printf("  %-6s %16s %16s %16s %16s %16s\n", "", "med / min", "med / min", "med / min",
           "med / min", "med / min");
    for (int k = 0; k < 7; k++) {
        printf("  %-6d", k);
        for (int c = 0; c < 5; c++) {
            if (s[c][k].n)
                printf(" %7.2f / %6.2f", med(&s[c][k]), mini(&s[c][k]));
            else
                printf(" %16s", "skipped");
        }
        printf("\n");
    }
    printf("  => jit kp_call (each argument's type checked) %.1f ns with 0 args, %.1f ns with 6\n",
           med(&s[1][0]), med(&s[1][6]));
    double worst = 0;
    for (int k = 0; k < 7; k++)
        if (s[4][k].n && med(&s[4][k]) > worst)
            worst = med(&s[4][k]);
    printf("  => jit null upcall, kp_call_prepared: %.2f ns with 0 args, %.2f ns with 6, at most "
           "%.2f ns over 0-6 (target <= 5 ns)\n",
           med(&s[4][0]), med(&s[4][6]), worst);
    printf("  kp_prepare on the JIT: %.1f us for a prototype's first (its stub), %.2f us for "
           "another of the same prototype and thread (median)\n",
           med(&first), med(&again));
    for (int k = 0; k < 7; k++)
        kp_prepared_free(pj[k]);
#ifdef HAVE_LUAJIT
    if (L)
        lua_close(L);
#else
    printf("  LuaJIT: not available (skipped)\n");
#endif
    kp_runtime_destroy(rt[0]);
    kp_runtime_destroy(rt[1]);
}

/* ================================================================== */
/* 3. plugin -> built-in call                                           */
/* ================================================================== */

static int b_nop0(kp_callctx *cx, const kp_value *args, int nargs, kp_value *ret, void *ud)
{
    (void)cx, (void)args, (void)nargs, (void)ret, (void)ud;
    return KP_OK;
}

static int b_nop1(kp_callctx *cx, const kp_value *args, int nargs, kp_value *ret, void *ud)
{
    (void)cx, (void)nargs, (void)ud;
    ret->v.i32 = args[0].v.i32;
    return KP_OK;
}

static const char bcall_src[] =
    "void bnop0(void);\n"
    "int bnop1(int x);\n"
    "int pnop1(int x) { return x; }\n"
    "long loop_empty(int n) { long s = 0; for (int i = 0; i < n; i++) s += i; return s; }\n"
    "long loop_b0(int n) { long s = 0; for (int i = 0; i < n; i++) { bnop0(); s += i; } return s; }\n"
    "long loop_b1(int n) { long s = 0; for (int i = 0; i < n; i++) s += bnop1(i); return s; }\n"
    "long loop_p1(int n) { long s = 0; for (int i = 0; i < n; i++) s += pnop1(i); return s; }\n";

static long native_loop(int n, int with_call)
{
    long s = 0;
    int (*f)(int) = p1;
    if (with_call)
        for (int i = 0; i < n; i++)
            s += f(i) + i;
    else
        for (int i = 0; i < n; i++) {
            __asm__ volatile("" ::"r"(i));
            s += i;
        }
    return s;
}

/* The baseline: the same empty loop as loop_empty, loaded after
 * jit_set_loop_forms(0) (an internal switch, benchmarking only, see
 * src/jit/jit.h), so that it keeps the plain form of a loop that calls
 * out -- a poll per iteration -- where loop_empty, as a plugin gets it,
 * runs as a counted loop without one. "Loop with a call minus loop" then
 * is the call alone. The old baseline stays printed beside it. */
static const char bplain_src[] =
    "long loop_plain(int n) { long s = 0; for (int i = 0; i < n; i++) s += i; return s; }\n";

static void sec_builtin(void)
{
    heading("3. call plugin -> built-in (loop with call minus empty loop), ns per call");
    int runs = quick ? 11 : 41, n = quick ? 100000 : 200000;
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
    enum { L_COUNTED, L_PLAIN, L_B0, L_B1, L_P1, NL };
    const char *loops[NL] = {"loop_empty", "loop_plain", "loop_b0", "loop_b1", "loop_p1"};
    kp_func *f[2][NL];
    kp_runtime *rt[2];
    for (int e = 0; e < 2; e++) {
        rt[e] = mkrt(engs[e]);
        if (kp_builtin_add(rt[e], "void bnop0(void)", b_nop0, NULL) != KP_OK ||
            kp_builtin_add(rt[e], "int bnop1(int x)", b_nop1, NULL) != KP_OK) {
            printf("  kp_builtin_add: %s\n", kp_errmsg());
            return;
        }
        if (kp_plugin_add(rt[e], "bc", bcall_src, sizeof bcall_src - 1) != KP_OK) {
            printf("  kp_plugin_add: %s\n", kp_errmsg());
            return;
        }
        jit_set_loop_forms(0);
        int rc = kp_plugin_add(rt[e], "bcp", bplain_src, sizeof bplain_src - 1);
        jit_set_loop_forms(1);
        if (rc != KP_OK) {
            printf("  kp_plugin_add: %s\n", kp_errmsg());
            return;
        }
        for (int l = 0; l < NL; l++)
            f[e][l] = addfn(rt[e], NULL, NULL, 0, loops[l]);
    }
    /* per engine and loop, ns per iteration; a call's cost is the median
     * (min) of its loop minus the median (min) of the plain empty loop */
    series it[2][NL], nat[2];
    memset(it, 0, sizeof it);
    memset(nat, 0, sizeof nat);
    for (int r = 0; r < runs; r++) {
        for (int w = 0; w < 2; w++) {
            double t0 = cpu_ns();
            long a = native_loop(n, w);
            double t1 = cpu_ns();
            __asm__ volatile("" ::"r"(a));
            add(&nat[w], (t1 - t0) / n);
        }
        for (int e = 0; e < 2; e++) {
            int ne = e ? n / 4 : n;
            for (int l = 0; l < NL; l++) {
                kp_value arg = KP_I32(ne), ret;
                double u0 = cpu_ns();
                int rc = kp_call(f[e][l], &arg, 1, &ret);
                double t = cpu_ns() - u0;
                if (rc != KP_OK) {
                    printf("  %s: %s\n", loops[l], kp_errmsg());
                    return;
                }
                add(&it[e][l], t / ne);
            }
        }
    }
    printf("  %-52s %10s %10s %10s\n", "", "median", "min", "med-old");
    printf("  %-52s %10.2f %10.2f ns\n", "native indirect call int(int), gcc -O2",
           med(&nat[1]) - med(&nat[0]), mini(&nat[1]) - mini(&nat[0]));
    const char *what[NL] = {"empty loop, counted (the old baseline)",
                            "empty loop, plain (the baseline)", "built-in void bnop0(void)",
                            "built-in int bnop1(int)", "plugin fn int pnop1(int) (same plugin)"};
    double d[2][NL];
    for (int e = 0; e < 2; e++)
        for (int l = 0; l < NL; l++) {
            char w[96];
            snprintf(w, sizeof w, "%s: %s", ename(engs[e]), what[l]);
            if (l <= L_PLAIN) {
                d[e][l] = med(&it[e][l]);
                printf("  %-52s %10.2f %10.2f ns\n", w, d[e][l], mini(&it[e][l]));
                continue;
            }
            d[e][l] = med(&it[e][l]) - med(&it[e][L_PLAIN]);
            printf("  %-52s %10.2f %10.2f %10.2f ns\n", w, d[e][l],
                   mini(&it[e][l]) - mini(&it[e][L_PLAIN]),
                   med(&it[e][l]) - med(&it[e][L_COUNTED]));
        }
    printf("  (med-old: minus the old baseline, which the loops with a call do not have the form of)\n");
    printf("  => jit plugin -> built-in %.2f ns void(void), %.2f ns int(int) (target <= 3 ns)\n",
           d[0][L_B0], d[0][L_B1]);
    kp_runtime_destroy(rt[0]);
    kp_runtime_destroy(rt[1]);
}

/* ================================================================== */
/* 4. link / unlink                                                     */
/* ================================================================== */

static void sec_link(void)
{
    heading("4. link / unlink (warm runtime), us");
    static const char one[] = "int one(void) { return 1; }\n";
    int runs = quick ? 300 : 3000;
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
    kp_runtime *rt[2] = {mkrt(engs[0]), mkrt(engs[1])};
    series addp[2] = {{0}}, delp[2] = {{0}}, addb[2] = {{0}}, delb[2] = {{0}}, fe = {0};
    /* kp_builtin_add parses each distinct prototype text once per process
     * (builtins.c): the loop above re-adds one text, so also time a text
     * never seen before */
    series addn[2] = {{0}};
    for (int r = 0; r < runs + runs / 10; r++) {
        int keep = r >= runs / 10;
        for (int e = 0; e < 2; e++) {
            double t0 = now_ns();
            int rc = kp_plugin_add(rt[e], "one", one, sizeof one - 1);
            double t1 = now_ns();
            int rc2 = kp_delete(rt[e], "one");
            double t2 = now_ns();
            int rc3 = kp_builtin_add(rt[e], "void bnop0(void)", b_nop0, NULL);
            double t3 = now_ns();
            int rc4 = kp_delete(rt[e], "bnop0");
            double t4 = now_ns();
            char proto[48], name[24];
            snprintf(name, sizeof name, "bq%d_%d", e, r);
            snprintf(proto, sizeof proto, "void %s(void)", name);
            double t5 = now_ns();
            int rc5 = kp_builtin_add(rt[e], proto, b_nop0, NULL);
            double t6 = now_ns();
            rc5 |= kp_delete(rt[e], name);
            if (rc || rc2 || rc3 || rc4 || rc5) {
                printf("  link/unlink failed: %s\n", kp_errmsg());
                return;
            }
            if (keep) {
                add(&addp[e], t1 - t0);
                add(&delp[e], t2 - t1);
                add(&addb[e], t3 - t2);
                add(&delb[e], t4 - t3);
                add(&addn[e], t6 - t5);
            }
        }
        ir_module *m = NULL;
        fe_result res;
        double t0 = now_ns();
        int frc = fe_compile("one", one, sizeof one - 1, NULL, NULL, NULL, &m, &res);
        double t1 = now_ns();
        if (frc != KP_OK && r == 0)
            printf("  fe_compile(one) failed: %s\n", res.message ? res.message : "?");
        free(res.message);
        ir_module_free(m);
        if (keep)
            add(&fe, t1 - t0);
    }
    printf("  %-52s %10s %10s\n", "", "median", "min");
    for (int e = 0; e < 2; e++) {
        char w[96];
        snprintf(w, sizeof w, "%s: kp_plugin_add one-line plugin", ename(engs[e]));
        row_us(w, &addp[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_delete of it", ename(engs[e]));
        row_us(w, &delp[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_builtin_add (pure link)", ename(engs[e]));
        row_us(w, &addb[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_delete built-in (pure unlink)", ename(engs[e]));
        row_us(w, &delb[e], 1e-3, "us");
        snprintf(w, sizeof w, "%s: kp_builtin_add, prototype text new", ename(engs[e]));
        row_us(w, &addn[e], 1e-3, "us");
    }
    row_us("fe_compile of the one-line plugin", &fe, 1e-3, "us");
    printf("  => jit add %.2f us of which front end %.2f us, so link+codegen %.2f us;"
           " pure link %.2f (%.2f with a new prototype text) / unlink %.2f us"
           " (target <= 1 us each)\n",
           med(&addp[0]) * 1e-3, med(&fe) * 1e-3, (med(&addp[0]) - med(&fe)) * 1e-3,
           med(&addb[0]) * 1e-3, med(&addn[0]) * 1e-3, med(&delb[0]) * 1e-3);
    kp_runtime_destroy(rt[0]);
    kp_runtime_destroy(rt[1]);
}

/* ================================================================== */
/* 5. grayscale throughput                                              */
/* ================================================================== */

/* A deterministic PPM of w x h: examples/images/mkimage.c's gradient and
 * discs, scaled. */
static unsigned char *mkimage(int w, int h, int *len)
{
    char hdr[64];
    int hl = snprintf(hdr, sizeof hdr, "P6\n%d %d\n255\n", w, h);
    unsigned char *img = malloc((size_t)hl + (size_t)w * h * 3);
    if (!img)
        return NULL;
    memcpy(img, hdr, (size_t)hl);
    unsigned char *p = img + hl;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int r = x * 255 / (w - 1), g = y * 255 / (h - 1), b = (x + y) * 255 / (w + h - 2);
            int cx[3] = {w / 4, w * 5 / 8, w * 13 / 16}, cy[3] = {h / 3, h * 7 / 12, h / 4},
                rad[3] = {w / 6, w * 7 / 32, w / 10};
            for (int k = 0; k < 3; k++) {
                int dx = x - cx[k], dy = y - cy[k];
                if (dx * dx + dy * dy < rad[k] * rad[k]) {
                    r = k == 0 ? 230 : 30 + k * 40;
                    g = k == 1 ? 220 : 60;
                    b = k == 2 ? 240 : 90 - k * 20;
                }
            }
            *p++ = (unsigned char)r;
            *p++ = (unsigned char)g;
            *p++ = (unsigned char)(b ^ ((x * 7 + y * 13) & 15));
        }
    *len = hl + w * h * 3;
    return img;
}

#ifdef HAVE_LUAJIT
/* examples/gray.c ported to LuaJIT (FFI pointers to the host's buffers). */
static const char lua_gray[] =
    "local ffi = require('ffi')\n"
    "local bit = require('bit')\n"
    "local rshift = bit.rshift\n"
    "local function is_space(c) return c == 32 or c == 9 or c == 10 or c == 13 end\n"
    "local function read_number(inp, len, pos)\n"
    "  while pos < len and (is_space(inp[pos]) or inp[pos] == 35) do\n"
    "    if inp[pos] == 35 then while pos < len and inp[pos] ~= 10 do pos = pos + 1 end\n"
    "    else pos = pos + 1 end\n"
    "  end\n"
    "  local v, digits = 0, 0\n"
    "  while pos < len and inp[pos] >= 48 and inp[pos] <= 57 and v < 1000000 do\n"
    "    v = v * 10 + (inp[pos] - 48); pos = pos + 1; digits = digits + 1\n"
    "  end\n"
    "  if digits == 0 then return -1, pos end\n"
    "  return v, pos\n"
    "end\n"
    "local function write_number(out, o, v, after)\n"
    "  local s = tostring(v)\n"
    "  for i = 1, #s do out[o] = s:byte(i); o = o + 1 end\n"
    "  out[o] = after\n"
    "  return o + 1\n"
    "end\n"
    "function filter(pin, in_len, pout, out_cap)\n"
    "  local inp = ffi.cast('const uint8_t *', pin)\n"
    "  local out = ffi.cast('uint8_t *', pout)\n"
    "  if in_len < 2 or inp[0] ~= 80 or inp[1] ~= 54 then return -1 end\n"
    "  local pos, o = 2, 0\n"
    "  local width, height, maxval\n"
    "  width, pos = read_number(inp, in_len, pos)\n"
    "  height, pos = read_number(inp, in_len, pos)\n"
    "  maxval, pos = read_number(inp, in_len, pos)\n"
    "  if width <= 0 or height <= 0 or maxval ~= 255 or pos >= in_len then return -1 end\n"
    "  pos = pos + 1\n"
    "  if height > math.floor(math.floor((in_len - pos) / 3) / width) or width * height + 32 > out_cap then return -1 end\n"
    "  out[0] = 80; out[1] = 53; out[2] = 10; o = 3\n"
    "  o = write_number(out, o, width, 32)\n"
    "  o = write_number(out, o, height, 10)\n"
    "  o = write_number(out, o, 255, 10)\n"
    "  local p = pos\n"
    "  for i = 0, width * height - 1 do\n"
    "    out[o + i] = rshift(77 * inp[p] + 150 * inp[p + 1] + 29 * inp[p + 2], 8)\n"
    "    p = p + 3\n"
    "  end\n"
    "  return o + width * height\n"
    "end\n";
#endif

static void sec_gray(void)
{
    heading("5. grayscale examples/gray.c: time per image, ratio to gcc -O2 native");
    static const int dims[4][2] = {{64, 48}, {192, 172}, {300, 300}, {1050, 1050}};
    size_t slen;
    char *src = slurp("examples/gray.c", &slen);
    if (!src) {
        printf("  cannot read examples/gray.c\n");
        return;
    }
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
    kp_runtime *rt[2];
    kp_func *f[2];
    for (int e = 0; e < 2; e++) {
        rt[e] = mkrt(engs[e]);
        f[e] = addfn(rt[e], "gray", src, slen, "filter");
        if (!f[e])
            return;
    }
    int (*tccf)(const unsigned char *, int, unsigned char *, int) = NULL;
#ifdef HAVE_TCC
    TCCState *ts = tcc_build(src);
    if (ts)
        tccf = (int (*)(const unsigned char *, int, unsigned char *, int))tcc_get_symbol(ts, "filter");
#endif
#ifdef HAVE_LUAJIT
    lua_State *L = lua_new(lua_gray);
    int lref = L ? lua_ref(L, "filter") : 0;
#endif
    printf("  %-9s %9s | %-10s | %-16s %-16s %-16s %-16s\n", "image", "bytes", "gcc -O2 us",
           "kplug jit", "kplug interp", "libtcc", "LuaJIT");
    printf("  %-9s %9s | %-10s | %-16s %-16s %-16s %-16s\n", "", "", "median", "x gcc (min)",
           "x gcc (min)", "x gcc (min)", "x gcc (min)");
    const char *cn[5] = {"gcc", "jit", "interp", "tcc", "luajit"};
    for (int d = 0; d < 4; d++) {
        int len = 0;
        unsigned char *img = mkimage(dims[d][0], dims[d][1], &len);
        if (!img)
            break;
        int cap = len / 3 + 64;
        unsigned char *ref = malloc((size_t)cap), *out = malloc((size_t)cap);
        kp_ptr pin[2], pout[2];
        for (int e = 0; e < 2; e++) {
            pin[e] = kp_alloc(rt[e], (size_t)len);
            pout[e] = kp_alloc(rt[e], (size_t)cap);
            memcpy(kp_host_ptr(rt[e], pin[e], (size_t)len), img, (size_t)len);
        }
        int want_n = native_filter(img, len, ref, cap);
        /* calls per sample: about 1 MB of input for native and jit */
        int inner = 1 + (1 << 20) / len;
        int runs = quick ? 9 : 31;
        series s[5];
        memset(s, 0, sizeof s);
        int ok[5] = {1, 1, 1, tccf != NULL, 0};
#ifdef HAVE_LUAJIT
        ok[4] = L != NULL;
#endif
        int avail[5];
        memcpy(avail, ok, sizeof avail);
        for (int r = 0; r < runs + 1; r++)
            for (int c = 0; c < 5; c++) {
                if (!ok[c])
                    continue;
                int reps = c == 2 ? (inner + 9) / 10 : inner, got = 0;
                double t0 = cpu_ns();
                for (int i = 0; i < reps; i++) {
                    if (c == 0) {
                        got = native_filter(img, len, out, cap);
                    } else if (c <= 2) {
                        int e = c - 1;
                        kp_value a[4] = {KP_PTR(pin[e]), KP_I32(len), KP_PTR(pout[e]), KP_I32(cap)}, ret;
                        if (kp_call(f[e], a, 4, &ret) != KP_OK) {
                            printf("  %s: %s\n", cn[c], kp_errmsg());
                            ok[c] = 0;
                            break;
                        }
                        got = ret.v.i32;
                    } else if (c == 3) {
                        got = tccf(img, len, out, cap);
                    } else {
#ifdef HAVE_LUAJIT
                        lua_rawgeti(L, LUA_REGISTRYINDEX, lref);
                        lua_pushlightuserdata(L, img);
                        lua_pushinteger(L, len);
                        lua_pushlightuserdata(L, out);
                        lua_pushinteger(L, cap);
                        lua_call(L, 4, 1);
                        got = (int)lua_tointeger(L, -1);
                        lua_pop(L, 1);
#endif
                    }
                }
                double t = (cpu_ns() - t0) / reps;
                if (r == 0) { /* the first round checks the output */
                    const unsigned char *o = c == 1 || c == 2
                        ? kp_host_ptr(rt[c - 1], pout[c - 1], (size_t)cap) : out;
                    if (got != want_n || memcmp(o, ref, (size_t)want_n) != 0) {
                        bug("%s%s: grayscale output differs from gcc (%ld vs %ld bytes)",
                            cn[c], "", got, want_n);
                        ok[c] = 0;
                    }
                    memset(out, 0, (size_t)cap);
                } else {
                    add(&s[c], t);
                }
            }
        char sz[16];
        snprintf(sz, sizeof sz, "%dx%d", dims[d][0], dims[d][1]);
        double g = med(&s[0]), gmin = mini(&s[0]);
        printf("  %-9s %9d | %10.1f |", sz, len, g * 1e-3);
        for (int c = 1; c < 5; c++) {
            if (s[c].n)
                printf(" %6.2fx (%5.2fx)", med(&s[c]) / g, mini(&s[c]) / gmin);
            else
                printf(" %16s", avail[c] ? "failed" : "skipped");
        }
        printf("\n");
        if (d == 3)
            printf("  => jit %.2fx gcc -O2 on 3.3 MB (target <= 1.25x; %.0f MB/s vs gcc %.0f MB/s)\n",
                   med(&s[1]) / g, len / med(&s[1]) * 1e3, len / g * 1e3);
        for (int e = 0; e < 2; e++) {
            kp_free(rt[e], pin[e]);
            kp_free(rt[e], pout[e]);
        }
        free(img);
        free(ref);
        free(out);
    }
#ifdef HAVE_TCC
    if (ts)
        tcc_delete(ts);
#else
    printf("  libtcc: not available (skipped)\n");
#endif
#ifdef HAVE_LUAJIT
    if (L)
        lua_close(L);
#else
    printf("  LuaJIT: not available (skipped)\n");
#endif
    kp_runtime_destroy(rt[0]);
    kp_runtime_destroy(rt[1]);
    free(src);
}

/* ================================================================== */
/* 6. the kernel suite (and 7. polling on vs off)                       */
/* ================================================================== */

#ifdef HAVE_LUAJIT
/* Lua ports of two kernels, same workloads and checksums as the C files. */
static const char lua_kernels[] =
    "local ffi = require('ffi')\n"
    "local bit = require('bit')\n"
    "local band, bxor, rshift, lshift, bor = bit.band, bit.bxor, bit.rshift, bit.lshift, bit.bor\n"
    "local LEN = 256 * 1024\n"
    "local abuf = ffi.new('uint8_t[?]', LEN)\n"
    "function adler32(n)\n"
    "  for i = 0, LEN - 1 do abuf[i] = band(i * 131 + rshift(i, 7), 255) end\n"
    "  local acc = 0\n"
    "  for r = 0, n - 1 do\n"
    "    local a, b = 1 + r, 0\n"
    "    local i = 0\n"
    "    while i < LEN do\n"
    "      local e = i + 5552; if e > LEN then e = LEN end\n"
    "      for j = i, e - 1 do a = a + abuf[j]; b = b + a end\n"
    "      i = e\n"
    "      a = a % 65521; b = b % 65521\n"
    "    end\n"
    "    acc = bxor(acc, b * 65536 + a + r)\n"
    "  end\n"
    "  if acc < 0 then acc = acc + 4294967296 end\n"
    "  return acc\n"
    "end\n"
    "local cbuf = ffi.new('uint8_t[?]', LEN)\n"
    "local table = ffi.new('uint32_t[256]')\n"
    "function crc32(n)\n"
    "  for i = 0, 255 do\n"
    "    local c = i\n"
    "    for k = 1, 8 do\n"
    "      if band(c, 1) ~= 0 then c = bxor(0xEDB88320, rshift(c, 1)) else c = rshift(c, 1) end\n"
    "    end\n"
    "    table[i] = c\n"
    "  end\n"
    "  for i = 0, LEN - 1 do cbuf[i] = band(i * 31 + rshift(i, 9), 255) end\n"
    "  local crc = 0\n"
    "  for r = 0, n - 1 do\n"
    "    local c = bxor(0xFFFFFFFF, r)\n"
    "    for i = 0, LEN - 1 do\n"
    "      c = bxor(table[band(bxor(c, cbuf[i]), 255)], rshift(c, 8))\n"
    "    end\n"
    "    crc = bxor(crc, bxor(c, 0xFFFFFFFF))\n"
    "  end\n"
    "  if crc < 0 then crc = crc + 4294967296 end\n"
    "  return crc\n"
    "end\n";
#endif

static double geo_add(double *acc, int *cnt, double ratio)
{
    if (ratio > 0 && !isnan(ratio)) {
        *acc += log(ratio);
        (*cnt)++;
    }
    return ratio;
}

static void sec_kernels(void)
{
    heading("6. kernel suite bench/kernels/*.c: long bench(int n), time per call");
    double target = quick ? 0.3e6 : 1e6; /* ns of native time per sample */
    int runs = quick ? 5 : 31;
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
#ifdef HAVE_LUAJIT
    lua_State *L = lua_new(lua_kernels);
#endif
    printf("  %-11s %6s %10s | %-15s %-15s %-15s | %8s %8s | %s\n", "kernel", "n", "gcc -O2 us",
           "jit x gcc", "interp x gcc", "tcc x gcc", "jit/tcc", "LuaJIT", "checksum");
    printf("  %-11s %6s %10s | %-15s %-15s %-15s | %8s %8s |\n", "", "", "median", "med (min)",
           "med (min)", "med (min)", "med", "x gcc");
    double g[4] = {0};
    int gn[4] = {0};
    for (int k = 0; k < NKERNELS; k++) {
        const char *name = kernels[k].name;
        if (only_kernel && strcmp(only_kernel, name))
            continue;
        char path[256];
        snprintf(path, sizeof path, "bench/kernels/%s.c", name);
        size_t len;
        char *src = slurp(path, &len);
        if (!src) {
            printf("  %-11s cannot read %s\n", name, path);
            continue;
        }
        /* calibrate n on gcc */
        int n = 1;
        for (;;) {
            double t0 = cpu_ns();
            long v = kernels[k].native(n);
            double t = cpu_ns() - t0;
            __asm__ volatile("" ::"r"(v));
            if (t >= target || n >= 1 << 20)
                break;
            n = t < target / 16 ? n * 8 : n * 2;
        }
        long want_v = kernels[k].native(n);
        kp_runtime *rt[2] = {NULL, NULL};
        kp_func *f[2] = {NULL, NULL};
        for (int e = 0; e < 2; e++) {
            rt[e] = mkrt(engs[e]);
            f[e] = addfn(rt[e], name, src, len, "bench");
            if (!f[e]) {
                printf("  %s %s: %s\n", name, ename(engs[e]), kp_errmsg());
                nbugs++;
            }
        }
        long (*tf)(int) = NULL;
#ifdef HAVE_TCC
        TCCState *ts = tcc_build(src);
        if (ts)
            tf = (long (*)(int))tcc_get_symbol(ts, "bench");
        if (!tf) {
            printf("  %s: libtcc failed\n", name);
        }
#endif
        int lua_ok = 0, lref = 0;
        (void)lref;
#ifdef HAVE_LUAJIT
        if (L) {
            lua_getglobal(L, name);
            lua_ok = lua_isfunction(L, -1);
            lua_pop(L, 1);
            if (lua_ok)
                lref = lua_ref(L, name);
        }
#endif
        int ok[5] = {1, f[0] != NULL, f[1] != NULL, tf != NULL, lua_ok};
        const char *cn[5] = {"gcc", "jit", "interp", "tcc", "luajit"};
        series s[5];
        memset(s, 0, sizeof s);
        char sums[5][24] = {"", "", "", "", ""};
        int agree = 1;
        for (int r = 0; r < runs + 1; r++)
            for (int c = 0; c < 5; c++) {
                if (!ok[c])
                    continue;
                long v = 0;
                double t0 = cpu_ns();
                if (c == 0) {
                    v = kernels[k].native(n);
                } else if (c <= 2) {
                    kp_value a = KP_I32(n), ret;
                    int rc = kp_call(f[c - 1], &a, 1, &ret);
                    if (rc != KP_OK) {
                        printf("  %s %s: %s\n", name, cn[c], kp_errmsg());
                        nbugs++;
                        ok[c] = 0;
                        continue;
                    }
                    v = ret.v.i64;
                } else if (c == 3) {
                    v = tf(n);
                } else {
#ifdef HAVE_LUAJIT
                    lua_rawgeti(L, LUA_REGISTRYINDEX, lref);
                    lua_pushinteger(L, n);
                    lua_call(L, 1, 1);
                    v = (long)lua_tonumber(L, -1);
                    lua_pop(L, 1);
#endif
                }
                double t = cpu_ns() - t0;
                if (r == 0) {
                    snprintf(sums[c], sizeof sums[c], "%ld", v);
                    if (v != want_v) {
                        char msg[160];
                        snprintf(msg, sizeof msg, "%s: %s checksum %ld, gcc -O2 %ld", name, cn[c],
                                 v, want_v);
                        printf("  BUG: %s\n", msg);
                        nbugs++;
                        agree = 0;
                        ok[c] = 0;
                    }
                } else {
                    add(&s[c], t);
                }
                /* the interpreter is slow: fewer samples once it is clear */
                if (c == 2 && r >= 3 && s[2].n && med(&s[2]) > 50 * target)
                    ok[c] = r + 1 < 5;
            }
        double gm = med(&s[0]), gmin = mini(&s[0]);
        printf("  %-11s %6d %10.1f |", name, n, gm * 1e-3);
        for (int c = 1; c <= 3; c++) {
            if (s[c].n) {
                printf(" %6.2f (%5.2f)", geo_add(&g[c - 1], &gn[c - 1], med(&s[c]) / gm),
                       mini(&s[c]) / gmin);
            } else {
                printf(" %15s", c == 3 && !tf ? "skipped" : "-");
            }
        }
        if (s[1].n && s[3].n)
            printf(" | %8.2f", geo_add(&g[3], &gn[3], med(&s[1]) / med(&s[3])));
        else
            printf(" | %8s", "-");
        if (s[4].n)
            printf(" %8.2f", med(&s[4]) / gm);
        else
            printf(" %8s", "-");
        printf(" | %s\n", agree ? sums[0] : "MISMATCH");
#ifdef HAVE_TCC
        if (ts)
            tcc_delete(ts);
#endif
        kp_runtime_destroy(rt[0]);
        kp_runtime_destroy(rt[1]);
        free(src);
    }
    printf("  %-11s %6s %10s |", "geomean", "", "");
    for (int c = 0; c < 3; c++)
        if (gn[c])
            printf(" %6.2f %8s", exp(g[c] / gn[c]), "");
        else
            printf(" %15s", "-");
    if (gn[3])
        printf(" | %8.2f\n", exp(g[3] / gn[3]));
    else
        printf(" | %8s\n", "-");
#ifdef HAVE_LUAJIT
    if (L)
        lua_close(L);
#else
    printf("  LuaJIT: not available (skipped)\n");
#endif
#ifndef HAVE_TCC
    printf("  libtcc: not available (skipped)\n");
#endif
}

/* Section 7 measures the polls for real: every kernel (and the grayscale
 * plugin) is loaded twice per engine, once normally and once after
 * jit_set_polling(0) / interp_set_polling(0) -- internal switches that
 * exist only for this (src/jit/jit.h, src/interp/interp.h; hosts must never
 * use them: modules loaded meanwhile ignore deadlines, interrupts and fuel).
 * The four variants run interleaved, one sample each in turn; overhead =
 * median(on) / median(off) - 1. */
static kp_func *load_poll(kp_runtime **rt, kp_engine e, int polling, const char *name,
                          const char *src, size_t len, const char *fn)
{
    *rt = mkrt(e);
    jit_set_polling(polling);
    interp_set_polling(polling);
    kp_func *f = addfn(*rt, name, src, len, fn);
    jit_set_polling(1);
    interp_set_polling(1);
    return f;
}

/* Does the switch work? With a fuel budget the polling variant must trap
 * KP_TRAP_FUEL and the other must not. */
static void poll_sanity(kp_func *on, kp_func *off, const char *what, int n)
{
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.fuel = 3;
    kp_value a = KP_I32(n), ret;
    int r1 = kp_call_ex(on, &a, 1, &ret, &o), r2 = kp_call_ex(off, &a, 1, &ret, &o);
    if (r1 != KP_TRAP_FUEL || r2 != KP_OK) {
        printf("  BUG: %s: fuel 3 gives %d with polls, %d without\n", what, r1, r2);
        nbugs++;
    }
}

static void sec_poll(void)
{
    heading("7. interrupt checks: polls (function entries, loop back-edges) on vs off");
    printf("  same code loaded with polls and without (internal switches jit_set_polling /\n"
           "  interp_set_polling, benchmarking only); overhead = med(on) / med(off) - 1\n");
    double target = quick ? 0.3e6 : 1e6;
    int runs = quick ? 9 : 31;
    kp_engine engs[2] = {KP_ENGINE_JIT, KP_ENGINE_INTERP};
    printf("  %-11s %6s | %-21s %8s | %-21s %8s\n", "kernel", "n", "jit us on / off",
           "jit", "interp us on / off", "interp");
    printf("  %-11s %6s | %-21s %8s | %-21s %8s\n", "", "", "median", "overhead", "median",
           "overhead");
    double g[2] = {0};
    int gn[2] = {0};
    for (int k = 0; k <= NKERNELS; k++) {
        /* k == NKERNELS: examples/gray.c on the 3.3 MB image */
        int gray = k == NKERNELS;
        const char *name = gray ? "gray 3.3MB" : kernels[k].name;
        if (only_kernel && strcmp(only_kernel, name))
            continue;
        char path[256];
        snprintf(path, sizeof path, gray ? "examples/gray.c" : "bench/kernels/%s.c", name);
        size_t len;
        char *src = slurp(path, &len);
        if (!src) {
            printf("  %-11s cannot read %s\n", name, path);
            continue;
        }
        int n = 1, ilen = 0, cap = 0;
        unsigned char *img = NULL;
        if (gray) {
            img = mkimage(1050, 1050, &ilen);
            cap = ilen / 3 + 64;
            if (!img) {
                free(src);
                continue;
            }
        } else {
            for (;;) {
                double t0 = cpu_ns();
                long v = kernels[k].native(n);
                double t = cpu_ns() - t0;
                __asm__ volatile("" ::"r"(v));
                if (t >= target || n >= 1 << 20)
                    break;
                n = t < target / 16 ? n * 8 : n * 2;
            }
        }
        /* variant v: engine v / 2, polling !(v % 2) */
        kp_runtime *rt[4] = {NULL};
        kp_func *f[4] = {NULL};
        kp_ptr pin[4] = {0}, pout[4] = {0};
        int ok[4];
        for (int v = 0; v < 4; v++) {
            f[v] = load_poll(&rt[v], engs[v / 2], !(v % 2), gray ? "gray" : name, src, len,
                             gray ? "filter" : "bench");
            ok[v] = f[v] != NULL;
            if (!ok[v]) {
                nbugs++;
                continue;
            }
            if (gray) {
                pin[v] = kp_alloc(rt[v], (size_t)ilen);
                pout[v] = kp_alloc(rt[v], (size_t)cap);
                memcpy(kp_host_ptr(rt[v], pin[v], (size_t)ilen), img, (size_t)ilen);
            }
        }
        if (!gray && ok[0] && ok[1])
            poll_sanity(f[0], f[1], name, n);
        series s[4];
        memset(s, 0, sizeof s);
        long sum[4] = {0};
        for (int r = 0; r < runs + 1; r++)
            for (int v = 0; v < 4; v++) {
                if (!ok[v])
                    continue;
                kp_value a[4] = {KP_I32(n)}, ret;
                int na = 1;
                if (gray) {
                    a[0] = KP_PTR(pin[v]);
                    a[1] = KP_I32(ilen);
                    a[2] = KP_PTR(pout[v]);
                    a[3] = KP_I32(cap);
                    na = 4;
                }
                double t0 = cpu_ns();
                int rc = kp_call(f[v], a, na, &ret);
                double t = cpu_ns() - t0;
                if (rc != KP_OK) {
                    printf("  %s %s: %s\n", name, ename(engs[v / 2]), kp_errmsg());
                    nbugs++;
                    ok[v] = 0;
                    continue;
                }
                if (r == 0) {
                    sum[v] = gray ? ret.v.i32 : ret.v.i64;
                    if (gray && ret.v.i32 > 0)
                        sum[v] += *(unsigned char *)kp_host_ptr(rt[v], pout[v] + ret.v.i32 / 2, 1);
                } else {
                    add(&s[v], t);
                }
                /* the interpreter is slow: fewer samples once it is clear */
                if (v >= 2 && r >= 5 && s[v].n && med(&s[v]) > 100 * target)
                    ok[v] = r + 1 < 7;
            }
        for (int v = 1; v < 4; v++)
            if (s[v].n && s[0].n && sum[v] != sum[0]) {
                printf("  BUG: %s: variant %d result %ld, expected %ld\n", name, v, sum[v],
                       sum[0]);
                nbugs++;
            }
        printf("  %-11s %6d |", name, n);
        for (int e = 0; e < 2; e++) {
            series *on = &s[2 * e], *off = &s[2 * e + 1];
            if (on->n && off->n) {
                double ratio = med(on) / med(off);
                printf(" %9.1f / %9.1f %+7.1f%% |", med(on) * 1e-3, med(off) * 1e-3,
                       100 * (ratio - 1));
                geo_add(&g[e], &gn[e], ratio);
            } else {
                printf(" %21s %8s |", "-", "-");
            }
        }
        printf("\n");
        for (int v = 0; v < 4; v++) {
            if (gray && f[v]) {
                kp_free(rt[v], pin[v]);
                kp_free(rt[v], pout[v]);
            }
            if (rt[v])
                kp_runtime_destroy(rt[v]);
        }
        free(img);
        free(src);
    }
    printf("  %-11s %6s |", "geomean", "");
    for (int e = 0; e < 2; e++)
        if (gn[e])
            printf(" %21s %+7.1f%% |", "", 100 * (exp(g[e] / gn[e]) - 1));
        else
            printf(" %21s %8s |", "", "-");
    printf("\n");
    if (gn[0])
        printf("  => polls cost the jit %+.1f%% (geomean of %d), the interpreter %+.1f%%"
               " (target <= 5%%)\n",
               100 * (exp(g[0] / gn[0]) - 1), gn[0], gn[1] ? 100 * (exp(g[1] / gn[1]) - 1) : 0.0);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-q"))
            quick = 1;
        else if (!strcmp(argv[i], "-w"))
            use_wall = 1;
        else if (!strcmp(argv[i], "-m"))
            dyn_mmap = 1;
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            sections = argv[++i];
        else if (!strcmp(argv[i], "-k") && i + 1 < argc)
            only_kernel = argv[++i];
        else {
            fprintf(stderr, "usage: %s [-q] [-w] [-m] [-s 1234567] [-k KERNEL]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef __GLIBC__
    if (!dyn_mmap)
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    printf("kplug %s bench%s; anchors: gcc -O2 native (linked in)", kp_version_string(),
           quick ? " (QUICK)" : "");
#ifdef HAVE_TCC
    printf(", libtcc");
#endif
#ifdef HAVE_LUAJIT
    printf(", LuaJIT");
#endif
    printf("\nevery figure: median (and min) of interleaved runs; clock: %s\n",
           use_wall ? "wall (CLOCK_MONOTONIC) everywhere"
                    : "wall for sections 1 and 4, thread CPU time for 2, 3, 5, 6, 7");
    printf("malloc: mmap threshold %s\n",
           dyn_mmap ? "glibc's dynamic one (-m)" : "fixed at 32 MiB (-m: glibc's dynamic one)");
    if (want('1'))
        sec_compile();
    if (want('2'))
        sec_upcall();
    if (want('3'))
        sec_builtin();
    if (want('4'))
        sec_link();
    if (want('5'))
        sec_gray();
    if (want('6'))
        sec_kernels();
    if (want('7'))
        sec_poll();
    printf("\n%d bug(s) found (checksum/output mismatches, failed compiles or calls)\n", nbugs);
    return 0;
}

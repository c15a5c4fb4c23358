/* test_builtin_layout.c — the JIT lays out an import's call for what the
 * name is linked to when the plugin is compiled: a built-in's call in line
 * (its arguments written from where the allocator keeps them, the plugin
 * path out of line), otherwise the plugin call in line (the built-in's
 * call in a stub). Each layout must serve the other kind of callee after a
 * relink, with the same arguments and results; and a built-in that runs a
 * nested call changes the caller's fuel, which the JIT keeps in a register
 * across the call. Every result is checked against the same C compiled
 * here, on both engines, and the fuel runs against each other. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

/* ---- the plugin's code, also compiled here as the truth ---- */
#define SIG8_BODY                                                                         \
    return (long)a * 3 + b * 5 + (long)(c * 8) + (long)(d * 16) + (long)e * 7 + f * 11 + \
           (long)(g * 32) + (long)(h * 64);

#define PLUGIN_CODE                                                                        \
    long t_regs(int x) {                                                                   \
        long r = 0;                                                                        \
        for (int i = 0; i < 4; i++) {                                                      \
            int a = x * i - 3;                                                             \
            long b = (long)x * 34359738368L + i;                                           \
            float c = (float)i / 4;                                                        \
            double d = x * 0.25 + i;                                                       \
            r = r * 31 + sig8(a, b, c, d, -x - i, b - 1, c * 2, d / 2);                    \
        }                                                                                  \
        return r;                                                                          \
    }                                                                                      \
    long t_consts(void) {                                                                  \
        return sig8(-7, -(1L << 40), 1.5f, -2.25, 2147483647, 4294967296L, -0.5f, 3.0);    \
    }                                                                                      \
    long t_spill(int x) {                                                                  \
        long v0 = x + 1, v1 = x * 3, v2 = x - 5, v3 = x * x, v4 = x + 9, v5 = x * 7;       \
        long v6 = x - 11, v7 = x * 13, v8 = x + 17, v9 = x * 19, v10 = x - 23, v11 = x * 29; \
        double d0 = x * 0.5, d1 = x * 1.5, d2 = x * 2.5, d3 = x * 3.5, d4 = x * 4.5;       \
        double d5 = x * 5.5, d6 = x * 6.5, d7 = x * 7.5, d8 = x * 8.5, d9 = x * 9.5;       \
        double d10 = x * 10.5, d11 = x * 11.5, d12 = x * 12.5, d13 = x * 13.5;             \
        double d14 = x * 14.5, d15 = x * 15.5, d16 = x * 16.5, d17 = x * 17.5;             \
        long r = sig8((int)v0, v10, (float)d14, d17, (int)v2, v11, (float)d0, d16);        \
        return r + v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11 +           \
               (long)(d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8 + d9 + d10 + d11 + d12 +  \
                      d13 + d14 + d15 + d16 + d17);                                        \
    }                                                                                      \
    long t_ptr(int x) {                                                                    \
        long (*fp)(int, long, float, double, int, long, float, double) = sig8;             \
        return fp(-x, (long)x * 1099511627776L, 0.75f, x * 0.5, x, -1L, -8.0f, 0.125);     \
    }                                                                                      \
    int leaf(int x) {                                                                      \
        int t = 0;                                                                         \
        for (int k = 0; k < x % 5; k++)                                                    \
            t += k;                                                                        \
        return t;                                                                          \
    }                                                                                      \
    int t_loop(int n) {                                                                    \
        int s = 0;                                                                         \
        for (int i = 0; i < n; i++)                                                        \
            s += nest(i);                                                                  \
        return s;                                                                          \
    }

#define STR_(...) #__VA_ARGS__
#define STR(...) STR_(__VA_ARGS__)

static long sig8(int a, long b, float c, double d, int e, long f, float g, double h) { SIG8_BODY }
static int nest(int x);
PLUGIN_CODE
static int nest(int x) { return leaf(x) + 1; }

static const char psrc[] =
    "long sig8(int a, long b, float c, double d, int e, long f, float g, double h);\n"
    "int nest(int x);\n" STR(PLUGIN_CODE) "\n"
    "int g0(void);\n"
    "int g1(int n);\n"
    "int t_g0(void) { return g0(); }\n"
    "int t_g1(int n) { return g1(n); }\n";
static const char qsrc[] =
    "long sig8(int a, long b, float c, double d, int e, long f, float g, double h) {"
    STR(SIG8_BODY) "}\n";

/* ---- the host's side ---- */
static int host_calls, nest_calls;

static int bi_sig8(kp_callctx *cx, const kp_value *v, int n, kp_value *ret, void *ud)
{
    static const kp_type want[8] = {KP_T_I32, KP_T_I64, KP_T_F32, KP_T_F64,
                                    KP_T_I32, KP_T_I64, KP_T_F32, KP_T_F64};
    (void)ud;
    if (n != 8 || ret->type != KP_T_I64 || ret->v.i64 != 0)
        return kp_fail(cx, "sig8: n %d, result preset {%d, %lld}", n, ret->type,
                       (long long)ret->v.i64);
    for (int i = 0; i < 8; i++) {
        if (v[i].type != want[i])
            return kp_fail(cx, "sig8: argument %d has type %d", i, v[i].type);
        /* 32-bit values (int and float) arrive zero-extended */
        if ((want[i] == KP_T_I32 || want[i] == KP_T_F32) && (uint64_t)v[i].v.i64 >> 32)
            return kp_fail(cx, "sig8: argument %d not zero-extended: %llx", i,
                           (unsigned long long)v[i].v.i64);
    }
    host_calls++;
    ret->v.i64 = sig8(v[0].v.i32, v[1].v.i64, v[2].v.f32, v[3].v.f64, v[4].v.i32, v[5].v.i64,
                      v[6].v.f32, v[7].v.f64);
    return KP_OK;
}

/* int nest(int x): leaf(x) + 1 through a nested call, which draws on the
 * calling plugin's fuel */
static int bi_nest(kp_callctx *cx, const kp_value *v, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ud;
    kp_func *f;
    kp_value r;
    nest_calls++;
    int rc = kp_lookup(kp_callctx_runtime(cx), "leaf", &f);
    if (rc == KP_OK)
        rc = kp_call(f, v, 1, &r);
    if (rc != KP_OK)
        return rc;
    ret->v.i32 = r.v.i32 + 1;
    return KP_OK;
}

static int bi_g(kp_callctx *cx, const kp_value *v, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)ud;
    ret->v.i32 = n ? v[0].v.i32 + 100 : 100;
    return KP_OK;
}

/* The prototype check compares the signature's bytes four at a time
 * (emit.c, check_sig): a difference in any of them must trap, wherever
 * it is. */
static const char *const bad_protos[][2] = {
    {"sig8", "long sig8(int a, long b, float c, double d, int e, long f, float g, float h)"},
    {"sig8", "long sig8(int a, long b, float c, double d, int e, long f, float g)"},
    {"sig8", "int sig8(int a, long b, float c, double d, int e, long f, float g, double h)"},
    {"sig8", "long sig8(long a, long b, float c, double d, int e, long f, float g, double h)"},
    {"sig8", "long sig8(int a, long b, float c, double d, int e, long f, float g, double h, ...)"},
    {"g0", "void g0(void)"},
    {"g0", "long g0(void)"},
    {"g0", "int g0(int x)"},
    {"g1", "int g1(int n, ...)"},
    {"g1", "int g1(long n)"},
    {"g1", "int g1(void)"},
};

static int run(kp_runtime *rt, const char *fn, int x, int nargs, int64_t *out)
{
    kp_func *f;
    kp_value a = KP_I32(x), r;
    if (kp_lookup(rt, fn, &f) != KP_OK)
        return -1;
    int rc = kp_call(f, &a, nargs, &r);
    if (rc == KP_OK)
        *out = r.type == KP_T_I64 ? r.v.i64 : r.v.i32;
    return rc;
}

/* Every sig8 caller gives what the C gives; `calls`: how many of them
 * reached the host's sig8 (the name is a built-in), or none. */
static int all_agree(kp_runtime *rt, int builtin)
{
    int64_t v;
    int before = host_calls, good = 1;
    for (int x = -3; x <= 5; x += 4) {
        good &= run(rt, "t_regs", x, 1, &v) == KP_OK && v == t_regs(x);
        good &= run(rt, "t_spill", x, 1, &v) == KP_OK && v == t_spill(x);
        good &= run(rt, "t_ptr", x, 1, &v) == KP_OK && v == t_ptr(x);
    }
    good &= run(rt, "t_consts", 0, 0, &v) == KP_OK && v == t_consts();
    return good && host_calls - before == (builtin ? 3 * (4 + 1 + 1) + 1 : 0);
}

#define NFUEL 24
static struct fuelrun {
    int rc, calls;
    int64_t v;
    uint64_t left;
    char msg[160];
} fuel_runs[2][NFUEL];

static void suite(kp_engine e, int ei)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    kp_runtime *rt, *rt2;
    CHECK("create", kp_runtime_create(&cfg, &rt) == KP_OK &&
                        kp_runtime_create(&cfg, &rt2) == KP_OK);

    /* compiled with sig8 a built-in: its call in line */
    CHECK("built-ins, then the plugin",
          kp_builtin_add(rt, "long sig8(int a, long b, float c, double d, int e, long f, "
                             "float g, double h)", bi_sig8, NULL) == KP_OK &&
              kp_builtin_add(rt, "int nest(int x)", bi_nest, NULL) == KP_OK &&
              (kp_plugin_add(rt, "p", psrc, sizeof psrc - 1) == KP_OK ||
               (printf("# %s\n", kp_errmsg()), 0)));
    CHECK("arguments from registers, spill slots and constants", all_agree(rt, 1));
    CHECK("relinked to a plugin function", kp_delete(rt, "sig8") == KP_OK &&
                                               kp_plugin_add(rt, "q", qsrc, sizeof qsrc - 1) ==
                                                   KP_OK);
    CHECK("the built-in layout calls the plugin", all_agree(rt, 0));
    CHECK("relinked to the built-in", kp_delete(rt, "q") == KP_OK &&
                                          kp_builtin_add(rt, "long sig8(int a, long b, float c, "
                                                             "double d, int e, long f, float g, "
                                                             "double h)", bi_sig8, NULL) == KP_OK);
    CHECK("... and the built-in again", all_agree(rt, 1));
    int64_t v = 0;
    CHECK("0 and 1 parameters", kp_builtin_add(rt, "int g0(void)", bi_g, NULL) == KP_OK &&
                                    kp_builtin_add(rt, "int g1(int n)", bi_g, NULL) == KP_OK &&
                                    run(rt, "t_g0", 0, 0, &v) == KP_OK && v == 100 &&
                                    run(rt, "t_g1", 7, 1, &v) == KP_OK && v == 107);
    int traps = 1;
    for (size_t i = 0; i < sizeof bad_protos / sizeof *bad_protos; i++) {
        const char *name = bad_protos[i][0];
        const char *t = !strcmp(name, "sig8") ? "t_consts" : !strcmp(name, "g0") ? "t_g0" : "t_g1";
        int rc = kp_delete(rt, name) == KP_OK &&
                 kp_builtin_add(rt, bad_protos[i][1], !strcmp(name, "sig8") ? bi_sig8 : bi_g,
                                NULL) == KP_OK;
        traps &= rc && run(rt, t, 1, !strcmp(name, "g1"), &v) == KP_TRAP_BAD_CALL &&
                 strstr(kp_errmsg(), "prototype mismatch");
        if (!traps)
            printf("# %s\n", bad_protos[i][1]);
    }
    CHECK("any other prototype traps", traps);

    /* compiled with sig8 a plugin function: the plugin call in line */
    CHECK("plugin sig8, then the caller",
          kp_builtin_add(rt2, "int nest(int x)", bi_nest, NULL) == KP_OK &&
              kp_plugin_add(rt2, "q", qsrc, sizeof qsrc - 1) == KP_OK &&
              kp_plugin_add(rt2, "p", psrc, sizeof psrc - 1) == KP_OK);
    CHECK("the plugin layout calls the plugin", all_agree(rt2, 0));
    CHECK("relinked to a built-in", kp_delete(rt2, "q") == KP_OK &&
                                        kp_builtin_add(rt2, "long sig8(int a, long b, float c, "
                                                            "double d, int e, long f, float g, "
                                                            "double h)", bi_sig8, NULL) == KP_OK);
    CHECK("the plugin layout calls the built-in", all_agree(rt2, 1));

    /* nested calls from a built-in draw on the loop's fuel: the JIT keeps
     * the countdown in a register across the call and must see it */
    int good = 1;
    for (int k = 0; k < NFUEL; k++) {
        struct fuelrun *fr = &fuel_runs[ei][k];
        kp_func *f;
        kp_value a = KP_I32(12), r;
        kp_call_opts o;
        memset(&o, 0, sizeof o);
        o.fuel = 1 + (uint64_t)k * 3;
        o.fuel_left = &fr->left;
        nest_calls = 0;
        good &= kp_lookup(k & 1 ? rt2 : rt, "t_loop", &f) == KP_OK;
        fr->rc = kp_call_ex(f, &a, 1, &r, &o);
        fr->calls = nest_calls;
        fr->v = fr->rc == KP_OK ? r.v.i32 : 0;
        snprintf(fr->msg, sizeof fr->msg, "%s", fr->rc == KP_OK ? "" : kp_errmsg());
        if (fr->rc == KP_OK)
            good &= fr->v == t_loop(12);
    }
    CHECK("fuel runs with nested calls", good && fuel_runs[ei][0].rc != KP_OK &&
                                             fuel_runs[ei][NFUEL - 1].rc == KP_OK);
    kp_runtime_destroy(rt);
    kp_runtime_destroy(rt2);
}

int main(void)
{
    check_prefix = "interp: ";
    suite(KP_ENGINE_INTERP, 0);
#if defined(__x86_64__) && defined(__linux__)
    check_prefix = "jit: ";
    suite(KP_ENGINE_JIT, 1);
    int same = 1;
    for (int k = 0; k < NFUEL; k++) {
        const struct fuelrun *a = &fuel_runs[0][k], *b = &fuel_runs[1][k];
        if (a->rc != b->rc || a->calls != b->calls || a->v != b->v || a->left != b->left ||
            strcmp(a->msg, b->msg)) {
            printf("# fuel %d: interp rc %d calls %d left %llu '%s'; jit rc %d calls %d "
                   "left %llu '%s'\n", 1 + k * 3, a->rc, a->calls, (unsigned long long)a->left,
                   a->msg, b->rc, b->calls, (unsigned long long)b->left, b->msg);
            same = 0;
        }
    }
    check_prefix = "";
    CHECK("fuel: both engines stop at the same point", same);
#endif
    printf("%d checks, %d failed\n", check_count, check_failed);
    return CHECK_DONE();
}

/* test_builtin_calls.c — plugins calling host built-ins, on both engines:
 * the JIT calls a built-in with a fixed prototype of up to 8 arguments
 * from generated code directly, and everything else through the runtime's
 * C path (kp_rt_call_builtin), which the interpreter always uses. Both must
 * give the host the same kp_value arguments (types, zero-extended 32-bit
 * values), take the same results and report the same traps. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

static int n_calls;

/* long mix8(int a, long b, float c, double d, char *p, int e, long f, unsigned g) */
static int bi_mix8(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    static const kp_type want[8] = {KP_T_I32, KP_T_I64, KP_T_F32, KP_T_F64,
                                    KP_T_PTR, KP_T_I32, KP_T_I64, KP_T_I32};
    if (n != 8 || ret->type != KP_T_I64 || ud != (void *)&n_calls)
        return kp_fail(cx, "mix8: n %d, ret type %d", n, ret->type);
    for (int i = 0; i < 8; i++)
        if (a[i].type != want[i])
            return kp_fail(cx, "mix8: argument %d has type %d", i, a[i].type);
    /* 32-bit values arrive zero-extended in the 64-bit union */
    if (a[0].v.i64 != (int64_t)(uint32_t)a[0].v.i32 || a[7].v.i64 != (int64_t)(uint32_t)a[7].v.i32)
        return kp_fail(cx, "mix8: 32-bit value not zero-extended");
    const char *s = kp_callctx_str(cx, a[4].v.ptr, 16);
    ret->v.i64 = (int64_t)a[0].v.i32 * 1000000 + a[1].v.i64 + (int64_t)(a[2].v.f32 * 4) +
                 (int64_t)(a[3].v.f64 * 8) + (s ? (int64_t)strlen(s) * 100 : -1) +
                 a[5].v.i32 + a[6].v.i64 * 3 + (int64_t)(uint32_t)a[7].v.i32;
    n_calls++;
    return KP_OK;
}

/* int nine(int a, ..., int i): 9 arguments, past the JIT's direct path */
static int bi_nine(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)ud;
    int s = 0;
    for (int i = 0; i < n; i++)
        s = s * 2 + a[i].v.i32;
    ret->v.i32 = s;
    return KP_OK;
}

static int bi_retf(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n, (void)ud;
    ret->v.f32 = a[0].v.f32 * 2.5f;
    return KP_OK;
}

static int bi_retd(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n, (void)ud;
    ret->v.f64 = a[0].v.f64 / 4 + a[1].v.f32;
    return KP_OK;
}

static int bi_big(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ud;
    ret->v.i64 = -(1LL << 40);
    return KP_OK;
}

static int bi_neg(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ud;
    ret->v.i32 = -7;
    return KP_OK;
}

static int bi_bad(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ret, (void)ud;
    return KP_ERR_LIMIT;
}

static int bi_failok(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ret, (void)ud;
    kp_fail(cx, "failok says %d", a[0].v.i32);
    return KP_OK; /* the failure wins */
}

static void nop_cb(void *arg, int reason) { (void)arg, (void)reason; }

/* int tied(void): needs to know the calling plugin */
static int bi_tied(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    kp_cleanup_id id = kp_callctx_on_plugin_end(cx, nop_cb, NULL);
    if (!id)
        return kp_fail(cx, "no calling plugin");
    ret->v.i32 = kp_cleanup_cancel(kp_callctx_runtime(cx), id) == KP_OK;
    return KP_OK;
}

/* int reenter(int x): calls the plugin's twice3(x) (a nested call) */
static int bi_reenter(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ud;
    kp_func *f;
    kp_value r;
    if (kp_lookup(kp_callctx_runtime(cx), "twice3", &f) != KP_OK ||
        kp_call(f, a, 1, &r) != KP_OK)
        return kp_fail(cx, "nested: %s", kp_errmsg());
    ret->v.i32 = r.v.i32 + 1;
    return KP_OK;
}

static int bi_twice_a(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n, (void)ud;
    ret->v.i32 = a[0].v.i32 * 2;
    return KP_OK;
}

static int bi_twice_b(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n, (void)ud;
    ret->v.i32 = a[0].v.i32 * 2 + 1;
    return KP_OK;
}

static int bi_vsum(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)ud;
    int64_t s = 0;
    for (int i = 0; i < n; i++)
        s += a[i].type == KP_T_F64 ? (int64_t)a[i].v.f64 : a[i].v.i64;
    ret->v.i64 = s;
    return KP_OK;
}

/* A call-tied callback that calls into the same runtime while the call
 * that registered it ends (kp_call's fast path keeps its prepared exec
 * busy meanwhile). */
static int cb_result, cb_runs;

static void end_cb(void *arg, int reason)
{
    (void)reason;
    kp_func *f;
    kp_value a = KP_I32(7), r;
    cb_runs++;
    if (kp_lookup(arg, "twice3", &f) == KP_OK && kp_call(f, &a, 1, &r) == KP_OK)
        cb_result = r.v.i32;
    else
        cb_result = -1;
}

static int bi_on_end(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ret, (void)ud;
    return kp_callctx_on_call_end(cx, end_cb, kp_callctx_runtime(cx), KP_CLEANUP_ALWAYS)
               ? KP_OK
               : KP_ERR_ARG;
}

static const char src[] =
    "long mix8(int a, long b, float c, double d, char *p, int e, long f, unsigned g);\n"
    "int nine(int a, int b, int c, int d, int e, int f, int g, int h, int i);\n"
    "float retf(float x);\n"
    "double retd(double x, float y);\n"
    "long big(void);\n"
    "int neg(void);\n"
    "void bad(void);\n"
    "void failok(int x);\n"
    "int tied(void);\n"
    "int reenter(int x);\n"
    "int twice(int x);\n"
    "long vsum(int n, ...);\n"
    "void on_end(void);\n"
    "int t_end(int x) { on_end(); return x + 1; }\n"
    "int t_end_trap(int x) { on_end(); return x / (x - x); }\n"
    "long t_mix8(int k) { static char s[] = \"abcd\"; long r = 0;\n"
    "  for (int i = 0; i < 3; i++) r += mix8(-5 + k, -(1L << 33), 2.5f, 0.5, s, i, 7, 4000000000u);\n"
    "  return r; }\n"
    "int t_nine(void) { return nine(1, 0, 1, 1, 0, 0, 1, 0, 1); }\n"
    "int t_float(void) { float f = retf(1.5f); double d = retd(10.0, 0.25f);\n"
    "  return (int)(f * 100) * 1000 + (int)(d * 100); }\n"
    "long t_big(void) { return big() + neg(); }\n"
    "int t_neg(void) { int x = neg(); return x < 0 ? 1 : 0; }\n"
    "int t_bad(void) { int x = 1;\n"
    "  bad();\n"
    "  return x; }\n"
    "int t_failok(void) {\n"
    "  failok(41);\n"
    "  return 0; }\n"
    "int t_tied(void) { return tied(); }\n"
    "int twice3(int x) { return x * 3; }\n"
    "int t_reenter(int x) { return reenter(x) + twice(x); }\n"
    "int t_ptr(int x) { int (*fp)(int) = twice; return fp(x); }\n"
    "long t_vsum(void) { return vsum(3, 1, 2L, 4.0); }\n"
    "int t_twice(int x) { return twice(x); }\n"
    "long t_mix8c(void) { static char s[] = \"ab\"; return mix8(-3, 5L, 0.0f, 0.0, s, -1, 0L, 1u); }\n";

static int run(kp_runtime *rt, const char *fn, int64_t arg, int nargs, int64_t *out)
{
    kp_func *f;
    kp_value a = KP_I32(arg), r;
    if (kp_lookup(rt, fn, &f) != KP_OK)
        return -1;
    int rc = kp_call(f, &a, nargs, &r);
    if (rc == KP_OK)
        *out = r.type == KP_T_I64 ? r.v.i64 : r.v.i32;
    return rc;
}

static void suite(kp_engine e)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    kp_runtime *rt;
    CHECK("create", kp_runtime_create(&cfg, &rt) == KP_OK);
    int ok = kp_builtin_add(rt, "long mix8(int a, long b, float c, double d, char *p, int e, "
                                "long f, unsigned g)", bi_mix8, &n_calls) == KP_OK &&
             kp_builtin_add(rt, "int nine(int a, int b, int c, int d, int e, int f, int g, "
                                "int h, int i)", bi_nine, NULL) == KP_OK &&
             kp_builtin_add(rt, "float retf(float x)", bi_retf, NULL) == KP_OK &&
             kp_builtin_add(rt, "double retd(double x, float y)", bi_retd, NULL) == KP_OK &&
             kp_builtin_add(rt, "long big(void)", bi_big, NULL) == KP_OK &&
             kp_builtin_add(rt, "int neg(void)", bi_neg, NULL) == KP_OK &&
             kp_builtin_add(rt, "void bad(void)", bi_bad, NULL) == KP_OK &&
             kp_builtin_add(rt, "void failok(int x)", bi_failok, NULL) == KP_OK &&
             kp_builtin_add(rt, "int tied(void)", bi_tied, NULL) == KP_OK &&
             kp_builtin_add(rt, "int reenter(int x)", bi_reenter, NULL) == KP_OK &&
             kp_builtin_add(rt, "int twice(int x)", bi_twice_a, NULL) == KP_OK &&
             kp_builtin_add(rt, "long vsum(int n, ...)", bi_vsum, NULL) == KP_OK &&
             kp_builtin_add(rt, "void on_end(void)", bi_on_end, NULL) == KP_OK;
    CHECK("built-ins", ok);
    CHECK("plugin", kp_plugin_add(rt, "p", src, sizeof src - 1) == KP_OK ||
                        (printf("# %s\n", kp_errmsg()), 0));
    int64_t v = 0;
    n_calls = 0;
    int64_t per = (int64_t)(-5 + 2) * 1000000 - (1LL << 33) + 10 + 4 + 400 + 7 * 3 + 4000000000LL;
    CHECK("8 arguments of every type", run(rt, "t_mix8", 2, 1, &v) == KP_OK &&
                                           v == 3 * per + 0 + 1 + 2 && n_calls == 3);
    CHECK("constant negative arguments", run(rt, "t_mix8c", 0, 0, &v) == KP_OK && v == -2999795);
    CHECK("9 arguments", run(rt, "t_nine", 0, 0, &v) == KP_OK && v == 0x165);
    CHECK("float results", run(rt, "t_float", 0, 0, &v) == KP_OK && v == 375 * 1000 + 275);
    CHECK("64-bit result", run(rt, "t_big", 0, 0, &v) == KP_OK && v == -(1LL << 40) - 7);
    CHECK("negative int result", run(rt, "t_neg", 0, 0, &v) == KP_OK && v == 1);
    int rc = run(rt, "t_bad", 0, 0, &v);
    const kp_error *er = kp_last_error();
    CHECK("failing built-in traps", rc == KP_TRAP_BUILTIN && strstr(er->message, "built-in 'bad' failed") &&
                                        strstr(er->message, "KP_ERR_LIMIT") && er->line == 25 &&
                                        strcmp(er->function, "t_bad") == 0);
    rc = run(rt, "t_failok", 0, 0, &v);
    er = kp_last_error();
    CHECK("kp_fail then KP_OK traps", rc == KP_TRAP_BUILTIN && strstr(er->message, "failok says 41") &&
                                          er->line == 28);
    CHECK("built-in knows its calling plugin", run(rt, "t_tied", 0, 0, &v) == KP_OK && v == 1);
    CHECK("nested call from a built-in", run(rt, "t_reenter", 5, 1, &v) == KP_OK && v == 16 + 10);
    CHECK("through a function pointer", run(rt, "t_ptr", 21, 1, &v) == KP_OK && v == 42);
    CHECK("variadic", run(rt, "t_vsum", 0, 0, &v) == KP_OK && v == 3 + 1 + 2 + 4);
    CHECK("twice a", run(rt, "t_twice", 4, 1, &v) == KP_OK && v == 8);
    CHECK("relink twice", kp_delete(rt, "twice") == KP_OK &&
                              kp_builtin_add(rt, "int twice(int x)", bi_twice_b, NULL) == KP_OK);
    CHECK("import follows the new built-in", run(rt, "t_twice", 4, 1, &v) == KP_OK && v == 9);
    CHECK("delete twice", kp_delete(rt, "twice") == KP_OK);
    CHECK("unlinked built-in traps", run(rt, "t_twice", 4, 1, &v) == KP_TRAP_UNLINKED);
    CHECK("other prototype, same name", kp_builtin_add(rt, "long twice(long x)", bi_twice_a, NULL) ==
                                            KP_OK);
    CHECK("prototype mismatch traps", run(rt, "t_twice", 4, 1, &v) == KP_TRAP_BAD_CALL);
    CHECK("still usable", run(rt, "t_neg", 0, 0, &v) == KP_OK && v == 1);
    int good = 1;
    cb_runs = 0;
    for (int i = 0; i < 5; i++) {
        cb_result = 0;
        good &= run(rt, "t_end", i, 1, &v) == KP_OK && v == i + 1 && cb_result == 21;
    }
    CHECK("a callback calls in while the call ends", good && cb_runs == 5);
    cb_result = 0;
    rc = run(rt, "t_end_trap", 3, 1, &v);
    er = kp_last_error();
    CHECK("... and while a trapping call ends", rc == KP_TRAP_DIV && cb_result == 21 &&
                                                    strcmp(er->function, "t_end_trap") == 0);
    CHECK("no trap left behind", run(rt, "t_end", 1, 1, &v) == KP_OK && v == 2 &&
                                     run(rt, "t_neg", 0, 0, &v) == KP_OK && v == 1);
    kp_runtime_destroy(rt);
}

/* kp_builtin_add parses each distinct prototype text once per process:
 * the remembered result must be exactly what a parse gives, for every
 * runtime, and a bad prototype must fail every time. */
static void prototype_cache(void)
{
    static const char *const types[4] = {"int", "long", "double", "char *"};
    static const kp_type kt[4] = {KP_T_I32, KP_T_I64, KP_T_F64, KP_T_PTR};
    kp_runtime *r1, *r2;
    CHECK("create two runtimes", kp_runtime_create(NULL, &r1) == KP_OK &&
                                     kp_runtime_create(NULL, &r2) == KP_OK);
    int good = 1;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 300; i++) {
            char proto[96], name[16];
            int a = i % 4, b = (i / 4) % 4, ret = (i / 16) % 4;
            snprintf(name, sizeof name, "pc%d", i);
            snprintf(proto, sizeof proto, "%s %s(%s x, %s y)", types[ret], name, types[a],
                     types[b]);
            kp_runtime *rt = (round & 1) ? r2 : r1;
            kp_func *f;
            kp_type pt[4], rtp;
            if (kp_builtin_add(rt, proto, bi_twice_a, NULL) != KP_OK ||
                kp_lookup(rt, name, &f) != KP_OK ||
                kp_func_signature(f, &rtp, pt, 4, NULL) != 2 || rtp != kt[ret] ||
                pt[0] != kt[a] || pt[1] != kt[b] || strcmp(kp_func_name(f), name) != 0 ||
                kp_delete(rt, name) != KP_OK) {
                good = 0;
                printf("# %s: %s\n", proto, kp_errmsg());
            }
        }
    CHECK("remembered prototypes give the parsed signature", good);
    CHECK("bad prototype", kp_builtin_add(r1, "int bad(int", bi_twice_a, NULL) == KP_ERR_ARG);
    CHECK("bad prototype again", kp_builtin_add(r2, "int bad(int", bi_twice_a, NULL) == KP_ERR_ARG);
    CHECK("same text, two runtimes", kp_builtin_add(r1, "int same(int x)", bi_twice_a, NULL) == KP_OK &&
                                         kp_builtin_add(r2, "int same(int x)", bi_twice_b, NULL) ==
                                             KP_OK);
    CHECK("taken name still refused", kp_builtin_add(r1, "int same(int x)", bi_twice_a, NULL) ==
                                          KP_ERR_EXISTS);
    kp_runtime_destroy(r1);
    kp_runtime_destroy(r2);
}

int main(void)
{
    prototype_cache();
    check_prefix = "interp: ";
    suite(KP_ENGINE_INTERP);
#if defined(__x86_64__) && defined(__linux__)
    check_prefix = "jit: ";
    suite(KP_ENGINE_JIT);
#endif
    printf("%d checks, %d failed\n", check_count, check_failed);
    return CHECK_DONE();
}

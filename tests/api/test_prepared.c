/* test_prepared.c — prepared calls (kp_prepare / kp_call_prepared) on both
 * engines: results of every type, prototypes refused at preparation, every
 * trap kind with its position, the runtime usable after each, the default
 * deadline and kp_interrupt, cleanup hooks, nested calls from a built-in,
 * replace / delete / re-add (also from inside the call), a stack size
 * change, use from another thread, runtime destroy before free, and
 * threads each calling their own prepared call while another replaces the
 * plugin (meant to pass under -fsanitize=thread too). On the JIT the
 * calls run the generated entry stub (kp_prepared_armed says when): the
 * traps, interrupts, cleanups and results above go through it, and the
 * stub section checks it bit for bit against kp_call, with garbage in
 * the upper halves of 32-bit arguments, and that every change it does not
 * re-check per call (deadline, depth and memory limits, links) sends the
 * next call to the C path, which re-arms it. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kplug.h"
#include "check.h"
#include "runtime/rt_private.h" /* kp_prepared_armed */

static const char *src_main =
    "#include <kplug.h>\n"
    "int add2(int a, int b) { return a + b; }\n"
    "long six(int a, long b, int c, long d, int e, long f) { return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6; }\n"
    "double fd(double x, float y) { return x * 2 + y; }\n"
    "float ff(float y) { return y * 0.5f; }\n"
    "char *pp(char *p) { return p + 1; }\n"
    "int zero(void) { return 42; }\n"
    "int cnt;\n"
    "void nothing(void) { cnt++; }\n"
    "int neg(int x) { return -x; }\n"
    "int load(int *p) {\n"
    "    return *p;\n"
    "}\n"
    "int divide(int a, int b) {\n"
    "    return a / b;\n"
    "}\n"
    "int deep(int n) { return n <= 0 ? 0 : 1 + deep(n + 1); }\n"
    "int spin(int n) { volatile int s = 0; for (;;) s += n; return s; }\n"
    "typedef int (*fp)(int);\n"
    "int viaptr(int h) { fp f = (fp)(long)h; return f(1); }\n"
    "int poke(void) { poke_host(); for (int i = 0; i < 100000000; i++) if (i == 99999999) return 1; return 0; }\n"
    "int outer(int x) { return nest_host(x) + 1; }\n"
    "int rec(int n) { return n <= 0 ? 0 : 1 + rec(n - 1); }\n"
    "#include <string.h>\n"
    "int zap(char *p, int n) { memset(p, 7, n); return p[n - 1]; }\n"
    "double mix(int a, float b, char *c, long d, double e, float f) {\n"
    "    return a + b * 2 + (long)c * 3 + d * 4 + e * 5 + f * 6;\n"
    "}\n"
    "long wide(long x) { return x ^ (1l << 63); }\n"
    "char *pneg(char *p) { return p - 2; }\n"
    "float fm(float x) { return -x; }\n";

static kp_runtime *cur_rt;
static kp_prepared *nest_p;
static int cleanups_ran, cleanup_last;

static void on_end(void *arg, int reason)
{
    (void)arg;
    cleanups_ran++;
    cleanup_last = reason;
}

/* registers a call-tied cleanup, then interrupts the runtime */
static int bi_poke(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ret, (void)ud;
    kp_callctx_on_call_end(cx, on_end, NULL, KP_CLEANUP_ALWAYS);
    kp_interrupt(kp_callctx_runtime(cx));
    return KP_OK;
}

static const char *replace_with; /* hold_host replaces "p" with it, in the call */
static int bi_hold(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ret, (void)ud;
    kp_callctx_on_call_end(cx, on_end, NULL, KP_CLEANUP_ALWAYS);
    if (replace_with) {
        const char *s = replace_with;
        replace_with = NULL;
        if (kp_plugin_replace(kp_callctx_runtime(cx), "h", s, strlen(s)) != KP_OK)
            return kp_fail(cx, "replace failed: %s", kp_errmsg());
    }
    return KP_OK;
}

/* a nested call through a prepared call: the general path */
static int bi_nest(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ud;
    kp_value r;
    int rc = kp_call_prepared(nest_p, a, &r);
    if (rc != KP_OK)
        return kp_fail(cx, "nested: %s", kp_result_name(rc));
    ret->v.i32 = r.v.i32 * 10;
    return KP_OK;
}

static int bi_twice(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n, (void)ud;
    ret->v.i32 = a[0].v.i32 * 2;
    return KP_OK;
}

static kp_runtime *mk(kp_engine e)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return NULL;
    kp_builtin_add(rt, "void poke_host(void)", bi_poke, NULL);
    kp_builtin_add(rt, "void hold_host(void)", bi_hold, NULL);
    kp_builtin_add(rt, "int nest_host(int x)", bi_nest, NULL);
    kp_builtin_add(rt, "int twice(int x)", bi_twice, NULL);
    if (kp_plugin_add(rt, "m", src_main, strlen(src_main)) != KP_OK) {
        kp_runtime_destroy(rt);
        return NULL;
    }
    return rt;
}

static kp_prepared *prep(kp_runtime *rt, const char *name, kp_type ret, const kp_type *pt, int n)
{
    kp_func *f = NULL;
    kp_prepared *p = NULL;
    if (kp_lookup(rt, name, &f) != KP_OK || kp_prepare(f, ret, pt, n, &p) != KP_OK)
        return NULL;
    return p;
}

static int jit; /* the runtime under test is the JIT's */

/* the stub's state where the JIT would have one, else no stub at all */
static int armed(const kp_prepared *p, int want)
{
    return kp_prepared_armed(p) == (jit ? want : 0);
}

static const kp_type T_I = KP_T_I32;
static const kp_type T_II[2] = {KP_T_I32, KP_T_I32};

static void results(kp_runtime *rt)
{
    kp_value r, a[6];
    kp_prepared *p = prep(rt, "add2", KP_T_I32, T_II, 2);
    CHECK("prepare add2", p != NULL);
    a[0] = KP_I32(40), a[1] = KP_I32(2);
    CHECK("add2", kp_call_prepared(p, a, &r) == KP_OK && r.type == KP_T_I32 && r.v.i32 == 42);
    /* a 32-bit value's upper half is ignored, the tag is not looked at */
    a[0].v.i64 = (int64_t)0x7777777700000005ll;
    a[0].type = KP_T_I64;
    a[1] = KP_I32(-7);
    CHECK("add2 reads 32 bits", kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == -2);
    int ok = 1;
    for (int i = 0; i < 1000 && ok; i++) {
        a[0] = KP_I32(i), a[1] = KP_I32(i * 3);
        ok = kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == 4 * i;
    }
    CHECK("add2 x1000", ok);
    kp_prepared_free(p);

    static const kp_type t6[6] = {KP_T_I32, KP_T_I64, KP_T_I32, KP_T_I64, KP_T_I32, KP_T_I64};
    p = prep(rt, "six", KP_T_I64, t6, 6);
    a[0] = KP_I32(1), a[1] = KP_I64(1ll << 40), a[2] = KP_I32(-3), a[3] = KP_I64(4);
    a[4] = KP_I32(5), a[5] = KP_I64(-6);
    CHECK("six", p && kp_call_prepared(p, a, &r) == KP_OK && r.type == KP_T_I64 &&
                     r.v.i64 == 1 + (1ll << 41) - 9 + 16 + 25 - 36);
    kp_prepared_free(p);

    static const kp_type tfd[2] = {KP_T_F64, KP_T_F32};
    p = prep(rt, "fd", KP_T_F64, tfd, 2);
    a[0] = KP_F64(1.25), a[1] = KP_F32(0.5f);
    CHECK("double(double, float)", p && kp_call_prepared(p, a, &r) == KP_OK &&
                                       r.type == KP_T_F64 && r.v.f64 == 3.0);
    kp_prepared_free(p);
    static const kp_type tf = KP_T_F32;
    p = prep(rt, "ff", KP_T_F32, &tf, 1);
    a[0] = KP_F32(3.0f);
    CHECK("float(float)", p && kp_call_prepared(p, a, &r) == KP_OK && r.type == KP_T_F32 &&
                              r.v.f32 == 1.5f);
    kp_prepared_free(p);
    static const kp_type tp = KP_T_PTR;
    p = prep(rt, "pp", KP_T_PTR, &tp, 1);
    a[0] = KP_PTR(0x1000);
    CHECK("ptr(ptr)", p && kp_call_prepared(p, a, &r) == KP_OK && r.type == KP_T_PTR &&
                          r.v.ptr == 0x1001);
    kp_prepared_free(p);
    p = prep(rt, "zero", KP_T_I32, NULL, 0);
    CHECK("int(void), args NULL", p && kp_call_prepared(p, NULL, &r) == KP_OK && r.v.i32 == 42);
    CHECK("ret NULL", p && kp_call_prepared(p, NULL, NULL) == KP_OK);
    kp_prepared_free(p);
    p = prep(rt, "nothing", KP_T_VOID, NULL, 0);
    CHECK("void(void)", p && kp_call_prepared(p, NULL, &r) == KP_OK && r.type == KP_T_VOID);
    kp_prepared_free(p);
    /* a built-in behind the name: the general path */
    p = prep(rt, "twice", KP_T_I32, &T_I, 1);
    a[0] = KP_I32(21);
    CHECK("built-in", p && kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == 42);
    kp_prepared_free(p);
    kp_prepared_free(NULL);
}

static void refused(kp_runtime *rt)
{
    kp_func *f = NULL;
    kp_prepared *p = (kp_prepared *)&p;
    kp_lookup(rt, "add2", &f);
    static const kp_type wrong[2] = {KP_T_I32, KP_T_I64};
    CHECK("param type refused", kp_prepare(f, KP_T_I32, wrong, 2, &p) == KP_ERR_SIGNATURE && !p);
    CHECK("count refused", kp_prepare(f, KP_T_I32, T_II, 1, &p) == KP_ERR_SIGNATURE);
    CHECK("result refused", kp_prepare(f, KP_T_I64, T_II, 2, &p) == KP_ERR_SIGNATURE);
    static const kp_type v[2] = {KP_T_I32, KP_T_VOID};
    CHECK("void param refused", kp_prepare(f, KP_T_I32, v, 2, &p) == KP_ERR_ARG);
    CHECK("NULL f", kp_prepare(NULL, KP_T_I32, T_II, 2, &p) == KP_ERR_ARG);
    CHECK("NULL out", kp_prepare(f, KP_T_I32, T_II, 2, NULL) == KP_ERR_ARG);
    CHECK("NULL p", kp_call_prepared(NULL, NULL, NULL) == KP_ERR_ARG);
    kp_func *g = NULL;
    CHECK("add temp", kp_plugin_add(rt, "tmp", "int tmpf(int x) { return x; }", 29) == KP_OK);
    kp_lookup(rt, "tmpf", &g);
    kp_delete(rt, "tmp");
    CHECK("unlinked refused", kp_prepare(g, KP_T_I32, &T_I, 1, &p) == KP_TRAP_UNLINKED);
}

static void traps(kp_runtime *rt)
{
    kp_value r, a[2];
    kp_prepared *p = prep(rt, "load", KP_T_I32, (kp_type[]){KP_T_PTR}, 1);
    a[0] = KP_PTR(8);
    CHECK("memory trap: through the stub", armed(p, 2));
    int rc = p ? kp_call_prepared(p, a, &r) : -999;
    const kp_error *e = kp_last_error();
    CHECK("memory trap", rc == KP_TRAP_MEMORY && e->line == 12 && !strcmp(e->function, "load") &&
                             !strcmp(e->plugin, "m"));
    kp_prepared *q = prep(rt, "add2", KP_T_I32, T_II, 2);
    a[0] = KP_I32(1), a[1] = KP_I32(2);
    CHECK("usable after trap", q && kp_call_prepared(q, a, &r) == KP_OK && r.v.i32 == 3);
    kp_prepared_free(p);
    p = prep(rt, "divide", KP_T_I32, T_II, 2);
    a[0] = KP_I32(1), a[1] = KP_I32(0);
    CHECK("division trap: through the stub", armed(p, 2));
    rc = p ? kp_call_prepared(p, a, &r) : -999;
    CHECK("division trap", rc == KP_TRAP_DIV && kp_last_error()->line == 15);
    a[1] = KP_I32(1);
    CHECK("divide again", kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == 1);
    kp_prepared_free(p);
    p = prep(rt, "deep", KP_T_I32, &T_I, 1);
    a[0] = KP_I32(1);
    CHECK("stack trap: through the stub", armed(p, 2));
    rc = p ? kp_call_prepared(p, a, &r) : -999;
    CHECK("stack trap", rc == KP_TRAP_STACK && !strcmp(kp_last_error()->function, "deep"));
    a[0] = KP_I32(-5);
    CHECK("deep again", kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == 0);
    kp_prepared_free(p);
    p = prep(rt, "viaptr", KP_T_I32, &T_I, 1);
    a[0] = KP_I32(0x7fff0);
    rc = p ? kp_call_prepared(p, a, &r) : -999;
    CHECK("bad call trap", rc == KP_TRAP_BAD_CALL);
    kp_prepared_free(p);

    /* the runtime's default deadline applies */
    p = prep(rt, "spin", KP_T_I32, &T_I, 1);
    kp_set_deadline(rt, 20);
    rc = p ? kp_call_prepared(p, a, &r) : -999;
    CHECK("timeout trap", rc == KP_TRAP_TIMEOUT && !strcmp(kp_last_error()->function, "spin"));
    kp_set_deadline(rt, 0);
    kp_prepared_free(p);
    /* kp_interrupt; the call-tied cleanup gets the result code */
    p = prep(rt, "poke", KP_T_I32, NULL, 0);
    cleanups_ran = 0;
    CHECK("interrupt and cleanup: through the stub", armed(p, 2));
    rc = p ? kp_call_prepared(p, NULL, &r) : -999;
    CHECK("interrupt trap", rc == KP_TRAP_INTERRUPTED);
    CHECK("cleanup on trap", cleanups_ran == 1 && cleanup_last == KP_TRAP_INTERRUPTED);
    CHECK("after interrupt", kp_call_prepared(q, a, &r) == KP_OK);
    kp_prepared_free(p);
    kp_prepared_free(q);
}

static void nesting(kp_runtime *rt)
{
    kp_value r, a = KP_I32(5);
    nest_p = prep(rt, "neg", KP_T_I32, &T_I, 1);
    kp_prepared *p = prep(rt, "outer", KP_T_I32, &T_I, 1);
    CHECK("nested through a built-in", p && nest_p && kp_call_prepared(p, &a, &r) == KP_OK &&
                                           r.v.i32 == -49);
    CHECK("outer direct", kp_call_prepared(nest_p, &a, &r) == KP_OK && r.v.i32 == -5);
    kp_prepared_free(p);
    kp_prepared_free(nest_p);
    nest_p = NULL;
}

static void relink(kp_runtime *rt)
{
    kp_value r, a = KP_I32(1);
    const char *h1 = "#include <kplug.h>\nint hold(int x) { hold_host(); return x + 1; }\n";
    const char *h2 = "#include <kplug.h>\nint hold(int x) { hold_host(); return x + 2; }\n";
    const char *h3 = "#include <kplug.h>\nlong hold(int x) { return x + 3; }\n";
    CHECK("add h", kp_plugin_add(rt, "h", h1, strlen(h1)) == KP_OK);
    kp_prepared *p = prep(rt, "hold", KP_T_I32, &T_I, 1);
    CHECK("h1", p && kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 2);
    /* replaced from inside the call: it finishes on the old code */
    replace_with = h2;
    cleanups_ran = 0;
    CHECK("in flight stays on h1", kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 2);
    CHECK("cleanup on success", cleanups_ran == 1 && cleanup_last == KP_OK);
    CHECK("then h2", kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 3);
    CHECK("replace with another prototype",
          kp_plugin_replace(rt, "h", h3, strlen(h3)) == KP_OK);
    CHECK("refused after prototype change", kp_call_prepared(p, &a, &r) == KP_ERR_SIGNATURE);
    kp_delete(rt, "h");
    CHECK("unlinked after delete", kp_call_prepared(p, &a, &r) == KP_TRAP_UNLINKED);
    CHECK("re-add", kp_plugin_add(rt, "h", h2, strlen(h2)) == KP_OK);
    CHECK("works again", kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 3);
    /* the stack size changes: the prepared call takes a new stack */
    CHECK("stack size", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 256 * 1024) == KP_OK);
    CHECK("after stack change", kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 3);
    /* no room for the new stack: refused, and served again once there is */
    kp_ptr big = kp_alloc(rt, 40u << 20);
    CHECK("big block", big != 0);
    CHECK("huge stack size", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 32u << 20) == KP_OK);
    CHECK("no room for the stack", kp_call_prepared(p, &a, &r) == KP_ERR_NOMEM_PLUGIN);
    CHECK("still no room", kp_call_prepared(p, &a, &r) == KP_ERR_NOMEM_PLUGIN);
    kp_free(rt, big);
    CHECK("room again", kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 3);
    CHECK("stack size back", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 256 * 1024) == KP_OK);
    CHECK("after stack size back", kp_call_prepared(p, &a, &r) == KP_OK && r.v.i32 == 3);
    kp_prepared *d = prep(rt, "deep", KP_T_I32, &T_I, 1);
    CHECK("stack trap after change", d && kp_call_prepared(d, &a, &r) == KP_TRAP_STACK);
    kp_prepared_free(d);
    kp_prepared_free(p);
}

/* ---- threads ---- */

static kp_prepared *foreign;
static atomic_int stop, bad, calls, ready;

static void *use_foreign(void *arg)
{
    (void)arg;
    kp_value a[2] = {KP_I32(20), KP_I32(22)}, r;
    int ok = 1;
    for (int i = 0; i < 200 && ok; i++)
        ok = kp_call_prepared(foreign, a, &r) == KP_OK && r.v.i32 == 42;
    return (void *)(intptr_t)ok;
}

static void *caller(void *arg)
{
    kp_runtime *rt = arg;
    kp_prepared *p = prep(rt, "get", KP_T_I32, &T_I, 1);
    if (!p) {
        fprintf(stderr, "caller: %s\n", kp_errmsg());
        atomic_fetch_add(&bad, 1);
    }
    atomic_fetch_add(&ready, 1);
    if (!p)
        return NULL;
    for (int i = 0; !atomic_load(&stop); i++) {
        kp_value a = KP_I32(i & 1023), r;
        int rc = kp_call_prepared(p, &a, &r);
        if (rc == KP_OK) {
            int d = r.v.i32 - (i & 1023);
            if (d != 1000 && d != 2000)
                atomic_fetch_add(&bad, 1);
        } else if (rc != KP_TRAP_UNLINKED) {
            atomic_fetch_add(&bad, 1);
        }
        atomic_fetch_add(&calls, 1);
    }
    kp_prepared_free(p);
    return NULL;
}

static void threads(kp_runtime *rt)
{
    foreign = prep(rt, "add2", KP_T_I32, T_II, 2);
    pthread_t th;
    void *res = NULL;
    pthread_create(&th, NULL, use_foreign, NULL);
    pthread_join(th, &res);
    CHECK("another thread's prepared call", foreign && res == (void *)1);
    kp_prepared_free(foreign);

    const char *g1 = "int get(int x) { return x + 1000; }";
    const char *g2 = "int get(int x) { int s = 0; for (int i = 0; i < 10; i++) s += i; return x + 1955 + s; }";
    CHECK("add g", kp_plugin_add(rt, "g", g1, strlen(g1)) == KP_OK);
    atomic_store(&stop, 0);
    atomic_store(&bad, 0);
    atomic_store(&calls, 0);
    atomic_store(&ready, 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, caller, rt);
    while (atomic_load(&ready) < 3)
        sched_yield();
    /* at least 300 changes, and until the callers made some calls */
    for (int i = 0; i < 300 || (atomic_load(&calls) < 3000 && i < 100000); i++) {
        const char *s = i & 1 ? g1 : g2;
        if (i % 7 == 3) {
            kp_delete(rt, "g");
            kp_plugin_add(rt, "g", s, strlen(s));
        } else {
            kp_plugin_replace(rt, "g", s, strlen(s));
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    CHECK("threads: every result from one version", atomic_load(&bad) == 0);
    CHECK("threads: calls made", atomic_load(&calls) > 0);
}

/* ---- the JIT's entry stub (kp_prepared_armed: 2 = the next call runs it) ---- */

/* kp_call_prepared gives what kp_call gives, bit for bit (the union's
 * unused half included), with garbage in the upper half of every 32-bit
 * argument and in the tags */
static int same_as_kp_call(kp_runtime *rt, const char *name, kp_type rett, const kp_type *pt,
                           const kp_value *a, int n)
{
    kp_func *f = NULL;
    kp_prepared *p = NULL;
    if (kp_lookup(rt, name, &f) != KP_OK || kp_prepare(f, rett, pt, n, &p) != KP_OK)
        return 0;
    kp_value g[6], want, got;
    for (int i = 0; i < n; i++) {
        g[i] = a[i];
        g[i].type = (kp_type)(7 - pt[i]);
        if (pt[i] == KP_T_I32 || pt[i] == KP_T_F32 || pt[i] == KP_T_PTR)
            g[i].v.i64 = (int64_t)(((uint64_t)0xdeadbeefu << 32) | (uint32_t)a[i].v.i64);
    }
    memset(&want, 0x5a, sizeof want);
    memset(&got, 0xa5, sizeof got);
    int ok = armed(p, 2) && kp_call(f, a, n, &want) == KP_OK &&
             kp_call_prepared(p, g, &got) == KP_OK && !memcmp(&want, &got, sizeof got) &&
             armed(p, 2);
    memset(&got, 0xa5, sizeof got);
    ok = ok && kp_call_prepared(p, g, &got) == KP_OK && !memcmp(&want, &got, sizeof got);
    if (!ok)
        fprintf(stderr, "%s: type %d/%d, %llx / %llx\n", name, want.type, got.type,
                (unsigned long long)want.v.i64, (unsigned long long)got.v.i64);
    kp_prepared_free(p);
    return ok;
}

/* Prototypes around the JIT's register convention for prepared calls
 * (jit_prep_regs: 6 integer, 8 float registers; beyond, the stack). Each
 * function weighs every parameter differently, so a parameter that
 * arrives in another's place changes the result; "live" keeps them across
 * a call (callee-saved registers), "swap" takes them in the order that
 * makes the arrival registers a cycle. */
static const char *src_regs =
    "long id(long x) { return x; }\n"
    "long i6(int a, int b, int c, int d, int e, int f) {\n"
    "  return a + 3L * b + 9L * c + 27L * d + 81L * e + 243L * f; }\n"
    "long i7(int a, long b, int c, long d, int e, long f, int g) {\n"
    "  return a + 3 * b + 9 * c + 27 * d + 81 * e + 243 * f + 729L * g; }\n"
    "long live(int a, long b, int c, long d, int e, long f) {\n"
    "  long s = id(a) + id(b) * 3;\n"
    "  return s + id(c) * 9 + id(d) * 27 + id(e) * 81 + f * 243 + a * b * c; }\n"
    "long swap(long a, long b) { return id(b - a) * 7 + a * 5 + b; }\n"
    "double f8(double a, float b, double c, float d, double e, float f, double g, float h) {\n"
    "  return a + 2 * b + 4 * c + 8 * d + 16 * e + 32 * f + 64 * g + 128 * h; }\n"
    "double f9(double a, double b, double c, double d, double e, double f, double g,\n"
    "          double h, double i) {\n"
    "  return a + 2 * b + 4 * c + 8 * d + 16 * e + 32 * f + 64 * g + 128 * h + 256 * i; }\n"
    "double mixed(int a, double b, char *p, float c, long d, double e, int f, float g,\n"
    "             unsigned h, double i) {\n"
    "  return a + 2 * b + (long)p * 4 + 8 * c + 16 * d + 32 * e + 64 * f + 128 * g +\n"
    "         256.0 * h + 512 * i; }\n"
    "long busy(int n, int *p, int d) {\n"
    "  long a = id(n), b = id(n + 1), c = id(n + 2), s = a * b + c;\n"
    "  if (n > 0) s += busy(n - 1, p, d);\n"
    "  return s + *p / d + a + b + c; }\n";

#if defined(__x86_64__) && defined(__GNUC__)
/* call_keeping(a, b, c, d, fn) = fn(a, b, c, d) with the host's
 * callee-saved registers (rbx, rbp, r12-r15) holding known values; bit 32
 * of the result is set if any came back changed (a trap unwinds through
 * frames that saved and used them). */
uint64_t call_keeping(void *a, const void *b, void *c, void *d, void *fn);
__asm__(".text\n"
        ".type call_keeping, @function\n"
        "call_keeping:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  sub $8, %rsp\n"
        "  mov %r8, %rax\n"
        "  movabs $0x1111111111111111, %rbx\n"
        "  movabs $0x2222222222222222, %rbp\n"
        "  movabs $0x3333333333333333, %r12\n"
        "  movabs $0x4444444444444444, %r13\n"
        "  movabs $0x5555555555555555, %r14\n"
        "  movabs $0x6666666666666666, %r15\n"
        "  call *%rax\n"
        "  xor %ecx, %ecx\n"
        "  movabs $0x1111111111111111, %rdx\n xor %rbx, %rdx\n or %rdx, %rcx\n"
        "  movabs $0x2222222222222222, %rdx\n xor %rbp, %rdx\n or %rdx, %rcx\n"
        "  movabs $0x3333333333333333, %rdx\n xor %r12, %rdx\n or %rdx, %rcx\n"
        "  movabs $0x4444444444444444, %rdx\n xor %r13, %rdx\n or %rdx, %rcx\n"
        "  movabs $0x5555555555555555, %rdx\n xor %r14, %rdx\n or %rdx, %rcx\n"
        "  movabs $0x6666666666666666, %rdx\n xor %r15, %rdx\n or %rdx, %rcx\n"
        "  test %rcx, %rcx\n setne %cl\n movzbl %cl, %ecx\n shl $32, %rcx\n"
        "  mov %eax, %eax\n or %rcx, %rax\n"
        "  add $8, %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".size call_keeping, .-call_keeping\n");

/* Traps unwind through plugin frames that saved the host's registers and
 * used them: every one comes back, through the stub and the trampoline. */
static void host_registers(kp_runtime *rt)
{
    kp_func *f = NULL;
    kp_prepared *p = NULL;
    static const kp_type pt[3] = {KP_T_I32, KP_T_PTR, KP_T_I32};
    if (kp_lookup(rt, "busy", &f) != KP_OK || kp_prepare(f, KP_T_I64, pt, 3, &p) != KP_OK) {
        CHECK("host registers: busy", 0);
        return;
    }
    kp_ptr cell = 0;
    kp_value a[3] = {KP_I32(6), KP_PTR(8), KP_I32(1)}, r;
    CHECK("host registers: through the stub", armed(p, 2));
    for (int round = 0; round < 2; round++) {
        const char *how = round ? "kp_call" : "stub";
        char what[96];
        uint64_t x = round ? call_keeping(f, a, (void *)(intptr_t)3, &r, (void *)kp_call)
                           : call_keeping(p, a, &r, NULL, (void *)kp_call_prepared);
        snprintf(what, sizeof what, "host registers kept: memory trap (%s)", how);
        CHECK(what, (int)(uint32_t)x == KP_TRAP_MEMORY && !(x >> 32));
        a[2] = KP_I32(0);
        if (!cell)
            cell = kp_alloc(rt, 4);
        a[1] = KP_PTR(cell);
        x = round ? call_keeping(f, a, (void *)(intptr_t)3, &r, (void *)kp_call)
                  : call_keeping(p, a, &r, NULL, (void *)kp_call_prepared);
        snprintf(what, sizeof what, "host registers kept: division trap (%s)", how);
        CHECK(what, (int)(uint32_t)x == KP_TRAP_DIV && !(x >> 32));
        a[2] = KP_I32(1);
        x = round ? call_keeping(f, a, (void *)(intptr_t)3, &r, (void *)kp_call)
                  : call_keeping(p, a, &r, NULL, (void *)kp_call_prepared);
        snprintf(what, sizeof what, "host registers kept: return (%s)", how);
        CHECK(what, (int)(uint32_t)x == KP_OK && !(x >> 32) && r.v.i64 > 0);
        a[1] = KP_PTR(8);
    }
    kp_prepared_free(p);
}
#else
static void host_registers(kp_runtime *rt) { (void)rt; }
#endif

static void regargs(kp_runtime *rt)
{
    if (kp_plugin_add(rt, "regs", src_regs, strlen(src_regs)) != KP_OK) {
        CHECK("regargs plugin", 0);
        return;
    }
    static const struct {
        const char *name;
        kp_type ret;
        int n;
        kp_type pt[10];
    } cases[] = {
        {"i6", KP_T_I64, 6, {KP_T_I32, KP_T_I32, KP_T_I32, KP_T_I32, KP_T_I32, KP_T_I32}},
        {"i7", KP_T_I64, 7,
         {KP_T_I32, KP_T_I64, KP_T_I32, KP_T_I64, KP_T_I32, KP_T_I64, KP_T_I32}},
        {"live", KP_T_I64, 6, {KP_T_I32, KP_T_I64, KP_T_I32, KP_T_I64, KP_T_I32, KP_T_I64}},
        {"swap", KP_T_I64, 2, {KP_T_I64, KP_T_I64}},
        {"f8", KP_T_F64, 8,
         {KP_T_F64, KP_T_F32, KP_T_F64, KP_T_F32, KP_T_F64, KP_T_F32, KP_T_F64, KP_T_F32}},
        {"f9", KP_T_F64, 9,
         {KP_T_F64, KP_T_F64, KP_T_F64, KP_T_F64, KP_T_F64, KP_T_F64, KP_T_F64, KP_T_F64,
          KP_T_F64}},
        {"mixed", KP_T_F64, 10,
         {KP_T_I32, KP_T_F64, KP_T_PTR, KP_T_F32, KP_T_I64, KP_T_F64, KP_T_I32, KP_T_F32,
          KP_T_I32, KP_T_F64}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        kp_func *f = NULL;
        kp_prepared *p = NULL;
        int ok = kp_lookup(rt, cases[c].name, &f) == KP_OK &&
                 kp_prepare(f, cases[c].ret, cases[c].pt, cases[c].n, &p) == KP_OK;
        for (int round = 0; ok && round < 3; round++) {
            kp_value a[10], g[10], want, got;
            for (int i = 0; i < cases[c].n; i++) {
                int64_t v = (int64_t)(i + 1) * (round ? -7 : 11) + round;
                kp_type t = cases[c].pt[i];
                a[i].type = t;
                a[i].v.i64 = 0;
                if (t == KP_T_F64)
                    a[i].v.f64 = (double)v / 3;
                else if (t == KP_T_F32)
                    a[i].v.f32 = (float)v / 3;
                else if (t == KP_T_I64)
                    a[i].v.i64 = v * 1000003;
                else
                    a[i].v.i32 = (int32_t)v;
                g[i] = a[i];
                if (t == KP_T_I32 || t == KP_T_F32 || t == KP_T_PTR)
                    g[i].v.i64 = (int64_t)(((uint64_t)0xdeadbeefu << 32) | (uint32_t)a[i].v.i64);
            }
            memset(&want, 0x5a, sizeof want);
            memset(&got, 0xa5, sizeof got);
            ok = kp_call(f, a, cases[c].n, &want) == KP_OK &&
                 kp_call_prepared(p, g, &got) == KP_OK && !memcmp(&want, &got, sizeof got) &&
                 armed(p, 2);
            if (!ok)
                fprintf(stderr, "%s round %d: %llx / %llx\n", cases[c].name, round,
                        (unsigned long long)want.v.i64, (unsigned long long)got.v.i64);
        }
        char what[64];
        snprintf(what, sizeof what, "register arguments: %s", cases[c].name);
        CHECK(what, ok);
        kp_prepared_free(p);
    }
    host_registers(rt);
}

/* a thread that prepares a call and exits: its handle outlives it */
static void *preparer(void *arg)
{
    return prep(arg, "add2", KP_T_I32, T_II, 2);
}

static void *interrupter(void *arg)
{
    struct timespec ts = {0, 30 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kp_interrupt(arg);
    return NULL;
}

/* One stub per runtime, thread and prototype: prepared calls of two
 * functions with the same prototype share it and still each run their own
 * function; another prototype or another thread gets its own. */
static void shared_stubs(kp_runtime *rt)
{
    kp_value a[2] = {KP_I32(7), KP_I32(2)}, r;
    kp_prepared *p1 = prep(rt, "add2", KP_T_I32, T_II, 2);
    kp_prepared *p2 = prep(rt, "divide", KP_T_I32, T_II, 2);
    kp_prepared *p3 = prep(rt, "neg", KP_T_I32, &T_I, 1);
    const void *s1 = kp_prepared_stub(p1), *s2 = kp_prepared_stub(p2);
    const void *s3 = kp_prepared_stub(p3);
    CHECK("shared stub: same prototype, same stub",
          p1 && p2 && p3 && (jit ? s1 && s1 == s2 && s3 && s3 != s1 : !s1 && !s2 && !s3));
    CHECK("shared stub: each its own function",
          p1 && p2 && armed(p1, 2) && armed(p2, 2) && kp_call_prepared(p1, a, &r) == KP_OK &&
              r.v.i32 == 9 && kp_call_prepared(p2, a, &r) == KP_OK && r.v.i32 == 3 &&
              kp_call_prepared(p3, a, &r) == KP_OK && r.v.i32 == -7);
    pthread_t th;
    void *other = NULL;
    pthread_create(&th, NULL, preparer, rt);
    pthread_join(th, &other);
    CHECK("shared stub: another thread's is its own",
          other && (jit ? kp_prepared_stub(other) && kp_prepared_stub(other) != s1
                        : !kp_prepared_stub(other)));
    kp_prepared_free(other);
    kp_prepared_free(p1);
    CHECK("shared stub: kept while a prepared call uses it",
          p2 && kp_call_prepared(p2, a, &r) == KP_OK && r.v.i32 == 3 && armed(p2, 2));
    kp_prepared_free(p2);
    kp_prepared_free(p3);
    p1 = prep(rt, "add2", KP_T_I32, T_II, 2);
    CHECK("shared stub: made again after the last one went",
          p1 && armed(p1, 2) && kp_call_prepared(p1, a, &r) == KP_OK && r.v.i32 == 9);
    kp_prepared_free(p1);
}

static void stub(kp_runtime *rt)
{
    kp_value r, a[6];
    /* results of every type, arguments of every type */
    a[0] = KP_I32(-5);
    CHECK("i32 result (negative)", same_as_kp_call(rt, "neg", KP_T_I32, &T_I, a, 1));
    a[0] = KP_I64(0x123456789abcll);
    CHECK("i64", same_as_kp_call(rt, "wide", KP_T_I64, (kp_type[]){KP_T_I64}, a, 1));
    a[0] = KP_PTR(0x10000);
    CHECK("ptr result", same_as_kp_call(rt, "pneg", KP_T_PTR, (kp_type[]){KP_T_PTR}, a, 1));
    a[0] = KP_F32(2.5f);
    CHECK("f32", same_as_kp_call(rt, "fm", KP_T_F32, (kp_type[]){KP_T_F32}, a, 1));
    static const kp_type tm[6] = {KP_T_I32, KP_T_F32, KP_T_PTR, KP_T_I64, KP_T_F64, KP_T_F32};
    a[0] = KP_I32(-3), a[1] = KP_F32(0.25f), a[2] = KP_PTR(7), a[3] = KP_I64(-(1ll << 40));
    a[4] = KP_F64(1.5), a[5] = KP_F32(-0.5f);
    CHECK("every argument type", same_as_kp_call(rt, "mix", KP_T_F64, tm, a, 6));
    CHECK("no arguments", same_as_kp_call(rt, "zero", KP_T_I32, NULL, a, 0));
    kp_prepared *p = prep(rt, "nothing", KP_T_VOID, NULL, 0);
    memset(&r, 0x5a, sizeof r);
    CHECK("void: ret cleared", p && armed(p, 2) && kp_call_prepared(p, NULL, &r) == KP_OK &&
                                   r.type == KP_T_VOID && r.v.i64 == 0);
    CHECK("void: ret NULL", p && kp_call_prepared(p, NULL, NULL) == KP_OK);
    kp_prepared_free(p);

    /* interrupts: one before the call does not stop it, one during does;
     * kp_interrupt moves the call generation, so the next call takes the
     * C path, which takes the new interrupt generation and re-arms */
    p = prep(rt, "add2", KP_T_I32, T_II, 2);
    a[0] = KP_I32(1), a[1] = KP_I32(2);
    CHECK("armed before the interrupt", p && armed(p, 2));
    kp_interrupt(rt);
    CHECK("interrupt before the call", p && armed(p, 1) && kp_call_prepared(p, a, &r) == KP_OK &&
                                           r.v.i32 == 3 && armed(p, 2));
    CHECK("interrupt before the stub's call", p && kp_call_prepared(p, a, &r) == KP_OK &&
                                                  r.v.i32 == 3);
    kp_prepared *s = prep(rt, "spin", KP_T_I32, &T_I, 1);
    pthread_t th;
    pthread_create(&th, NULL, interrupter, rt);
    int rc = s ? kp_call_prepared(s, a, &r) : -999;
    pthread_join(th, NULL);
    CHECK("interrupt from another thread", rc == KP_TRAP_INTERRUPTED &&
                                               !strcmp(kp_last_error()->function, "spin"));
    CHECK("after the interrupt", kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == 3 &&
                                     armed(p, 2));

    /* the default deadline: the C path (the clock), and the stub again
     * once it is off */
    kp_set_deadline(rt, 20);
    CHECK("deadline set: C path", armed(s, 1));
    rc = kp_call_prepared(s, a, &r);
    CHECK("deadline trap", rc == KP_TRAP_TIMEOUT && armed(s, 1));
    kp_set_deadline(rt, 0);
    CHECK("deadline off", kp_call_prepared(p, a, &r) == KP_OK && armed(p, 2));
    kp_prepared_free(s);

    /* the depth limit changes between calls */
    kp_prepared *d = prep(rt, "rec", KP_T_I32, &T_I, 1);
    a[0] = KP_I32(50);
    CHECK("rec 50", d && kp_call_prepared(d, a, &r) == KP_OK && r.v.i32 == 50 && armed(d, 2));
    CHECK("depth limit 20", kp_runtime_set_limit(rt, KP_LIMIT_CALL_DEPTH, 20) == KP_OK);
    CHECK("depth change: C path", armed(d, 1));
    CHECK("rec 50 over the limit", kp_call_prepared(d, a, &r) == KP_TRAP_STACK);
    CHECK("over the limit again, stub", armed(d, 2) && kp_call_prepared(d, a, &r) == KP_TRAP_STACK);
    a[0] = KP_I32(10);
    CHECK("rec 10 under it", kp_call_prepared(d, a, &r) == KP_OK && r.v.i32 == 10);
    CHECK("depth limit back", kp_runtime_set_limit(rt, KP_LIMIT_CALL_DEPTH, 0) == KP_OK);
    a[0] = KP_I32(50);
    CHECK("rec 50 again", kp_call_prepared(d, a, &r) == KP_OK && r.v.i32 == 50);
    kp_prepared_free(d);

    /* the memory limit changes between calls: memset checks the range
     * against the call record's memory size */
    uint64_t lim = 0;
    kp_runtime_get_limit(rt, KP_LIMIT_MEMORY, &lim);
    kp_prepared *z = prep(rt, "zap", KP_T_I32, (kp_type[]){KP_T_PTR, KP_T_I32}, 2);
    a[0] = KP_PTR((kp_ptr)lim + 4096), a[1] = KP_I32(100);
    CHECK("beyond the limit", z && kp_call_prepared(z, a, &r) == KP_TRAP_MEMORY);
    CHECK("raise the limit", kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, lim + (1u << 20)) == KP_OK);
    CHECK("inside it now", kp_call_prepared(z, a, &r) == KP_OK && r.v.i32 == 7);
    CHECK("inside it, stub", armed(z, 2) && kp_call_prepared(z, a, &r) == KP_OK);
    CHECK("lower the limit", kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, lim) == KP_OK);
    CHECK("beyond it again", kp_call_prepared(z, a, &r) == KP_TRAP_MEMORY);
    CHECK("beyond it again, stub", armed(z, 2) && kp_call_prepared(z, a, &r) == KP_TRAP_MEMORY);
    kp_prepared_free(z);

    /* linking anything moves the call generation: one C call, then the stub */
    CHECK("link a built-in", kp_builtin_add(rt, "int other(int x)", bi_twice, NULL) == KP_OK);
    CHECK("link: C path", armed(p, 1));
    a[0] = KP_I32(1), a[1] = KP_I32(2);
    CHECK("link: re-armed", kp_call_prepared(p, a, &r) == KP_OK && armed(p, 2));
    kp_delete(rt, "other");
    CHECK("unlink: re-armed", kp_call_prepared(p, a, &r) == KP_OK && r.v.i32 == 3 && armed(p, 2));
    /* another thread: the C path, the stub stays armed for the owner */
    foreign = p;
    void *res = NULL;
    pthread_create(&th, NULL, use_foreign, NULL);
    pthread_join(th, &res);
    CHECK("other thread, same handle", res == (void *)1 && armed(p, 2));
    kp_prepared_free(p);
    /* the preparing thread is gone: a later thread (which may get its
     * TLS block, at the same address) takes the C path */
    pthread_create(&th, NULL, preparer, rt);
    pthread_join(th, &res);
    foreign = res;
    res = NULL;
    pthread_create(&th, NULL, use_foreign, NULL);
    pthread_join(th, &res);
    CHECK("handle of an exited thread", foreign && res == (void *)1);
    kp_prepared_free(foreign);
}

static void run(kp_engine e, const char *prefix)
{
    check_prefix = prefix;
    kp_runtime *rt = mk(e);
    CHECK("runtime", rt != NULL);
    if (!rt)
        return;
    cur_rt = rt;
    jit = e == KP_ENGINE_JIT && !getenv("KPLUG_NO_PREP_STUB");
    results(rt);
    stub(rt);
    shared_stubs(rt);
    regargs(rt);
    refused(rt);
    traps(rt);
    nesting(rt);
    relink(rt);
    threads(rt);
    /* destroyed before the prepared call is freed */
    kp_prepared *p = prep(rt, "add2", KP_T_I32, T_II, 2);
    CHECK("prepared before destroy", p != NULL);
    kp_runtime_destroy(rt);
    kp_prepared_free(p); /* ASan: no access to the runtime's memory */
}

int main(void)
{
    run(KP_ENGINE_INTERP, "interp: ");
    kp_runtime *probe = NULL;
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    if (kp_runtime_create(&cfg, &probe) == KP_OK) {
        kp_runtime_destroy(probe);
        run(KP_ENGINE_JIT, "jit: ");
    }
    return CHECK_DONE();
}

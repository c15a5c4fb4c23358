/* test_stress.c — concurrency stress on both engines, meant to pass under
 * -fsanitize=thread and -fsanitize=address as well as plain builds:
 *  - host threads calling a plugin (directly, through late-bound imports
 *    and through lookup() handles) while another thread replaces, deletes
 *    and re-adds it and adds/deletes unrelated plugins and built-ins;
 *    every result must come from one version or be KP_TRAP_UNLINKED;
 *  - limits changed and calls interrupted while calls run;
 *  - plugin-tied cleanup callbacks registered while the plugin is being
 *    replaced: every registered callback runs exactly once;
 *  - many runtimes created, used and destroyed from many threads.
 * Each phase runs for a fixed wall-clock time (well under 10 s in all). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kplug.h"
#include "check.h"

#define PHASE_MS 600
#define CALLERS 4

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static kp_runtime *rt;
static atomic_int stop;
static atomic_long n_ok, n_unlinked, n_interrupted, n_bad;
static atomic_long cb_registered, cb_ran;

static const char *v1 =
    "#include <kplug.h>\n"
    "static int mix(int x) { int t[64]; int s = 0; for (int i = 0; i < 64; i++) { t[i] = x; s += t[i] - x + i; } return s; }\n"
    "int get(int x) { mix(x); keep(); return x + 1000; }\n";
static const char *v2 =
    "#include <kplug.h>\n"
    "int get(int x) { keep(); int s = 0; for (int i = 0; i < 100; i++) s += i; return x + 2000 + s - 4950; }\n";
/* a caller plugin: late-bound import, and a handle from lookup() */
static const char *front =
    "#include <kplug.h>\n"
    "int get(int x);\n"
    "typedef int (*getf)(int);\n"
    "int via_import(int x) { return get(x); }\n"
    "int via_handle(int x) { getf f = (getf)lookup(\"get\"); return f ? f(x) : -23; }\n";

static void count_cb(void *arg, int reason)
{
    (void)arg, (void)reason;
    atomic_fetch_add(&cb_ran, 1);
}

static int bi_keep(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    /* only sometimes, to keep the lists short */
    static _Thread_local unsigned k;
    if (++k % 64 == 0) {
        if (kp_callctx_on_plugin_end(cx, count_cb, NULL))
            atomic_fetch_add(&cb_registered, 1);
    }
    ret->v.i32 = 0;
    return KP_OK;
}

static int bi_nop(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ud;
    ret->v.i32 = 1;
    return KP_OK;
}

static void judge(int rc, int x, const kp_value *r, int allow_minus23)
{
    if (rc == KP_OK) {
        if (r->v.i32 == x + 1000 || r->v.i32 == x + 2000)
            atomic_fetch_add(&n_ok, 1);
        else if (allow_minus23 && r->v.i32 == -23)
            atomic_fetch_add(&n_unlinked, 1);
        else
            atomic_fetch_add(&n_bad, 1);
    } else if (rc == KP_TRAP_UNLINKED) {
        atomic_fetch_add(&n_unlinked, 1);
    } else if (rc == KP_TRAP_INTERRUPTED) {
        atomic_fetch_add(&n_interrupted, 1);
    } else {
        atomic_fetch_add(&n_bad, 1);
    }
}

static void *caller(void *arg)
{
    long id = (long)arg;
    kp_func *get = NULL, *vi = NULL, *vh = NULL;
    while (kp_lookup(rt, "get", &get) != KP_OK && !atomic_load(&stop))
        ;
    kp_lookup(rt, "via_import", &vi);
    kp_lookup(rt, "via_handle", &vh);
    for (int i = 0; !atomic_load(&stop); i++) {
        kp_value a = KP_I32(i + (int)id * 100000), r;
        judge(kp_call(get, &a, 1, &r), a.v.i32, &r, 0);
        if (vi)
            judge(kp_call(vi, &a, 1, &r), a.v.i32, &r, 0);
        if (vh)
            judge(kp_call(vh, &a, 1, &r), a.v.i32, &r, 1);
    }
    return NULL;
}

static void *churner(void *arg)
{
    (void)arg;
    for (unsigned i = 0; !atomic_load(&stop); i++) {
        switch (i % 6) {
        case 0: kp_plugin_replace(rt, "svc", v2, strlen(v2)); break;
        case 1: kp_plugin_replace(rt, "svc", v1, strlen(v1)); break;
        case 2: kp_delete(rt, "svc"); break;
        case 3: kp_plugin_add(rt, "svc", v2, strlen(v2)); break;
        case 4:
            kp_plugin_add(rt, "other", "int other(void) { return 3; }", 29);
            kp_builtin_add(rt, "int nop2(void)", bi_nop, NULL);
            break;
        case 5:
            kp_delete(rt, "other");
            kp_delete(rt, "nop2");
            break;
        }
    }
    /* leave it linked */
    kp_plugin_replace(rt, "svc", v1, strlen(v1));
    return NULL;
}

static void *limiter(void *arg)
{
    (void)arg;
    for (unsigned i = 0; !atomic_load(&stop); i++) {
        kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, i & 1 ? 64 << 10 : 128 << 10);
        kp_runtime_set_limit(rt, KP_LIMIT_CALL_DEPTH, i & 1 ? 500 : 1000);
        kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, i & 1 ? 48 << 20 : 64 << 20);
        if (i % 16 == 0)
            kp_interrupt(rt);
        uint64_t v;
        kp_runtime_get_usage(rt, KP_LIMIT_MEMORY, &v);
        kp_runtime_get_usage(rt, KP_LIMIT_CODE, &v);
        struct timespec ts = { 0, 2 * 1000000 };
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void shared_runtime(kp_engine e)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    cfg.stack_size = 128 << 10;
    CHECK("create", kp_runtime_create(&cfg, &rt) == KP_OK);
    CHECK("setup", kp_builtin_add(rt, "int keep(void)", bi_keep, NULL) == KP_OK &&
                       kp_plugin_add(rt, "svc", v1, strlen(v1)) == KP_OK &&
                       kp_plugin_add(rt, "front", front, strlen(front)) == KP_OK);
    atomic_store(&stop, 0);
    atomic_store(&n_ok, 0);
    atomic_store(&n_unlinked, 0);
    atomic_store(&n_interrupted, 0);
    atomic_store(&n_bad, 0);
    atomic_store(&cb_registered, 0);
    atomic_store(&cb_ran, 0);
    pthread_t th[CALLERS], ch, lt;
    for (long i = 0; i < CALLERS; i++)
        pthread_create(&th[i], NULL, caller, (void *)i);
    pthread_create(&ch, NULL, churner, NULL);
    pthread_create(&lt, NULL, limiter, NULL);
    uint64_t t0 = now_ms();
    struct timespec ts = { 0, 10 * 1000000 };
    while (now_ms() - t0 < PHASE_MS)
        nanosleep(&ts, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < CALLERS; i++)
        pthread_join(th[i], NULL);
    pthread_join(ch, NULL);
    pthread_join(lt, NULL);
    printf("# %s: %ld ok, %ld unlinked, %ld interrupted, %ld bad; %ld callbacks registered\n",
           e == KP_ENGINE_JIT ? "jit" : "interp", atomic_load(&n_ok),
           atomic_load(&n_unlinked), atomic_load(&n_interrupted), atomic_load(&n_bad),
           atomic_load(&cb_registered));
    CHECK("calls made progress", atomic_load(&n_ok) > 100);
    CHECK("every result from one version, or unlinked/interrupted", atomic_load(&n_bad) == 0);
    kp_func *f;
    kp_value a = KP_I32(1), r;
    CHECK("still works", kp_lookup(rt, "get", &f) == KP_OK && kp_call(f, &a, 1, &r) == KP_OK &&
                             r.v.i32 == 1001);
    kp_runtime_destroy(rt);
    CHECK("every plugin-tied callback ran exactly once",
          atomic_load(&cb_ran) == atomic_load(&cb_registered));
}

/* ---- many runtimes, many threads ------------------------------------------- */

static void *own_runtimes(void *arg)
{
    kp_engine e = (kp_engine)(intptr_t)arg;
    long bad = 0;
    uint64_t t0 = now_ms();
    for (int i = 0; now_ms() - t0 < PHASE_MS / 2; i++) {
        kp_config cfg;
        kp_config_init(&cfg);
        cfg.engine = e;
        cfg.mem_limit = 1 << 20;
        cfg.stack_size = 64 << 10;
        kp_runtime *r;
        if (kp_runtime_create(&cfg, &r) != KP_OK)
            return (void *)1;
        const char *s = "int g; int f(int x) { g += x; return g; }";
        kp_func *f = NULL;
        kp_value a = KP_I32(i), v;
        if (kp_plugin_add(r, "p", s, strlen(s)) || kp_lookup(r, "f", &f) ||
            kp_call(f, &a, 1, &v) || v.v.i32 != i)
            bad++;
        if (kp_plugin_replace(r, "p", s, strlen(s)) || kp_call(f, &a, 1, &v) || v.v.i32 != i)
            bad++;
        kp_call_opts o;
        memset(&o, 0, sizeof o);
        o.fuel = 10;
        if (kp_call_ex(f, &a, 1, &v, &o) != KP_OK)
            bad++;
        kp_runtime_destroy(r);
    }
    return (void *)bad;
}

static void many_runtimes(kp_engine e)
{
    enum { T = 4 };
    pthread_t th[T];
    for (int i = 0; i < T; i++)
        pthread_create(&th[i], NULL, own_runtimes, (void *)(intptr_t)e);
    long bad = 0;
    for (int i = 0; i < T; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    CHECK("a runtime per thread, created/used/destroyed in a loop", bad == 0);
}

/* Under ThreadSanitizer only the interpreter runs here: JIT code is not
 * instrumented, so TSan cannot see that machine code reads the namespace
 * slots with acquire semantics (a plain x86 load is one) and reports the
 * publication of every kp_fn as a race. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

int main(void)
{
    shared_runtime(KP_ENGINE_INTERP);
    many_runtimes(KP_ENGINE_INTERP);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *probe = NULL;
    if (!UNDER_TSAN && kp_runtime_create(&cfg, &probe) == KP_OK) {
        kp_runtime_destroy(probe);
        check_prefix = "jit: ";
        shared_runtime(KP_ENGINE_JIT);
        many_runtimes(KP_ENGINE_JIT);
        check_prefix = "";
    }
    return CHECK_DONE();
}

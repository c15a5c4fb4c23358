/* test_runaway.c — runaway plugins on both engines: per-call deadlines
 * (kp_call_ex), interrupting one call with a token, the runtime-wide
 * interrupt, loops inside built-in-heavy code (memset/strlen of large
 * buffers), unbounded recursion, and deterministic fuel (the same cut-off
 * on both engines). Prints how long after its deadline a runaway call
 * stops; asserts only a generous bound. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kplug.h"
#include "check.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *runaway_src =
    "#include <string.h>\n"
    "#include <stdlib.h>\n"
    "int counter;\n"
    "int spin(void) { for (;;) counter++; }\n"
    "int spin_goto(void) { top: counter++; goto top; }\n"
    "int rec(int n) { return rec(n + 1) + 1; }\n"
    "int frames(int n) { char buf[256]; buf[n & 255] = (char)n; return frames(n + 1) + buf[3]; }\n"
    "static char *big, *str;\n"
    "int memset_loop(void) {\n"
    "    if (!big) big = malloc(32 << 20);\n"
    "    char *p = big;\n"
    "    if (!p) return -1;\n"
    "    for (;;) { memset(p, counter++, 32 << 20); }\n"
    "}\n"
    "int strlen_loop(void) {\n"
    "    if (!str) str = malloc(16 << 20);\n"
    "    char *p = str;\n"
    "    if (!p) return -1;\n"
    "    memset(p, 'x', (16 << 20) - 1); p[(16 << 20) - 1] = 0;\n"
    "    for (;;) { counter += (int)strlen(p); }\n"
    "}\n"
    "int add1(int x) { return x + 1; }\n"
    /* loops the JIT runs in its counted form (no poll per iteration, the
     * strip to the next poll in the loop's compare): endless all the same */
    "unsigned top = 4294967295u;\n"
    "int counted(void) { int s = 0; for (;;) for (int i = 0; i < 2147483647; i++) { s ^= i * 7; counter = s; } }\n"
    "int counted_wrap(void) { unsigned s = 0, m = top; for (unsigned i = 0; i <= m; i++) { s += i; counter = (int)s; } return (int)s; }\n"
    /* for several threads at once: no shared plugin data */
    "int spin_local(void) { int c = 0; for (;;) c++; }\n";

static kp_runtime *mk(kp_engine e)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    cfg.mem_limit = 128 << 20;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return NULL;
    if (kp_plugin_add(rt, "runaway", runaway_src, strlen(runaway_src)) != KP_OK) {
        printf("# %s\n", kp_errmsg());
        kp_runtime_destroy(rt);
        return NULL;
    }
    return rt;
}

static int call_opts(kp_runtime *rt, const char *name, const kp_value *a, int n,
                     const kp_call_opts *o, kp_value *r)
{
    kp_func *f;
    int rc = kp_lookup(rt, name, &f);
    if (rc)
        return rc;
    kp_value tmp;
    return kp_call_ex(f, a, n, r ? r : &tmp, o);
}

static double worst_overshoot_ms[3];

/* A call with a deadline of `ms`: the result code, and how long past the
 * deadline it returned. */
static int timed(kp_runtime *rt, const char *fn, unsigned ms, double *over_ms)
{
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.deadline_ms = ms;
    uint64_t t0 = now_ns();
    int rc = call_opts(rt, fn, NULL, 0, &o, NULL);
    *over_ms = (double)(now_ns() - t0) / 1e6 - ms;
    return rc;
}

/* ---- interrupting one call ------------------------------------------------ */

typedef struct {
    kp_runtime *rt;
    kp_call_token *tok;
    atomic_int started;
    int rc;
    _Atomic uint64_t end_ns;
} spinner;

static void *spin_thread(void *arg)
{
    spinner *s = arg;
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.token = s->tok;
    o.deadline_ms = 10000; /* safety net only */
    atomic_store(&s->started, 1);
    s->rc = call_opts(s->rt, "spin_local", NULL, 0, &o, NULL);
    s->end_ns = now_ns();
    return NULL;
}

static void wait_running(spinner *s)
{
    while (!atomic_load(&s->started))
        ;
    struct timespec ts = { 0, 20 * 1000000 };
    nanosleep(&ts, NULL); /* let it get into the loop */
}

static void tokens(kp_runtime *rt, const char *eng)
{
    spinner a = { rt, kp_call_token_new(), 0, 0, 0 };
    spinner b = { rt, kp_call_token_new(), 0, 0, 0 };
    CHECK("tokens made", a.tok && b.tok);
    pthread_t ta, tb;
    pthread_create(&ta, NULL, spin_thread, &a);
    pthread_create(&tb, NULL, spin_thread, &b);
    wait_running(&a);
    wait_running(&b);
    uint64_t t0 = now_ns();
    kp_interrupt_call(a.tok);
    pthread_join(ta, NULL);
    double lat = (double)(a.end_ns - t0) / 1e6;
    CHECK("kp_interrupt_call stops that call", a.rc == KP_TRAP_INTERRUPTED);
    CHECK("the other call keeps running", b.end_ns == 0);
    printf("# %s: kp_interrupt_call latency %.3f ms\n", eng, lat);
    if (lat > worst_overshoot_ms[2])
        worst_overshoot_ms[2] = lat;
    CHECK("interrupt latency < 200 ms", lat < 200);
    /* The runtime-wide interrupt reaches token calls too (at a clock check). */
    t0 = now_ns();
    kp_interrupt(rt);
    pthread_join(tb, NULL);
    lat = (double)(b.end_ns - t0) / 1e6;
    printf("# %s: kp_interrupt latency (token call) %.3f ms\n", eng, lat);
    CHECK("kp_interrupt stops token calls", b.rc == KP_TRAP_INTERRUPTED);
    CHECK("kp_interrupt latency < 200 ms", lat < 200);
    /* A token interrupted before a call does not affect it. */
    kp_value r, arg = KP_I32(41);
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.token = a.tok;
    CHECK("earlier interrupts don't affect later calls",
          call_opts(rt, "add1", &arg, 1, &o, &r) == KP_OK && r.v.i32 == 42);
    kp_call_token_free(a.tok);
    kp_call_token_free(b.tok);
}

/* ---- fuel ------------------------------------------------------------------- */

static const char *fuel_srcs[] = {
    "int a, b, c;\n"
    "int run(void) { for (;;) { for (int i = 0; i < 7; i++) b += i; a++; } }\n",
    "int a, b, c;\n"
    "static int leaf(int x) { c++; return x * 3 + 1; }\n"
    "int run(void) { for (;;) { b = leaf(b) & 0xffff; a++; } }\n",
    "int a, b, c;\n"
    "static int f(int n) { b++; return n ? f(n - 1) + 1 : 0; }\n"
    "int run(void) { for (;;) { c += f(a % 5); a++; } }\n",
    "int a, b, c;\n"
    "int run(void) { while (1) { int i = 0; do { b ^= i * 7; } while (++i < 5);\n"
    "  switch (a % 3) { case 0: c++; break; case 1: c += 2; break; default: break; }\n"
    "  a++; if (a % 11 == 0) continue; b++; } }\n",
    "int a, b, c; int arr[16];\n"
    "static void bump(int *p, int n) { for (int i = 0; i < n; i++) p[i]++; }\n"
    "int run(void) { for (;;) { bump(arr, 16); a++; b += arr[a & 15]; if (a > 100000) return 0; } }\n",
};

static int fuel_state(kp_engine e, const char *src, uint64_t fuel, int st[4], uint64_t *left)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    kp_runtime *rt;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return -100;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s int ga(void) { return a; } int gb(void) { return b; }"
                              " int gc(void) { return c; }", src);
    int rc = kp_plugin_add(rt, "f", buf, strlen(buf));
    if (rc) {
        printf("# %s\n", kp_errmsg());
        kp_runtime_destroy(rt);
        return -101;
    }
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.fuel = fuel;
    o.fuel_left = left;
    kp_value r;
    rc = call_opts(rt, "run", NULL, 0, &o, NULL);
    st[0] = rc;
    call_opts(rt, "ga", NULL, 0, NULL, &r);
    st[1] = r.v.i32;
    call_opts(rt, "gb", NULL, 0, NULL, &r);
    st[2] = r.v.i32;
    call_opts(rt, "gc", NULL, 0, NULL, &r);
    st[3] = r.v.i32;
    kp_runtime_destroy(rt);
    return 0;
}

static int nested_fuel_bi(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    kp_func *f;
    if (kp_lookup(kp_callctx_runtime(cx), "spin", &f))
        return kp_fail(cx, "no spin");
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.fuel = 1000000000; /* more than the enclosing call has: that one wins */
    kp_value r;
    ret->v.i32 = kp_call_ex(f, NULL, 0, &r, &o);
    return KP_OK;
}

static void fuel_tests(int have_jit)
{
    /* Deterministic: the same fuel gives the same state, on both engines. */
    int bad = 0, traps = 0;
    for (unsigned si = 0; si < sizeof fuel_srcs / sizeof *fuel_srcs; si++) {
        uint64_t fuels[] = { 1, 2, 3, 5, 17, 100, 1000, 4095, 4096, 4097, 10000, 123457 };
        for (unsigned k = 0; k < sizeof fuels / sizeof *fuels; k++) {
            int s1[4], s2[4], s3[4];
            uint64_t l1 = 7, l2 = 7, l3 = 7;
            if (fuel_state(KP_ENGINE_INTERP, fuel_srcs[si], fuels[k], s1, &l1) ||
                fuel_state(KP_ENGINE_INTERP, fuel_srcs[si], fuels[k], s3, &l3)) {
                bad++;
                continue;
            }
            if (memcmp(s1, s3, sizeof s1) != 0)
                bad++;
            if (s1[0] == KP_TRAP_FUEL)
                traps++;
            if (s1[0] == KP_TRAP_FUEL && l1 != 0)
                bad++;
            if (have_jit) {
                if (fuel_state(KP_ENGINE_JIT, fuel_srcs[si], fuels[k], s2, &l2)) {
                    bad++;
                    continue;
                }
                if (memcmp(s1, s2, sizeof s1) != 0 || l1 != l2) {
                    printf("# fuel %llu src %u: interp rc %d a %d b %d c %d, jit rc %d a %d b %d c %d\n",
                           (unsigned long long)fuels[k], si, s1[0], s1[1], s1[2], s1[3],
                           s2[0], s2[1], s2[2], s2[3]);
                    bad++;
                }
            }
        }
    }
    CHECK("fuel: runs stop with KP_TRAP_FUEL", traps > 40);
    CHECK(have_jit ? "fuel: identical state at the cut-off, both engines, every run"
                   : "fuel: identical state at the cut-off, every run",
          bad == 0);
    CHECK("KP_TRAP_FUEL has a name", strcmp(kp_result_name(KP_TRAP_FUEL), "KP_TRAP_FUEL") == 0);

    /* Fuel counts polls: a little more fuel gets a little further. */
    int s[4], t[4];
    uint64_t l;
    fuel_state(KP_ENGINE_INTERP, fuel_srcs[0], 1000, s, &l);
    fuel_state(KP_ENGINE_INTERP, fuel_srcs[0], 2000, t, &l);
    CHECK("more fuel, more work", t[1] > s[1] && s[1] > 0);
    /* A finite call reports what is left. */
    fuel_state(KP_ENGINE_INTERP, fuel_srcs[4], 100000000, s, &l);
    CHECK("finite call: no trap, fuel left reported", s[0] == KP_OK && l > 0 && l < 100000000);

    /* A nested call draws on the enclosing call's fuel. */
    kp_runtime *rt = mk(KP_ENGINE_INTERP);
    CHECK("nested: setup", rt && kp_builtin_add(rt, "int nest(void)", nested_fuel_bi, NULL) == KP_OK);
    const char *src = "#include <kplug.h>\nint outer(void) { return nest(); }\n";
    CHECK("nested: plugin", kp_plugin_add(rt, "n", src, strlen(src)) == KP_OK);
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.fuel = 50000;
    uint64_t left = 99;
    o.fuel_left = &left;
    kp_value r;
    uint64_t t0 = now_ns();
    int rc = call_opts(rt, "outer", NULL, 0, &o, &r);
    CHECK("nested call runs out of the enclosing call's fuel",
          rc == KP_OK && r.v.i32 == KP_TRAP_FUEL && (now_ns() - t0) < 2000000000ull);
    kp_runtime_destroy(rt);
}

/* A long-running built-in that cooperates through kp_callctx_check. */
static int bi_slow(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ret, (void)ud;
    for (;;) {
        int rc = kp_callctx_check(cx);
        if (rc)
            return rc;
        struct timespec ts = { 0, 200000 };
        nanosleep(&ts, NULL);
    }
}

/* ---- per engine --------------------------------------------------------------- */

static void suite(kp_engine e, const char *eng)
{
    kp_runtime *rt = mk(e);
    CHECK("runtime", rt != NULL);
    if (!rt)
        return;
    double over;
    int rc;
    const char *loops[] = { "spin", "spin_goto", "memset_loop", "strlen_loop", "counted",
                            "counted_wrap" };
    for (unsigned i = 0; i < sizeof loops / sizeof *loops; i++) {
        double worst = 0;
        for (int rep = 0; rep < 3; rep++) {
            rc = timed(rt, loops[i], 30, &over);
            if (rc != KP_TRAP_TIMEOUT)
                break;
            if (over > worst)
                worst = over;
        }
        char name[128];
        snprintf(name, sizeof name, "%s stops at its deadline (KP_TRAP_TIMEOUT)", loops[i]);
        CHECK(name, rc == KP_TRAP_TIMEOUT);
        printf("# %s: %s stopped %.3f ms after its deadline (worst of 3)\n", eng, loops[i], worst);
        snprintf(name, sizeof name, "%s: overshoot < 200 ms", loops[i]);
        CHECK(name, worst < 200);
        int slot = i == 2 || i == 3; /* built-in loops */
        if (worst > worst_overshoot_ms[slot])
            worst_overshoot_ms[slot] = worst;
    }
    CHECK("timeout message", strstr(kp_errmsg(), "deadline") != NULL);
    /* deadline_us wins over deadline_ms */
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.deadline_ms = 100000;
    o.deadline_us = 5000;
    uint64_t t0 = now_ns();
    rc = call_opts(rt, "spin", NULL, 0, &o, NULL);
    CHECK("deadline_us", rc == KP_TRAP_TIMEOUT && now_ns() - t0 < 1000000000ull);
    /* the runtime's default deadline, set as a limit, and NO_DEADLINE */
    CHECK("default deadline via kp_runtime_set_limit",
          kp_runtime_set_limit(rt, KP_LIMIT_DEADLINE_MS, 20) == KP_OK);
    rc = call_opts(rt, "spin", NULL, 0, NULL, NULL);
    CHECK("default deadline applies", rc == KP_TRAP_TIMEOUT);
    memset(&o, 0, sizeof o);
    o.flags = KP_CALL_NO_DEADLINE;
    o.fuel = 3000000;
    rc = call_opts(rt, "spin", NULL, 0, &o, NULL);
    CHECK("KP_CALL_NO_DEADLINE ignores it (fuel stops the call)", rc == KP_TRAP_FUEL);
    kp_runtime_set_limit(rt, KP_LIMIT_DEADLINE_MS, 0);
    /* unbounded recursion: stack or depth */
    kp_value a0 = KP_I32(0);
    rc = call_opts(rt, "rec", &a0, 1, NULL, NULL);
    CHECK("infinite recursion traps KP_TRAP_STACK", rc == KP_TRAP_STACK);
    rc = call_opts(rt, "frames", &a0, 1, NULL, NULL);
    CHECK("infinite recursion with frames traps KP_TRAP_STACK", rc == KP_TRAP_STACK);
    /* still usable */
    kp_value r, arg = KP_I32(1);
    CHECK("runtime usable afterwards", call_opts(rt, "add1", &arg, 1, NULL, &r) == KP_OK &&
                                           r.v.i32 == 2);
    tokens(rt, eng);

    CHECK("slow built-in", kp_builtin_add(rt, "void slow(void)", bi_slow, NULL) == KP_OK &&
                               kp_plugin_add(rt, "callslow", "#include <kplug.h>\n"
                                             "int call_slow(void) { slow(); return 1; }", 60) == KP_OK);
    rc = timed(rt, "call_slow", 20, &over);
    CHECK("a built-in checking kp_callctx_check stops at the deadline",
          rc == KP_TRAP_TIMEOUT && over < 200);

    /* A loop whose body is long straight-line code polls rarely: the
     * clock-check interval adapts, so the deadline is still met closely. */
    size_t cap = 1 << 20, n = 0;
    char *src = malloc(cap);
    n += (size_t)snprintf(src + n, cap - n, "int g[64];\nint long_body(void) {\n for (;;) {\n");
    for (int i = 0; i < 6000; i++)
        n += (size_t)snprintf(src + n, cap - n, "  g[%d] = g[%d] * 3 + %d;\n", i & 63, (i * 7) & 63, i);
    n += (size_t)snprintf(src + n, cap - n, " }\n}\n");
    CHECK("long-body plugin", kp_plugin_add(rt, "long", src, n) == KP_OK);
    free(src);
    double worst = 0;
    for (int rep = 0; rep < 3; rep++) {
        rc = timed(rt, "long_body", 30, &over);
        if (over > worst)
            worst = over;
    }
    CHECK("long loop body stops at its deadline", rc == KP_TRAP_TIMEOUT);
    printf("# %s: long_body stopped %.3f ms after its deadline (worst of 3)\n", eng, worst);
    CHECK("long_body: overshoot < 200 ms", worst < 200);
    if (worst > worst_overshoot_ms[0])
        worst_overshoot_ms[0] = worst;
    kp_runtime_destroy(rt);
}

int main(void)
{
    suite(KP_ENGINE_INTERP, "interp");
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *probe = NULL;
    int have_jit = kp_runtime_create(&cfg, &probe) == KP_OK;
    kp_runtime_destroy(probe);
    if (have_jit) {
        check_prefix = "jit: ";
        suite(KP_ENGINE_JIT, "jit");
        check_prefix = "";
    }
    fuel_tests(have_jit);
    printf("# worst overshoot past the deadline: plugin loops %.3f ms, built-in loops "
           "%.3f ms; worst interrupt latency %.3f ms\n",
           worst_overshoot_ms[0], worst_overshoot_ms[1], worst_overshoot_ms[2]);
    return CHECK_DONE();
}

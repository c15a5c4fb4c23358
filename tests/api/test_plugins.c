/* test_plugins.c — plugins end to end on the runtime: add, call, replace,
 * delete, late binding, traps with positions, deadlines, interrupts from
 * another thread, create/lookup/delete from plugin code, built-ins called
 * by plugins, memory exchange, limits. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kplug.h"
#include "check.h"

static kp_runtime *rt;

static int add(const char *name, const char *src)
{
    return kp_plugin_add(rt, name, src, strlen(src));
}

static int call(const char *fn, const kp_value *args, int n, kp_value *r)
{
    kp_func *f;
    int rc = kp_lookup(rt, fn, &f);
    if (rc)
        return rc;
    return kp_call(f, args, n, r);
}

static int call_i(const char *fn, int *out)
{
    kp_value r;
    int rc = call(fn, NULL, 0, &r);
    *out = rc ? -999999 : r.v.i32;
    return rc;
}

static int hsum(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* int hsum(int n, ...): adds every extra, checking the promoted types */
    int64_t s = 0;
    for (int i = 1; i < n; i++) {
        if (a[i].type == KP_T_I32)
            s += a[i].v.i32;
        else if (a[i].type == KP_T_I64)
            s += a[i].v.i64 * 1000;
        else if (a[i].type == KP_T_F64)
            s += (int64_t)(a[i].v.f64 * 100);
        else
            return kp_fail(cx, "type %d", a[i].type);
    }
    ret->v.i32 = (int)s;
    return KP_OK;
}

static int hfail(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    return kp_fail(cx, "refused %d", a[0].v.i32);
}

static int hupper(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* void hupper(char *s): uppercases a plugin string in place */
    char *s = (char *)kp_callctx_str(cx, a[0].v.ptr, 4096);
    if (!s)
        return kp_fail(cx, "bad string");
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s -= 32;
    return KP_OK;
}

static int hnested(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* int hnested(int x): calls plugin function twice_plus(x) */
    kp_func *f;
    if (kp_lookup(kp_callctx_runtime(cx), "twice_plus", &f))
        return kp_fail(cx, "no twice_plus");
    kp_value args[1] = { KP_I32(a[0].v.i32) }, r;
    int rc = kp_call(f, args, 1, &r);
    if (rc)
        return kp_fail(cx, "nested: %s", kp_errmsg());
    ret->v.i32 = r.v.i32;
    return KP_OK;
}

/* how often hswallow came back from its kp_call: a stale frame left by
 * the nested trap would replay that return when the caller traps */
static int swallow_returns;

static int hswallow(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* int hswallow(int w): calls trapper(w), which traps, and returns the
     * nested call's result code instead of failing */
    kp_func *f;
    if (kp_lookup(kp_callctx_runtime(cx), "trapper", &f))
        return kp_fail(cx, "no trapper");
    kp_value args[1] = { KP_I32(a[0].v.i32) }, r;
    ret->v.i32 = kp_call(f, args, 1, &r);
    swallow_returns++;
    return KP_OK;
}

/* Interrupts until told to stop: a single kp_interrupt could come before
 * the call it aims at has started (on a loaded machine) and miss it. */
static _Atomic int intr_stop;
static void *interrupter(void *arg)
{
    while (!intr_stop) {
        usleep(20000);
        kp_interrupt(rt);
    }
    return NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static _Atomic int loop_started;
static void *loop_caller(void *arg)
{
    kp_value r;
    loop_started = 1;
    return (void *)(long)kp_call(arg, NULL, 0, &r);
}

static _Atomic int spin_stop;
static void *spin_caller(void *arg)
{
    long bad = 0;
    kp_func *f;
    kp_lookup(rt, "version", &f);
    while (!spin_stop) {
        kp_value r;
        int rc = kp_call(f, NULL, 0, &r);
        if (rc != KP_OK || (r.v.i32 != 1 && r.v.i32 != 2))
            bad++;
    }
    return (void *)bad;
}

static int suite(kp_engine engine)
{
    spin_stop = 0;
    loop_started = 0;
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.mem_limit = 16 << 20;
    cfg.stack_size = 256 << 10;
    cfg.engine = engine;
    CHECK("create", kp_runtime_create(&cfg, &rt) == KP_OK);
    int v;
    kp_value r, args[4];

    /* ---- basics ---- */
    CHECK("add basics", add("basics",
        "#include <stdlib.h>\n#include <string.h>\n"
        "static int sq(int x) { return x * x; }\n"
        "int f42(void) { return 42; }\n"
        "long lmul(long a, long b) { return a * b; }\n"
        "double avg(double a, float b) { return (a + b) / 2; }\n"
        "float half(float x) { return x / 2; }\n"
        "int sumsq(int a, int b) { return sq(a) + sq(b); }\n"
        "int strsum(const char *s) { int t = 0; while (*s) t += *s++; return t; }\n"
        "void fill(unsigned char *p, int n, int c) { for (int i = 0; i < n; i++) p[i] = c + i; }\n"
        "char *dup(const char *s) { char *d = malloc(strlen(s) + 1); strcpy(d, s); return d; }\n") == KP_OK || (printf("# %s\n", kp_errmsg()), 0));
    CHECK("call f42", call_i("f42", &v) == KP_OK && v == 42);
    args[0] = KP_I64(1LL << 33); args[1] = KP_I64(3);
    CHECK("call lmul", call("lmul", args, 2, &r) == KP_OK && r.type == KP_T_I64 &&
                           r.v.i64 == 3LL << 33);
    args[0] = KP_F64(1.5); args[1] = KP_F32(2.5f);
    CHECK("call avg", call("avg", args, 2, &r) == KP_OK && r.type == KP_T_F64 && r.v.f64 == 2.0);
    args[0] = KP_F32(3.0f);
    CHECK("call half", call("half", args, 1, &r) == KP_OK && r.type == KP_T_F32 && r.v.f32 == 1.5f);
    args[0] = KP_I32(3); args[1] = KP_I32(4);
    CHECK("call sumsq", call("sumsq", args, 2, &r) == KP_OK && r.v.i32 == 25);
    kp_func *f;
    CHECK("static is private", kp_lookup(rt, "sq", &f) == KP_ERR_NOT_FOUND);
    args[0] = KP_I32(3);
    CHECK("signature check", call("sumsq", args, 1, &r) == KP_ERR_SIGNATURE);
    /* kp_call's fast path checks types and masks values without branches:
     * a wrong type in any position, or a type number outside kp_type
     * that equals a valid one in its low bits, is still refused ... */
    args[0] = KP_I32(3); args[1] = KP_I64(4);
    CHECK("signature check, 2nd argument", call("sumsq", args, 2, &r) == KP_ERR_SIGNATURE);
    args[1] = KP_I32(4); args[1].type = (kp_type)(KP_T_I32 + 8);
    CHECK("signature check, bogus type", call("sumsq", args, 2, &r) == KP_ERR_SIGNATURE);
    /* ... and a 32-bit argument's unused upper half never reaches the
     * plugin, nor does garbage in a result's unused bytes reach the host */
    args[0].type = KP_T_I32; args[0].v.i64 = (int64_t)0x7eadbeef00000003LL;
    args[1].type = KP_T_I32; args[1].v.i64 = (int64_t)0x1234567800000004LL;
    memset(&r, 0x5a, sizeof r);
    CHECK("32-bit arguments masked", call("sumsq", args, 2, &r) == KP_OK && r.type == KP_T_I32 &&
                                         r.v.i64 == 25);
    args[0] = KP_F32(3.0f);
    memset(&r, 0x5a, sizeof r);
    CHECK("float result zero-extended", call("half", args, 1, &r) == KP_OK && r.v.f32 == 1.5f &&
                                            (uint64_t)r.v.i64 >> 32 == 0);

    /* ---- memory exchange ---- */
    kp_ptr buf = kp_alloc(rt, 64);
    strcpy(kp_host_ptr(rt, buf, 64), "abc");
    args[0] = KP_PTR(buf);
    CHECK("plugin reads host buffer", call("strsum", args, 1, &r) == KP_OK &&
                                          r.v.i32 == 'a' + 'b' + 'c');
    args[0] = KP_PTR(buf); args[1] = KP_I32(10); args[2] = KP_I32(100);
    unsigned char *hb = kp_host_ptr(rt, buf, 64);
    CHECK("plugin writes host buffer", call("fill", args, 3, &r) == KP_OK && r.type == KP_T_VOID &&
                                           hb[0] == 100 && hb[9] == 109);
    strcpy(kp_host_ptr(rt, buf, 64), "xyz");
    args[0] = KP_PTR(buf);
    CHECK("plugin malloc to host", call("dup", args, 1, &r) == KP_OK && r.v.ptr &&
                                       strcmp(kp_host_ptr(rt, r.v.ptr, 4), "xyz") == 0);
    kp_free(rt, r.v.ptr);
    CHECK("host frees plugin block", kp_last_error()->code != KP_ERR_ARG ||
                                         !strstr(kp_errmsg(), "kp_free"));
    kp_free(rt, buf);

    /* ---- compile errors, clashes ---- */
    int rc = add("bad", "int g(void) {\n  return 1 +;\n}\nint h(void) { return x; }\n");
    const kp_error *e = kp_last_error();
    CHECK("compile error", rc == KP_ERR_COMPILE && e->code == KP_ERR_COMPILE &&
                               strstr(e->message, "bad:2:") && e->line == 2 &&
                               strcmp(e->plugin, "bad") == 0);
    CHECK("compile error lists all", strstr(kp_errmsg(), "bad:4:") != NULL);
    CHECK("nothing linked", kp_lookup(rt, "g", &f) == KP_ERR_NOT_FOUND);
    CHECK("clash", add("clash", "int newname(void) { return 1; }\nint f42(void) { return 0; }") ==
                       KP_ERR_EXISTS && strstr(kp_errmsg(), "f42"));
    CHECK("clash links nothing", kp_lookup(rt, "newname", &f) == KP_ERR_NOT_FOUND);
    CHECK("plugin name taken", add("basics", "int q1(void) { return 1; }") == KP_ERR_EXISTS);
    CHECK("builtin name clash", add("p2", "int lookup(void) { return 1; }") == KP_ERR_EXISTS);

    /* ---- late binding ---- */
    CHECK("add caller", add("caller", "int later(int);\nint use_later(void) { return later(20) + 1; }") == KP_OK);
    rc = call_i("use_later", &v);
    CHECK("unlinked import traps", rc == KP_TRAP_UNLINKED && strstr(kp_errmsg(), "use_later") &&
                                       kp_last_error()->line == 2);
    CHECK("add callee", add("callee", "int later(int x) { return x * 2; }") == KP_OK);
    CHECK("import resolves", call_i("use_later", &v) == KP_OK && v == 41);

    /* ---- replace ---- */
    CHECK("add versioned", add("ver", "int version(void) { return 1; }\nint gone(void) { return 5; }\n"
                                      "static int k = 7; int getk(void) { return k; }") == KP_OK);
    kp_func *hv;
    kp_lookup(rt, "version", &hv);
    CHECK("v1", kp_call(hv, NULL, 0, &r) == KP_OK && r.v.i32 == 1);
    rc = kp_plugin_replace(rt, "ver", "int version(void) { return 2 +; }", 33);
    CHECK("bad replace keeps old", rc == KP_ERR_COMPILE && kp_call(hv, NULL, 0, &r) == KP_OK &&
                                       r.v.i32 == 1);
    const char *v2 = "int version(void) { return 2; }\nstatic int k = 9; int getk(void) { return k; }";
    CHECK("replace", kp_plugin_replace(rt, "ver", v2, strlen(v2)) == KP_OK);
    CHECK("handle follows", kp_call(hv, NULL, 0, &r) == KP_OK && r.v.i32 == 2);
    CHECK("dropped name unlinked", call_i("gone", &v) == KP_ERR_NOT_FOUND);
    CHECK("new globals", call_i("getk", &v) == KP_OK && v == 9);
    CHECK("replace absent = add", kp_plugin_replace(rt, "fresh", "int fr(void){return 3;}", 23) == KP_OK &&
                                      call_i("fr", &v) == KP_OK && v == 3);
    CHECK("replace cannot steal", kp_plugin_replace(rt, "fresh", "int f42(void){return 3;}", 24) ==
                                      KP_ERR_EXISTS && call_i("fr", &v) == KP_OK);

    /* replace while other threads call */
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, spin_caller, NULL);
    int rok = 1;
    for (int i = 0; i < 200; i++) {
        /* 1 MiB of globals per version in a 16 MiB runtime: old versions
         * must be reclaimed while calls keep overlapping. */
        const char *s = i % 2 ? "static char pad[1 << 20]; int version(void) { return pad[5] + 1; }"
                              : "static char pad[1 << 20]; int version(void) { return pad[7] + 2; }";
        rok &= kp_plugin_replace(rt, "ver", s, strlen(s)) == KP_OK;
    }
    spin_stop = 1;
    long bad = 0;
    for (int i = 0; i < 3; i++) {
        void *b;
        pthread_join(th[i], &b);
        bad += (long)b;
    }
    CHECK("replace under concurrent calls", rok && bad == 0);
    if (!rok)
        printf("# %s\n", kp_errmsg());

    /* ---- delete ---- */
    CHECK("delete by function name", kp_delete(rt, "later") == KP_OK &&
                                         call_i("use_later", &v) == KP_TRAP_UNLINKED);
    CHECK("plugin gone", kp_delete(rt, "callee") == KP_ERR_NOT_FOUND);

    /* ---- traps ---- */
    CHECK("add traps", add("traps",
        "#include <stdlib.h>\n#include <string.h>\n"
        "int null(void) { int *p = 0; return *p; }\n"
        "int divz(int a, int b) { return a / b; }\n"
        "int rec(int n) { return rec(n + 1) + 1; }\n"
        "int ab(void) { abort(); return 0; }\n"
        "int badfree(void) { free((void *)12345); return 0; }\n"
        "int dblfree(void) { char *p = malloc(10); free(p); free(p); return 0; }\n"
        "int unterminated(void) { char *p = malloc(16); memset(p, 'a', 16); return strlen(p + 16 * 0) > 100000000; }\n"
        "int far(void) { return *(int *)0xFFFFFFF0u; }\n"
        "int loop(void) { volatile int x = 0; for (;;) x++; return x; }\n"
        "int grab(void) { void **head = 0, **b; int n = 0;\n"
        "  while ((b = malloc(1 << 20))) { *b = head; head = b; n++; }\n"
        "  while (head) { b = *head; free(head); head = b; } return n; }\n") == KP_OK ||
        (printf("# %s\n", kp_errmsg()), 0));
    rc = call_i("null", &v);
    e = kp_last_error();
    CHECK("null deref", rc == KP_TRAP_MEMORY && e->line == 3 && strcmp(e->plugin, "traps") == 0 &&
                            strcmp(e->function, "null") == 0 &&
                            strstr(e->message, "plugin 'traps', function 'null', line 3:"));
    args[0] = KP_I32(1); args[1] = KP_I32(0);
    CHECK("div by zero", call("divz", args, 2, &r) == KP_TRAP_DIV && kp_last_error()->line == 4);
    args[0] = KP_I32(INT32_MIN); args[1] = KP_I32(-1);
    CHECK("INT_MIN / -1", call("divz", args, 2, &r) == KP_TRAP_DIV);
    args[0] = KP_I32(0);
    CHECK("recursion", call("rec", args, 1, &r) == KP_TRAP_STACK);
    CHECK("abort", call_i("ab", &v) == KP_TRAP_BUILTIN && strstr(kp_errmsg(), "abort"));
    CHECK("bad free", call_i("badfree", &v) == KP_TRAP_MEMORY && strstr(kp_errmsg(), "free"));
    CHECK("double free", call_i("dblfree", &v) == KP_TRAP_MEMORY);
    CHECK("far pointer", call_i("far", &v) == KP_TRAP_MEMORY);
    rc = call_i("grab", &v);
    CHECK("malloc exhausts to 0", rc == KP_OK && v > 5 && v < 16);
    CHECK("still usable", call_i("f42", &v) == KP_OK && v == 42);

    /* deadline and interrupt */
    kp_set_deadline(rt, 30);
    double t0 = now_ms();
    rc = call_i("loop", &v);
    double dt = now_ms() - t0;
    CHECK("deadline", rc == KP_TRAP_TIMEOUT && dt >= 29 && dt < 1000);
    kp_set_deadline(rt, 0);
    pthread_t it;
    intr_stop = 0;
    pthread_create(&it, NULL, interrupter, NULL);
    rc = call_i("loop", &v);
    intr_stop = 1;
    pthread_join(it, NULL);
    CHECK("interrupt from another thread", rc == KP_TRAP_INTERRUPTED);
    CHECK("later calls unaffected", call_i("f42", &v) == KP_OK && v == 42);
    /* delete a plugin while another thread runs inside it: its code must
     * survive until that call is stopped and has returned */
    kp_lookup(rt, "loop", &f);
    pthread_create(&it, NULL, loop_caller, f);
    while (!loop_started)
        usleep(1000);
    usleep(20000);
    CHECK("delete while running", kp_delete(rt, "traps") == KP_OK &&
                                      kp_lookup(rt, "loop", &f) == KP_ERR_NOT_FOUND);
    usleep(20000);
    pthread_t it2;
    intr_stop = 0;
    pthread_create(&it2, NULL, interrupter, NULL);
    void *lr;
    pthread_join(it, &lr);
    intr_stop = 1;
    pthread_join(it2, NULL);
    CHECK("deleted code ran to its interrupt", (long)lr == KP_TRAP_INTERRUPTED);

    /* ---- built-ins from plugins ---- */
    CHECK("builtin hsum", kp_builtin_add(rt, "int hsum(int n, ...)", hsum, NULL) == KP_OK);
    CHECK("builtin hfail", kp_builtin_add(rt, "int hfail(int x)", hfail, NULL) == KP_OK);
    CHECK("builtin hupper", kp_builtin_add(rt, "void hupper(char *s)", hupper, NULL) == KP_OK);
    CHECK("builtin hnested", kp_builtin_add(rt, "int hnested(int x)", hnested, NULL) == KP_OK);
    CHECK("add user", add("user",
        "#include <kplug.h>\n"
        "int vsum(void) { long l = 2; return hsum(3, 1, l, 0.5); }\n"
        "int failer(void) {\n  return hfail(3);\n}\n"
        "int up(void) { char s[8] = \"hey\"; hupper(s); return s[0] + s[2]; }\n"
        "int twice_plus(int x) { return 2 * x + 1; }\n"
        "int nest(int x) { return hnested(x) + 1000; }\n") == KP_OK ||
        (printf("# %s\n", kp_errmsg()), 0));
    CHECK("variadic builtin", call_i("vsum", &v) == KP_OK && v == 1 + 2000 + 50);
    rc = call_i("failer", &v);
    CHECK("kp_fail from plugin", rc == KP_TRAP_BUILTIN && strstr(kp_errmsg(), "refused 3") &&
                                     kp_last_error()->line == 4 &&
                                     strcmp(kp_last_error()->function, "failer") == 0);
    CHECK("builtin writes plugin stack", call_i("up", &v) == KP_OK && v == 'H' + 'Y');
    args[0] = KP_I32(5);
    CHECK("nested plugin call", call("nest", args, 1, &r) == KP_OK && r.v.i32 == 1011);
    /* A nested call that traps (a fault, a division, the depth limit: the
     * signal and the C unwinding paths) unwinds only itself: the enclosing
     * activation goes on with its plugin stack and frame intact, and the
     * thread's calls work afterwards. */
    CHECK("builtin hswallow", kp_builtin_add(rt, "int hswallow(int w)", hswallow, NULL) == KP_OK);
    CHECK("add swallow", add("swallow", "#include <kplug.h>\n"
        "int trapper(int w) {\n"
        "  if (w == 0) return *(volatile int *)0;\n"
        "  if (w == 1) { volatile int z = 0; return 7 / z; }\n"
        "  return trapper(w) + 1;\n}\n"
        "int survive(int w) {\n"
        "  int a[16], s = 0;\n"
        "  for (int i = 0; i < 16; i++) a[i] = i * 3;\n"
        "  int rc = hswallow(w);\n"
        "  for (int i = 0; i < 16; i++) s += a[i];\n"
        "  return s * 1000 + rc;\n}\n"
        "int then_trap(int w) {\n"
        "  hswallow(w);\n"
        "  return *(volatile int *)4;\n}\n") == KP_OK || (printf("# %s\n", kp_errmsg()), 0));
    static const int swallow_code[3] = {KP_TRAP_MEMORY, KP_TRAP_DIV, KP_TRAP_STACK};
    for (int w = 0; w < 3; w++) {
        args[0] = KP_I32(w);
        CHECK("nested trap swallowed, caller intact",
              call("survive", args, 1, &r) == KP_OK && r.v.i32 == 360 * 1000 + swallow_code[w]);
        CHECK("the trap from the host", call("trapper", args, 1, &r) == swallow_code[w]);
        /* a trap of the enclosing activation after the nested one's
         * unwinds the enclosing one (the nested frame is gone) */
        swallow_returns = 0;
        CHECK("caller's own trap after a swallowed one",
              call("then_trap", args, 1, &r) == KP_TRAP_MEMORY && kp_last_error()->line == 16 &&
                  strcmp(kp_last_error()->function, "then_trap") == 0 && swallow_returns == 1);
        CHECK("calls work after it", call_i("f42", &v) == KP_OK && v == 42);
    }

    /* ---- create / lookup / delete from plugin code ---- */
    CHECK("add meta", add("meta",
        "#include <kplug.h>\n"
        "typedef int (*fn0)(void);\n"
        "typedef int (*fn1)(int);\n"
        "int make(void) {\n"
        "  if (create(\"gen\", \"int gen_fn(int x) { return x + 100; }\")) return -1;\n"
        "  fn1 f = (fn1)lookup(\"gen_fn\");\n"
        "  return f ? f(1) : -2;\n"
        "}\n"
        "int make_bad(void) { return create(\"gen2\", \"int oops( {\"); }\n"
        "int wrong_proto(void) { fn0 f = (fn0)lookup(\"gen_fn\"); return f(); }\n"
        "int missing(void) { return lookup(\"no_such\") == 0; }\n"
        "int suicide(void) { int r = delete(\"meta\"); return r == 0 ? 77 : r; }\n") == KP_OK ||
        (printf("# %s\n", kp_errmsg()), 0));
    CHECK("create+lookup+call from plugin", call_i("make", &v) == KP_OK && v == 101);
    CHECK("created is visible to host", call_i("gen_fn", &v) == KP_ERR_SIGNATURE);
    CHECK("create compile error code", call_i("make_bad", &v) == KP_OK && v == KP_ERR_COMPILE);
    CHECK("prototype mismatch traps", call_i("wrong_proto", &v) == KP_TRAP_BAD_CALL);
    CHECK("lookup absent", call_i("missing", &v) == KP_OK && v == 1);
    CHECK("plugin deletes itself", call_i("suicide", &v) == KP_OK && v == 77 &&
                                       kp_lookup(rt, "make", &f) == KP_ERR_NOT_FOUND);

    /* ---- globals, relocations, function pointer tables ---- */
    CHECK("add globals", add("glob",
        "static int a = 5; static int *pa = &a;\n"
        "static const char *msg = \"hi\";\n"
        "static int one(void) { return 1; } int two(void) { return 2; }\n"
        "static int (*tab[2])(void) = { one, two };\n"
        "int gsum(void) { return *pa + msg[1] + tab[0]() + tab[1](); }\n") == KP_OK ||
        (printf("# %s\n", kp_errmsg()), 0));
    CHECK("relocated globals", call_i("gsum", &v) == KP_OK && v == 5 + 'i' + 3);

    /* ---- a stale pointer to a deleted plugin's private function ----
     * The private function's anonymous slot is recycled for the next
     * plugin's private function; the old pointer must not reach it. */
    CHECK("add caller", add("callp",
        "typedef int (*fn0)(void);\n"
        "int callp(int h) { return ((fn0)(unsigned)h)(); }\n") == KP_OK);
    CHECK("add owner a", add("pa",
        "static int secret_a(void) { return 1; }\n"
        "unsigned addr_a(void) { return (unsigned)secret_a; }\n") == KP_OK);
    CHECK("private via pointer", call("addr_a", NULL, 0, &r) == KP_OK);
    uint32_t stale = (uint32_t)r.v.i32;
    args[0] = KP_I32(stale);
    CHECK("private pointer works while linked",
          call("callp", args, 1, &r) == KP_OK && r.v.i32 == 1);
    CHECK("delete owner a", kp_delete(rt, "pa") == KP_OK);
    CHECK("add owner b", add("pb",
        "static int secret_b(void) { return 2; }\n"
        "unsigned addr_b(void) { return (unsigned)secret_b; }\n") == KP_OK);
    CHECK("new private via pointer", call("addr_b", NULL, 0, &r) == KP_OK);
    uint32_t fresh = (uint32_t)r.v.i32;
    CHECK("recycled slot, new pointer value",
          (fresh & 0xfffff) == (stale & 0xfffff) && fresh != stale);
    args[0] = KP_I32(fresh);
    CHECK("new private pointer works", call("callp", args, 1, &r) == KP_OK && r.v.i32 == 2);
    args[0] = KP_I32(stale);
    CHECK("stale private pointer traps", call("callp", args, 1, &r) == KP_TRAP_BAD_CALL);

    /* ---- limits ---- */
    CHECK("globals too big", add("huge", "static char big[32 << 20]; int hg(void) { return big[0]; }") ==
                                 KP_ERR_NOMEM_PLUGIN);
    kp_runtime_destroy(rt);

    kp_config_init(&cfg);
    cfg.max_plugins = 4;
    CHECK("small runtime", kp_runtime_create(&cfg, &rt) == KP_OK);
    CHECK("one plugin fits", add("p1", "int p1f(void) { return 1; }") == KP_OK);
    CHECK("plugin limit", add("p2", "int p2f(void) { return 1; }") == KP_ERR_LIMIT);
    kp_runtime_destroy(rt);
    return CHECK_DONE();
}

int main(void)
{
    /* every check on each engine this platform has */
    check_prefix = "interp: ";
    suite(KP_ENGINE_INTERP);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *probe;
    if (kp_runtime_create(&cfg, &probe) == KP_OK) {
        kp_runtime_destroy(probe);
        check_prefix = "jit: ";
        suite(KP_ENGINE_JIT);
    }
    return CHECK_DONE();
}

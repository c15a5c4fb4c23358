/* test_reclaim.c — when unlinked plugins are freed (exec.c "Reclamation"),
 * observed through their plugin-tied cleanup callbacks, on both engines:
 *  - a plugin deleted while another thread runs a call that began before
 *    stays until that call returns, and that call's return frees it (no
 *    further action by the host);
 *  - a call in flight in one runtime does not hold back another runtime's
 *    reclamation;
 *  - a call nested into a second runtime (built-in -> kp_call) holds back
 *    that runtime's too;
 *  - a call that began after the delete does not hold it back;
 *  - in a forked child (a new address space, membarrier(2) must still
 *    work), plugins replaced while another thread calls are freed.
 * Meant to pass under TSan as well (build line in test_stress.c). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kplug.h"
#include "check.h"

static atomic_int gate_open, in_gate;
static atomic_int ended[4];             /* per plugin tag: its callback ran */
static kp_runtime *rt_b;                 /* the second runtime */

static void on_end(void *arg, int reason)
{
    (void)reason;
    atomic_fetch_add(&ended[(intptr_t)arg], 1);
}

/* void tie(int tag): tie a callback to the calling plugin */
static int bi_tie(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ret, (void)ud;
    return kp_callctx_on_plugin_end(cx, on_end, (void *)(intptr_t)a[0].v.i32) ? KP_OK
                                                                               : KP_ERR_ARG;
}

/* void gate(void): wait until the test opens the gate */
static int bi_gate(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ret, (void)ud;
    atomic_fetch_add(&in_gate, 1);
    while (!atomic_load(&gate_open))
        usleep(200);
    return KP_OK;
}

/* int into_b(void): call b_wait() of the second runtime (nested) */
static int bi_into_b(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ud;
    kp_func *f;
    kp_value r;
    if (kp_lookup(rt_b, "b_wait", &f) != KP_OK || kp_call(f, NULL, 0, &r) != KP_OK)
        return KP_ERR_ARG;
    ret->v.i32 = r.v.i32;
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
    kp_builtin_add(rt, "void tie(int tag)", bi_tie, NULL);
    kp_builtin_add(rt, "void gate(void)", bi_gate, NULL);
    kp_builtin_add(rt, "int into_b(void)", bi_into_b, NULL);
    return rt;
}

static int add(kp_runtime *rt, const char *name, const char *src)
{
    int rc = kp_plugin_add(rt, name, src, strlen(src));
    if (rc != KP_OK)
        printf("# %s\n", kp_errmsg());
    return rc;
}

static int call0(kp_runtime *rt, const char *fn)
{
    kp_func *f;
    kp_value r;
    if (kp_lookup(rt, fn, &f) != KP_OK)
        return -1;
    return kp_call(f, NULL, 0, &r) == KP_OK ? r.v.i32 : -1;
}

static void *runner(void *arg)
{
    /* arg: "rt:fn" as a pointer pair */
    void **p = arg;
    intptr_t v = call0(p[0], p[1]);
    return (void *)v;
}

static void wait_in_gate(int n)
{
    for (int i = 0; i < 20000 && atomic_load(&in_gate) < n; i++)
        usleep(100);
}

static void suite(kp_engine e)
{
    kp_runtime *a = mk(e);
    rt_b = mk(e);
    CHECK("runtimes", a && rt_b);
    if (!a || !rt_b)
        return;
    for (int i = 0; i < 4; i++)
        atomic_store(&ended[i], 0);
    atomic_store(&gate_open, 0);
    atomic_store(&in_gate, 0);

    /* plugin 0 in a: ties a callback, then waits at the gate */
    CHECK("add p0", add(a, "p0", "void tie(int); void gate(void);\n"
                                 "int p0_run(void) { tie(0); gate(); return 7; }\n") == KP_OK);
    /* plugin 1 in b: ties a callback (it is never running when deleted) */
    CHECK("add p1", add(rt_b, "p1", "void tie(int);\nint p1_tie(void) { tie(1); return 1; }\n") ==
                        KP_OK);
    CHECK("p1 ties", call0(rt_b, "p1_tie") == 1);

    pthread_t th;
    void *args0[2] = {a, "p0_run"};
    pthread_create(&th, NULL, runner, args0);
    wait_in_gate(1);
    CHECK("p0 call is at the gate", atomic_load(&in_gate) == 1);
    CHECK("delete p0 while it runs", kp_delete(a, "p0") == KP_OK);
    CHECK("p0 kept while its call runs", atomic_load(&ended[0]) == 0);
    /* another runtime is not held back by the call in a */
    CHECK("delete p1 (other runtime)", kp_delete(rt_b, "p1") == KP_OK);
    CHECK("p1 freed at once", atomic_load(&ended[1]) == 1);
    /* a call of a that begins now cannot reach p0 and does not hold it */
    CHECK("add p2", add(a, "p2", "int p2_f(void) { return 5; }\n") == KP_OK);
    CHECK("later call", call0(a, "p2_f") == 5);
    CHECK("p0 still kept", atomic_load(&ended[0]) == 0);
    atomic_store(&gate_open, 1);
    void *res;
    pthread_join(th, &res);
    CHECK("p0 call finished on its code", (intptr_t)res == 7);
    CHECK("p0 freed by that call's return", atomic_load(&ended[0]) == 1);

    /* nested: a call of a goes into b and waits there; b's plugin 3,
     * deleted meanwhile, must stay until it returns */
    atomic_store(&gate_open, 0);
    atomic_store(&in_gate, 0);
    CHECK("add p3 in b", add(rt_b, "p3", "void tie(int); void gate(void);\n"
                                         "int b_wait(void) { tie(3); gate(); return 9; }\n") ==
                             KP_OK);
    CHECK("add p4 in a", add(a, "p4", "int into_b(void);\nint p4_run(void) { return into_b(); }\n") ==
                             KP_OK);
    void *args4[2] = {a, "p4_run"};
    pthread_create(&th, NULL, runner, args4);
    wait_in_gate(1);
    CHECK("nested call is at the gate", atomic_load(&in_gate) == 1);
    CHECK("delete p3 while the nested call runs", kp_delete(rt_b, "p3") == KP_OK);
    CHECK("p3 kept", atomic_load(&ended[3]) == 0);
    atomic_store(&gate_open, 1);
    pthread_join(th, &res);
    CHECK("nested call finished on its code", (intptr_t)res == 9);
    /* the return was of a, so b frees p3 at its next reclamation */
    CHECK("add p5 in b", add(rt_b, "p5", "int p5_f(void) { return 1; }\n") == KP_OK);
    CHECK("delete p5", kp_delete(rt_b, "p5") == KP_OK);
    CHECK("p3 freed once nothing can reach it", atomic_load(&ended[3]) == 1);

    kp_runtime_destroy(a);
    kp_runtime_destroy(rt_b);
    CHECK("every callback ran once", atomic_load(&ended[0]) == 1 && atomic_load(&ended[1]) == 1 &&
                                         atomic_load(&ended[3]) == 1);
}

/* ThreadSanitizer's own thread makes any fork multi-threaded, which it
 * does not support: the fork check is skipped there. */
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

static kp_runtime *fork_rt;
static atomic_int fork_stop, fork_calling;

static void *fork_caller(void *arg)
{
    (void)arg;
    while (!atomic_load(&fork_stop)) {
        call0(fork_rt, "busy");
        atomic_store(&fork_calling, 1);
    }
    return NULL;
}

/* In the child: replace a plugin 100 times while a second thread calls
 * into the runtime; every replaced version must be freed (its callback
 * runs), which needs working announcements and barriers. Exit status 0. */
static int fork_child(void)
{
    static const char src[] = "void tie(int);\nint busy(void) { return 1; }\n"
                              "int tied(void) { tie(2); return 2; }\n";
    pthread_t th;
    atomic_store(&fork_stop, 0);
    atomic_store(&fork_calling, 0);
    if (pthread_create(&th, NULL, fork_caller, NULL) != 0)
        return 2;
    while (!atomic_load(&fork_calling)) /* two threads on the readers list */
        usleep(100);
    int ok = 1;
    for (int i = 0; i < 100 && ok; i++)
        ok = call0(fork_rt, "tied") == 2 &&
             kp_plugin_replace(fork_rt, "f", src, sizeof src - 1) == KP_OK;
    atomic_store(&fork_stop, 1);
    pthread_join(th, NULL);
    /* the last version is still linked: 100 replaced ones must be gone */
    return ok && atomic_load(&ended[2]) == 100 ? 0 : 1;
}

static void forked(void)
{
    static const char src[] = "void tie(int);\nint busy(void) { return 1; }\n"
                              "int tied(void) { tie(2); return 2; }\n";
    fork_rt = mk(KP_ENGINE_JIT);
    CHECK("fork: runtime", fork_rt != NULL);
    if (!fork_rt)
        return;
    CHECK("fork: plugin", add(fork_rt, "f", src) == KP_OK && call0(fork_rt, "busy") == 1);
    atomic_store(&ended[2], 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fork_child());
    int st = -1;
    CHECK("fork: child frees replaced versions while a thread calls",
          pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    kp_runtime_destroy(fork_rt);
}

int main(void)
{
    check_prefix = "interp: ";
    suite(KP_ENGINE_INTERP);
#if defined(__x86_64__) && defined(__linux__)
    check_prefix = "jit: ";
    suite(KP_ENGINE_JIT);
    check_prefix = "";
    if (!UNDER_TSAN)
        forked();
#endif
    printf("%d checks, %d failed\n", check_count, check_failed);
    return CHECK_DONE();
}

/*
 * test_parked_stacks.c — the plugin stacks a thread keeps between its
 * calls (exec.c) and the arena's per-thread chunk cache (arena.c):
 * short-lived threads give their stacks back when they exit, a runtime
 * destroyed while a thread still holds its stack is forgotten safely, a
 * stack size change reaches parked stacks, one thread serves several
 * runtimes, and compiles on many threads reuse and free their chunks.
 * Meant to be run under TSan too (see test_stress.c for the build line).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "kplug.h"

static const char src[] = "int add(int a, int b) { return a + b; }\n"
                          "long big(long a) { char buf[6000]; buf[0] = 1; buf[5999] = 2;"
                          " return a + buf[0] + buf[5999]; }\n";

static kp_runtime *make_rt(kp_engine e, size_t mem, size_t stack)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    cfg.mem_limit = mem;
    cfg.stack_size = stack;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return NULL;
    if (kp_plugin_add(rt, "p", src, sizeof src - 1) != KP_OK) {
        kp_runtime_destroy(rt);
        return NULL;
    }
    return rt;
}

static int call_add(kp_runtime *rt, int a, int b)
{
    kp_func *f;
    if (kp_lookup(rt, "add", &f) != KP_OK)
        return -1;
    kp_value args[2] = { KP_I32(a), KP_I32(b) }, r;
    if (kp_call(f, args, 2, &r) != KP_OK || r.type != KP_T_I32)
        return -1;
    return r.v.i32;
}

static void *one_call(void *arg)
{
    kp_runtime *rt = arg;
    int ok = 1;
    for (int i = 0; i < 50; i++)
        ok &= call_add(rt, i, 1) == i + 1;
    return ok ? (void *)1 : NULL;
}

typedef struct {
    kp_runtime *rt;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int called, destroyed;
} hold_state;

/* Call once (parking a stack), wait until the runtime is gone, exit. */
static void *hold_then_exit(void *arg)
{
    hold_state *s = arg;
    int ok = call_add(s->rt, 2, 3) == 5;
    pthread_mutex_lock(&s->mu);
    s->called = 1;
    pthread_cond_broadcast(&s->cv);
    while (!s->destroyed)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    /* A new runtime may now sit where the old one was: its calls must not
     * pick up the old runtime's parked stack. */
    kp_runtime *rt2 = make_rt(KP_ENGINE_INTERP, 1u << 20, 64u << 10);
    ok &= rt2 && call_add(rt2, 4, 4) == 8;
    kp_runtime_destroy(rt2);
    return ok ? (void *)1 : NULL;
}

static void *compile_many(void *arg)
{
    (void)arg;
    kp_runtime *rt = make_rt(KP_ENGINE_INTERP, 4u << 20, 64u << 10);
    int ok = rt != NULL;
    for (int i = 0; ok && i < 20; i++) {
        ok &= kp_plugin_add(rt, "q", src, sizeof src - 1) == KP_ERR_EXISTS ||
              kp_delete(rt, "q") == KP_OK;
        ok &= kp_plugin_replace(rt, "p", src, sizeof src - 1) == KP_OK;
        ok &= call_add(rt, i, i) == 2 * i;
    }
    kp_runtime_destroy(rt);
    return ok ? (void *)1 : NULL;
}

static void run_engine(kp_engine e, const char *prefix)
{
    check_prefix = prefix;

    /* 1 MiB of memory and 256 KiB stacks: if exiting threads kept their
     * stacks, the fifth thread would find no room. */
    kp_runtime *rt = make_rt(e, 1u << 20, 256u << 10);
    CHECK("create small runtime", rt != NULL);
    if (!rt)
        return;
    uint64_t base = 0, after = 0;
    CHECK("call on main", call_add(rt, 1, 2) == 3);
    kp_runtime_get_usage(rt, KP_LIMIT_MEMORY, &base);
    int all = 1;
    for (int i = 0; i < 40; i++) {
        pthread_t th;
        void *res = NULL;
        if (pthread_create(&th, NULL, one_call, rt) != 0 || pthread_join(th, &res) != 0 ||
            !res)
            all = 0;
    }
    CHECK("40 short-lived threads, one after another", all);
    kp_runtime_get_usage(rt, KP_LIMIT_MEMORY, &after);
    CHECK("exited threads gave their stacks back", after <= base + (256u << 10));

    /* Several at once. */
    pthread_t ths[3];
    void *res[3] = { NULL, NULL, NULL };
    for (int i = 0; i < 3; i++)
        pthread_create(&ths[i], NULL, one_call, rt);
    for (int i = 0; i < 3; i++)
        pthread_join(ths[i], &res[i]);
    CHECK("3 threads at once", res[0] && res[1] && res[2]);

    /* A stack size change reaches the stack parked on this thread. */
    CHECK("stack size up", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 128u << 10) == KP_OK);
    CHECK("call after stack size change", call_add(rt, 5, 6) == 11);
    kp_func *big;
    kp_value a = KP_I64(1), r;
    CHECK("big frame fits the new size",
          kp_lookup(rt, "big", &big) == KP_OK && kp_call(big, &a, 1, &r) == KP_OK &&
              r.v.i64 == 4);
    CHECK("stack size tiny", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 4096) == KP_OK);
    CHECK("big frame no longer fits", kp_call(big, &a, 1, &r) == KP_TRAP_STACK);
    CHECK("small call still fine", call_add(rt, 7, 8) == 15);

    /* One thread, more runtimes than it parks stacks for. */
    kp_runtime *many[6];
    int made = 1;
    for (int i = 0; i < 6; i++)
        made &= (many[i] = make_rt(e, 1u << 20, 64u << 10)) != NULL;
    CHECK("6 runtimes", made);
    if (made) {
        int ok = 1;
        for (int round = 0; round < 5; round++)
            for (int i = 0; i < 6; i++)
                ok &= call_add(many[i], round, i) == round + i;
        CHECK("calls alternating over 6 runtimes", ok);
        /* Destroy some while their stacks are parked here, make new ones. */
        for (int i = 0; i < 6; i += 2) {
            kp_runtime_destroy(many[i]);
            many[i] = make_rt(e, 1u << 20, 64u << 10);
        }
        ok = 1;
        for (int i = 0; i < 6; i++)
            ok &= many[i] && call_add(many[i], 1, i) == 1 + i;
        CHECK("calls after destroying parked runtimes", ok);
    }
    for (int i = 0; i < 6; i++)
        kp_runtime_destroy(many[i]);

    /* A runtime destroyed while another thread still holds its stack. */
    hold_state s;
    memset(&s, 0, sizeof s);
    s.rt = rt;
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    pthread_t th;
    void *hres = NULL;
    int started = pthread_create(&th, NULL, hold_then_exit, &s) == 0;
    if (started) {
        pthread_mutex_lock(&s.mu);
        while (!s.called)
            pthread_cond_wait(&s.cv, &s.mu);
        pthread_mutex_unlock(&s.mu);
    }
    kp_runtime_destroy(rt);
    if (started) {
        pthread_mutex_lock(&s.mu);
        s.destroyed = 1;
        pthread_cond_broadcast(&s.cv);
        pthread_mutex_unlock(&s.mu);
        pthread_join(th, &hres);
    }
    CHECK("thread exits after its runtime was destroyed", started && hres);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
}

int main(void)
{
    run_engine(KP_ENGINE_INTERP, "interp: ");
    kp_runtime *probe = NULL;
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    if (kp_runtime_create(&cfg, &probe) == KP_OK) {
        kp_runtime_destroy(probe);
        run_engine(KP_ENGINE_JIT, "jit: ");
    }
    check_prefix = "";

    /* Compiles on several threads at once: arena chunks cached per thread,
     * freed at thread exit. */
    pthread_t th[4];
    void *res[4] = { NULL, NULL, NULL, NULL };
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, compile_many, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], &res[i]);
    CHECK("compiles on 4 threads", res[0] && res[1] && res[2] && res[3]);
    return CHECK_DONE();
}

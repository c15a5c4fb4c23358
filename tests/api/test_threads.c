/* test_threads.c — one runtime used from several threads at once: calls,
 * memory exchange, and built-ins added and deleted while calls run.
 * Meant to be run under -fsanitize=thread too. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

static kp_runtime *rt;
static _Atomic int stop;

static int work(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    kp_runtime *r = kp_callctx_runtime(cx);
    kp_ptr p = kp_alloc(r, (size_t)a[0].v.i32);
    if (!p)
        return kp_fail(cx, "alloc");
    unsigned char *h = kp_callctx_ptr(cx, p, (size_t)a[0].v.i32);
    if (!h)
        return kp_fail(cx, "ptr");
    memset(h, a[1].v.i32, (size_t)a[0].v.i32);
    int sum = 0;
    for (int i = 0; i < a[0].v.i32; i++)
        sum += h[i];
    kp_free(r, p);
    ret->v.i32 = sum;
    return KP_OK;
}

static int churn(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    ret->v.i32 = (int)(size_t)ud;
    return KP_OK;
}

static void *caller(void *arg)
{
    long id = (long)arg;
    kp_func *w, *c;
    long bad = 0;
    if (kp_lookup(rt, "work", &w) != KP_OK)
        return (void *)1;
    /* churn may be absent right now: wait until it is there once */
    while (kp_lookup(rt, "churn", &c) != KP_OK)
        ;
    for (int i = 0; i < 20000; i++) {
        kp_value args[2] = { KP_I32(100 + i % 50), KP_I32((int)id) }, r;
        if (kp_call(w, args, 2, &r) != KP_OK || r.v.i32 != (100 + i % 50) * (int)id)
            bad++;
        int rc = kp_call(c, NULL, 0, &r);
        if (rc == KP_OK) {
            if (r.v.i32 != 7)
                bad++;
        } else if (rc != KP_TRAP_UNLINKED || kp_last_error()->code != KP_TRAP_UNLINKED) {
            bad++;
        }
    }
    return (void *)bad;
}

static void *churner(void *arg)
{
    while (!atomic_load(&stop)) {
        kp_delete(rt, "churn");
        kp_builtin_add(rt, "int churn(void)", churn, (void *)7);
        kp_builtin_add(rt, "int other(int)", churn, NULL);
        kp_delete(rt, "other");
    }
    return NULL;
}

/* Each thread makes its own runtimes: nothing is shared between them. */
static void *own_runtimes(void *arg)
{
    long bad = 0;
    for (int i = 0; i < 20; i++) {
        kp_runtime *r;
        if (kp_runtime_create(NULL, &r) != KP_OK)
            return (void *)1;
        if (kp_builtin_add(r, "int churn(void)", churn, (void *)arg) != KP_OK)
            bad++;
        kp_func *f;
        kp_value v;
        if (kp_lookup(r, "churn", &f) || kp_call(f, NULL, 0, &v) || v.v.i32 != (int)(long)arg)
            bad++;
        kp_ptr p = kp_alloc(r, 1000);
        if (!p || !kp_host_ptr(r, p, 1000))
            bad++;
        kp_runtime_destroy(r);
    }
    return (void *)bad;
}

int main(void)
{
    CHECK("create", kp_runtime_create(NULL, &rt) == KP_OK);
    CHECK("add work", kp_builtin_add(rt, "int work(int n, int v)", work, NULL) == KP_OK);
    CHECK("add churn", kp_builtin_add(rt, "int churn(void)", churn, (void *)7) == KP_OK);
    enum { T = 4 };
    pthread_t th[T], ch;
    pthread_create(&ch, NULL, churner, NULL);
    for (long i = 0; i < T; i++)
        pthread_create(&th[i], NULL, caller, (void *)(i + 1));
    long bad = 0;
    for (int i = 0; i < T; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    atomic_store(&stop, 1);
    pthread_join(ch, NULL);
    CHECK("concurrent calls while linking", bad == 0);
    kp_runtime_destroy(rt);

    bad = 0;
    for (long i = 0; i < T; i++)
        pthread_create(&th[i], NULL, own_runtimes, (void *)(i + 1));
    for (int i = 0; i < T; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    CHECK("a runtime per thread", bad == 0);

    return CHECK_DONE();
}

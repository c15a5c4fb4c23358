/* errors.c — the calling thread's kp_error and the names of result codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_private.h"

#define ERR_INLINE 4096  /* messages up to this size need no allocation */
#define ERR_NAME 256

typedef struct err_state {
    kp_error pub;
    char inline_msg[ERR_INLINE];
    char *heap_msg;              /* owned; set when the message is longer */
    char plugin[ERR_NAME];
    char function[ERR_NAME];
    int registered;              /* thread-exit destructor installed */
} err_state;

static KP_THREAD_LOCAL err_state tls_err = {
    .pub = { KP_OK, "", "", "", 0, 0 },
};

/* At thread exit: free a long message kept by this thread. */
static void err_thread_exit(void *arg)
{
    err_state *e = arg;
    free(e->heap_msg);
    e->heap_msg = NULL;
}

static kp_tls_key err_key = KP_TLS_KEY_INIT(err_thread_exit);

static void copy_name(char *dst, const char *src)
{
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= ERR_NAME)
        n = ERR_NAME - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void err_fill(int code, const char *plugin, const char *function,
                     int line, int col)
{
    err_state *e = &tls_err;
    /* plugin/function may point into the old record: copy via temporaries. */
    char p[ERR_NAME], f[ERR_NAME];
    copy_name(p, plugin);
    copy_name(f, function);
    memcpy(e->plugin, p, ERR_NAME);
    memcpy(e->function, f, ERR_NAME);
    e->pub.code = code;
    e->pub.plugin = e->plugin;
    e->pub.function = e->function;
    e->pub.line = line;
    e->pub.column = col;
}

static void err_set_heap(err_state *e, char *msg)
{
    if (e->heap_msg != msg)
        free(e->heap_msg);
    e->heap_msg = msg;
    if (msg && !e->registered)
        e->registered = kp_os_tls_set(&err_key, e) == 0;
}

int kp_err_vset(int code, const char *plugin, const char *function, int line,
                int col, const char *fmt, va_list ap)
{
    err_state *e = &tls_err;
    err_fill(code, plugin, function, line, col);
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[ERR_INLINE];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0)
        n = 0, tmp[0] = 0;
    if ((size_t)n < sizeof tmp) {
        memcpy(e->inline_msg, tmp, (size_t)n + 1);
        err_set_heap(e, NULL);
        e->pub.message = e->inline_msg;
    } else {
        char *m = malloc((size_t)n + 1);
        if (m) {
            vsnprintf(m, (size_t)n + 1, fmt, ap2);
            err_set_heap(e, m);
            e->pub.message = m;
        } else {
            memcpy(e->inline_msg, tmp, sizeof tmp);
            err_set_heap(e, NULL);
            e->pub.message = e->inline_msg;
        }
    }
    va_end(ap2);
    return code;
}

int kp_err_set(int code, const char *plugin, const char *function, int line,
               int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kp_err_vset(code, plugin, function, line, col, fmt, ap);
    va_end(ap);
    return code;
}

int kp_err_take(int code, const char *plugin, const char *function, int line,
                int col, char *msg, const char *fallback)
{
    if (!msg)
        return kp_err_set(code, plugin, function, line, col, "%s",
                          fallback ? fallback : kp_result_name(code));
    err_state *e = &tls_err;
    /* Strip one trailing newline: messages are lines, not terminated text. */
    size_t n = strlen(msg);
    if (n && msg[n - 1] == '\n')
        msg[n - 1] = 0;
    err_fill(code, plugin, function, line, col);
    err_set_heap(e, msg);
    e->pub.message = msg;
    return code;
}

const kp_error *kp_last_error(void)
{
    err_state *e = &tls_err;
    if (!e->pub.message)
        e->pub.message = "";
    return &e->pub;
}

const char *kp_errmsg(void)
{
    return kp_last_error()->message;
}

const char *kp_result_name(int code)
{
    switch (code) {
#define N(c) case c: return #c;
    N(KP_OK)
    N(KP_ERR_ARG) N(KP_ERR_NOMEM) N(KP_ERR_COMPILE) N(KP_ERR_LIMIT)
    N(KP_ERR_NOT_FOUND) N(KP_ERR_EXISTS) N(KP_ERR_SIGNATURE)
    N(KP_ERR_NOMEM_PLUGIN)
    N(KP_TRAP_MEMORY) N(KP_TRAP_DIV) N(KP_TRAP_STACK) N(KP_TRAP_UNLINKED)
    N(KP_TRAP_BAD_CALL) N(KP_TRAP_TIMEOUT) N(KP_TRAP_INTERRUPTED)
    N(KP_TRAP_BUILTIN) N(KP_TRAP_FUEL)
#undef N
    }
    return "KP_UNKNOWN";
}

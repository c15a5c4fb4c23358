/* diag.c — diagnostics of the front end: "name:line:col: error: text",
 * the source line and a caret under the column. */
#include "front.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"

static void diag_append(fe_ctx *cx, const char *s, size_t n)
{
    if (cx->diag_len + n + 1 > cx->diag_cap) {
        size_t cap = cx->diag_cap ? cx->diag_cap * 2 : 1024;
        while (cap < cx->diag_len + n + 1)
            cap *= 2;
        char *d = realloc(cx->diag, cap);
        if (!d) {
            cx->code = KP_ERR_NOMEM;
            return;
        }
        cx->diag = d;
        cx->diag_cap = cap;
    }
    memcpy(cx->diag + cx->diag_len, s, n);
    cx->diag_len += n;
    cx->diag[cx->diag_len] = 0;
}

static unsigned max_errors(const fe_ctx *cx)
{
    return cx->opts.max_errors ? cx->opts.max_errors : 20;
}

/* Severity order: a NOMEM or LIMIT outranks a plain compile error. */
static int rank(int code)
{
    return code == KP_ERR_NOMEM ? 3 : code == KP_ERR_LIMIT ? 2 : code == KP_ERR_COMPILE ? 1 : 0;
}

void fe_verror(fe_ctx *cx, int code, unsigned file, int line, int col,
               const char *fmt, va_list ap)
{
    if (rank(code) > rank(cx->code))
        cx->code = code;
    if (cx->nerrors++ == 0) {
        cx->first_line = line;
        cx->first_col = col;
        memcpy(cx->first_function, cx->cur_function, sizeof cx->first_function);
    }
    if (cx->nerrors > max_errors(cx)) {
        if (cx->nerrors == max_errors(cx) + 1) {
            static const char more[] = "(too many errors; stopping)\n";
            diag_append(cx, more, sizeof more - 1);
        }
        return;
    }
    const fe_file *f = file < cx->nfiles ? &cx->files[file] : NULL;
    const char *fname = f ? f->name : cx->plugin_name;
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s:%d:%d: error: ", fname ? fname : "?", line, col);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof msg)
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    diag_append(cx, msg, strlen(msg));
    diag_append(cx, "\n", 1);

    /* The source line and a caret, when we can find the line. */
    if (!f || !f->src || line <= 0)
        return;
    const char *p = f->src, *end = f->src + f->len;
    for (int l = 1; l < line && p < end; p++)
        if (*p == '\n')
            l++;
    if (p >= end && line > 1)
        return;
    const char *e = p;
    while (e < end && *e != '\n' && e - p < 200)
        e++;
    char buf[420];
    size_t k = 0;
    buf[k++] = ' ';
    buf[k++] = ' ';
    for (const char *q = p; q < e; q++)
        buf[k++] = (*q == '\t' || (unsigned char)*q >= 0x20) ? *q : ' ';
    buf[k++] = '\n';
    diag_append(cx, buf, k);
    k = 0;
    buf[k++] = ' ';
    buf[k++] = ' ';
    for (int c = 1; c < col && c <= (int)(e - p) && k < sizeof buf - 3; c++)
        buf[k++] = p[c - 1] == '\t' ? '\t' : ' ';
    buf[k++] = '^';
    buf[k++] = '\n';
    diag_append(cx, buf, k);
}

void fe_error(fe_ctx *cx, int code, unsigned file, int line, int col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fe_verror(cx, code, file, line, col, fmt, ap);
    va_end(ap);
}

int fe_should_stop(const fe_ctx *cx)
{
    return cx->nerrors >= max_errors(cx) || cx->code == KP_ERR_NOMEM ||
           cx->code == KP_ERR_LIMIT || cx->arena.failed;
}

int fe_poll(fe_ctx *cx, unsigned file, int line, int col)
{
    if (cx->cancelled)
        return 0;
    int c = cx->opts.cancel ? cx->opts.cancel(cx->opts.cancel_arg) : 0;
    if (!c)
        return 1;
    cx->cancelled = c;
    fe_error(cx, KP_ERR_LIMIT, file, line, col, "compilation stopped: %s",
             c == KP_TRAP_TIMEOUT ? "the calling plugin call's deadline passed"
                                  : "the calling plugin call was interrupted");
    return 0;
}

int fe_enter(fe_ctx *cx, unsigned file, int line, int col)
{
    if (!cx->poll_left || !--cx->poll_left) {
        cx->poll_left = FE_POLL_EVERY;
        if (!fe_poll(cx, file, line, col))
            return 0;
    }
    if (cx->cancelled)
        return 0;
    if (fe_stack_low(cx)) {
        if (cx->code != KP_ERR_LIMIT)
            fe_error(cx, KP_ERR_LIMIT, file, line, col,
                     "nesting too deep for the native stack left to this thread");
        return 0;
    }
    unsigned max = cx->opts.max_nesting ? cx->opts.max_nesting : 256;
    if (cx->depth >= max) {
        if (cx->code != KP_ERR_LIMIT)
            fe_error(cx, KP_ERR_LIMIT, file, line, col,
                     "nesting deeper than the limit of %u", max);
        return 0;
    }
    cx->depth++;
    return 1;
}

void fe_leave(fe_ctx *cx)
{
    if (cx->depth)
        cx->depth--;
}

void fe_nomem(fe_ctx *cx)
{
    if (cx->code != KP_ERR_NOMEM)
        fe_error(cx, KP_ERR_NOMEM, 0, 0, 0, "out of memory while compiling");
}

/* front.c — the front end's pipeline: preprocess, parse, lower, verify. */
#include "front.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"
#include "../platform/platform.h"
#include "ast.h"
#include "token.h"

#define DEFAULT_MAX_SOURCE ((size_t)16 << 20)
#define FE_STACK_MARGIN ((uintptr_t)96 << 10)
/* Below PP_POLL_ITERS (4096) steps the preprocessor never polls cancel,
 * and a text of fewer bytes has fewer tokens, so steps: fe_lex_plain
 * (which does not poll) changes nothing there either. */
#define FE_PLAIN_MAX 4000

static void fe_ctx_init(fe_ctx *cx, const char *name, const fe_options *opts,
                        size_t srclen)
{
    memset(cx, 0, sizeof *cx);
    if (opts)
        cx->opts = *opts;
    size_t budget = cx->opts.max_memory;
    if (!budget)
        budget = ((size_t)64 << 20) + 64 * srclen;
    kp_arena_init(&cx->arena, budget);
    cx->plugin_name = name;
    /* Keep a margin for the deepest frames between two checks and for
     * reporting the error itself. */
    cx->stack_floor = kp_os_stack_floor(FE_STACK_MARGIN);
    cx->poll_left = FE_POLL_EVERY;
}

static void fe_finish(fe_ctx *cx, fe_result *res)
{
    if (cx->arena.failed && cx->code != KP_ERR_NOMEM)
        fe_nomem(cx);
    res->code = cx->cancelled ? cx->cancelled : cx->nerrors ? cx->code : KP_OK;
    if (res->code == KP_OK && cx->nerrors)
        res->code = KP_ERR_COMPILE;
    res->message = cx->diag;
    cx->diag = NULL;
    res->line = cx->first_line;
    res->col = cx->first_col;
    memcpy(res->function, cx->first_function, sizeof res->function);
    kp_arena_free(&cx->arena);
}

int fe_compile(const char *plugin_name, const char *src, size_t len,
               const fe_options *opts, fe_header_fn headers, void *headers_ud,
               ir_module **out, fe_result *res)
{
    memset(res, 0, sizeof *res);
    *out = NULL;
    fe_ctx cx;
    fe_ctx_init(&cx, plugin_name, opts, len);
    cx.headers = headers;
    cx.headers_ud = headers_ud;

    size_t max_source = cx.opts.max_source ? cx.opts.max_source : DEFAULT_MAX_SOURCE;
    if (len > max_source) {
        fe_error(&cx, KP_ERR_LIMIT, 0, 0, 0,
                 "source is %zu bytes, over the limit of %zu", len, max_source);
        fe_finish(&cx, res);
        return res->code;
    }
    cx.files[0].name = plugin_name;
    cx.files[0].src = src;
    cx.files[0].len = len;
    cx.nfiles = 1;

    fe_token *toks = NULL;
    uint32_t ntoks = 0;
    ir_module *m = NULL;
    int rc = -1;
    /* A short plugin without directives, macros or string literals skips
     * the preprocessor's setup, which costs more than lexing it.
     * fe_lex_plain declines whatever it cannot take ('#' tokens, "__"
     * names, strings, all but the simplest character constants), so a
     * '#' or '"' in a comment or a character constant is fine. */
    if (len <= FE_PLAIN_MAX) {
        rc = fe_lex_plain(&cx, &toks, &ntoks);
        if (rc != 0) {
            /* It reported nothing and only allocated its token array:
             * start over as if it had never run. */
            size_t budget = cx.arena.budget;
            kp_arena_free(&cx.arena);
            kp_arena_init(&cx.arena, budget);
        }
    }
    if (rc != 0)
        rc = fe_preprocess(&cx, &toks, &ntoks);
    if (rc == 0 && !cx.nerrors) {
        ast_unit *u = fe_parse(&cx, toks, ntoks);
        if (u && !cx.nerrors) {
            cx.depth = 0;
            m = fe_lower(&cx, u);
            if (m && !cx.nerrors) {
                char buf[512];
                if (ir_verify(m, buf, sizeof buf) != 0) {
                    fe_error(&cx, KP_ERR_COMPILE, 0, 0, 0,
                             "internal error: invalid IR: %s", buf);
                }
            }
        }
    }
    if (cx.nerrors || !m) {
        if (!cx.nerrors)
            fe_error(&cx, KP_ERR_COMPILE, 0, 0, 0, "internal error: compilation failed");
        ir_module_free(m);
        m = NULL;
    }
    fe_finish(&cx, res);
    *out = m;
    return res->code;
}

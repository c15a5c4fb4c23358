/*
 * front.h — the front end: C source -> tokens -> typed AST -> IR.
 *
 *   fe_compile()                       front.c   the whole pipeline
 *     fe_preprocess()  pp.c, lex.c     source -> token array (macros expanded,
 *                                      #include of runtime headers, keywords marked)
 *     fe_parse()       parse.c, types.c, sema  tokens -> typed AST (ast.h)
 *     fe_lower()       lower.c         AST -> ir_module (ir.h)
 *
 * Everything a compilation allocates lives in fe_ctx.arena except the final
 * ir_module (its own arena) and the message text of fe_result (malloc).
 * No stage may abort, exit, print, or recurse without bound: recursion is
 * limited by opts.max_nesting (fe_enter/fe_leave), and every failure becomes a
 * diagnostic.
 */
#ifndef KP_FRONT_H
#define KP_FRONT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "../ir/ir.h"
#include "../util/arena.h"

typedef struct fe_options {
    size_t max_source;      /* bytes of source (0 = 16 MiB) */
    unsigned max_nesting;   /* nesting depth of parens/blocks/includes/macro
                               expansion (0 = 256) */
    unsigned max_functions; /* function definitions (0 = 10000) */
    size_t max_memory;      /* compile-time memory budget (0 = 64 MiB + 64 x source) */
    unsigned max_errors;    /* diagnostics before giving up (0 = 20) */
    /* Polled every FE_POLL_EVERY nesting steps of the parser and the
     * lowering: a nonzero result (a KP_TRAP_* code) stops the compilation,
     * which then fails with that code. A compile started inside a plugin
     * call (create()) stops this way at the call's deadline. NULL: never. */
    int (*cancel)(void *arg);
    void *cancel_arg;
} fe_options;

#define FE_POLL_EVERY 1024u

/* The text of a header the runtime provides for `#include <name>` (e.g.
 * "stdint.h", "kplug.h"), or NULL if there is no such header. The text must
 * stay valid for the compilation. */
typedef const char *(*fe_header_fn)(void *ud, const char *name, size_t *len);

typedef struct fe_result {
    int code;       /* KP_OK, KP_ERR_COMPILE, KP_ERR_LIMIT or KP_ERR_NOMEM */
    char *message;  /* malloc'd diagnostics (NULL if none); caller frees */
    int line, col;  /* position of the first error (0 if none) */
    char function[64]; /* function being compiled at the first error, or "" */
} fe_result;

/* Compile one plugin. On KP_OK *out is a verified module the caller frees
 * with ir_module_free; otherwise *out is NULL and res says why. */
int fe_compile(const char *plugin_name, const char *src, size_t len,
               const fe_options *opts, fe_header_fn headers, void *headers_ud,
               ir_module **out, fe_result *res);

/* Parse a built-in's prototype such as "int send(const char *b, int n)" or
 * "int printf(const char *fmt, ...)". On KP_OK *name (allocated in `a`) and
 * *sig are set; otherwise res->message explains (code KP_ERR_ARG). Struct or
 * union parameters/results are rejected. */
int fe_parse_prototype(const char *proto, kp_arena *a, const char **name,
                       ir_sig *sig, fe_result *res);

/* ---- shared by the stages --------------------------------------------- */

typedef struct fe_file {
    const char *name;   /* plugin name, or "<stdint.h>" etc. */
    const char *src;
    size_t len;
} fe_file;

typedef struct fe_ctx {
    kp_arena arena;
    fe_options opts;
    const char *plugin_name;
    fe_header_fn headers;
    void *headers_ud;
    fe_file files[64];     /* file 0 is the plugin; the rest are headers */
    unsigned nfiles;
    /* diagnostics (diag.c) */
    char *diag;            /* malloc'd, growing */
    size_t diag_len, diag_cap;
    unsigned nerrors;
    int first_line, first_col;
    int code;              /* worst code so far: KP_OK / COMPILE / LIMIT / NOMEM */
    char cur_function[64]; /* set by parser/lowering for messages */
    char first_function[64];
    unsigned depth;        /* current recursion depth, see fe_enter */
    uintptr_t stack_floor; /* native stack address below which recursion
                              stops (0 = unchecked), see fe_stack_low */
    unsigned poll_left;    /* nesting steps until opts.cancel is polled */
    int cancelled;         /* the code opts.cancel stopped us with, or 0 */
} fe_ctx;

/* Is the native stack nearly exhausted? The nesting limit alone does not
 * protect a host thread with a small stack, or a compile started by a
 * plugin's create() deep inside a recursion. */
static inline int fe_stack_low(const fe_ctx *cx)
{
    return (uintptr_t)__builtin_frame_address(0) < cx->stack_floor;
}

/* diag.c */
/* Report an error at (file, line, col) of a source the ctx knows: appends
 * "name:line:col: error: text\n  <source line>\n  <caret>\n". `code` is
 * KP_ERR_COMPILE for language errors, KP_ERR_LIMIT for limits, KP_ERR_NOMEM. */
void fe_error(fe_ctx *cx, int code, unsigned file, int line, int col,
              const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
void fe_verror(fe_ctx *cx, int code, unsigned file, int line, int col,
               const char *fmt, va_list ap);
/* True once the stage should stop: too many errors, out of memory, or a limit. */
int fe_should_stop(const fe_ctx *cx);
/* Recursion guard: fe_enter returns 0 (and reports KP_ERR_LIMIT once, at the
 * given position) when max_nesting is exceeded or opts.cancel stopped the
 * compilation; pair every successful fe_enter with fe_leave. Inline fast
 * paths (px_enter, lw_enter) count poll_left down and call it at 0. */
int fe_enter(fe_ctx *cx, unsigned file, int line, int col);
/* Poll opts.cancel now (the preprocessor does, per run of tokens): 0 once
 * the compilation is stopped, reported as an error at the given position. */
int fe_poll(fe_ctx *cx, unsigned file, int line, int col);
void fe_leave(fe_ctx *cx);
/* Report out-of-memory once (used when cx->arena.failed is seen). */
void fe_nomem(fe_ctx *cx);

/* headers.c */
/* The text of a standard header the front end itself provides for
 * `#include <name>` ("stdint.h", "stddef.h", ...), or NULL. Static text. */
const char *fe_std_header(const char *name, size_t *len);

#endif /* KP_FRONT_H */

/*
 * parse.h — internals of the parser and semantic analysis, shared by
 *   parse.c       tokens, scopes, recovery, declarations, fe_parse
 *   parse_expr.c  expressions and their conversions
 *   parse_stmt.c  statements
 *   init.c        initializers (flattened into ast_init entries)
 *   sema_const.c  constant evaluation
 *   types.c       type constructors, layout, conversions, compatibility
 *   ast_dump.c    the debug printer used by the tests
 *
 * Syntax errors unwind with longjmp to the innermost recovery point (a
 * statement or an external declaration), which skips to ';' or '}'; too
 * many errors or out-of-memory unwind to fe_parse. Everything lives in the
 * fe_ctx arena, so unwinding leaks nothing.
 */
#ifndef KP_PARSE_H
#define KP_PARSE_H

#include <setjmp.h>

#include "ast.h"
#include "token.h"

/* ---- types.c --------------------------------------------------------------- */

typedef struct ty_env {
    kp_arena *a;
    /* Called (and must not return) when a type cannot be allocated, once
     * set: the parser bails out, so no constructor returns NULL to it. */
    void (*nomem)(void *ud);
    void *nomem_ud;
    ctype *t_void, *t_bool, *t_char, *t_schar, *t_uchar, *t_short, *t_ushort,
        *t_int, *t_uint, *t_long, *t_ulong, *t_llong, *t_ullong, *t_float,
        *t_double, *t_ldouble, *t_voidptr, *t_charptr;
} ty_env;

int ty_env_init(ty_env *e, kp_arena *a);
ctype *ty_basic(ty_env *e, ty_kind k);
ctype *ty_qual(ty_env *e, ctype *t, unsigned q);   /* adds qualifiers */
ctype *ty_ptr(ty_env *e, ctype *base);
ctype *ty_array(ty_env *e, ctype *elem, uint32_t len, int incomplete);
ctype *ty_func(ty_env *e, ctype *ret, ctype **params, uint32_t n, int variadic);
ctype *ty_record(ty_env *e, ty_kind k, const char *tag); /* incomplete */
ctype *ty_enum(ty_env *e, const char *tag);
/* Lay out a struct/union from its member list; returns an error text or NULL. */
const char *ty_layout(ty_env *e, ctype *t, cfield *fields, uint32_t n);
int ty_is_unsigned(const ctype *t);
int ty_rank(const ctype *t);
ctype *ty_promote(ty_env *e, ctype *t);
ctype *ty_usual(ty_env *e, ctype *a, ctype *b);
int ty_compatible(const ctype *a, const ctype *b);
int ty_same_unqual(const ctype *a, const ctype *b);
int ty_is_object_ptr(const ctype *t);
int ty_is_record(const ctype *t);
int64_t ty_wrap(const ctype *t, int64_t v);
/* C-like spelling of a type into buf (for messages and the dump). */
void ty_str(const ctype *t, char *buf, size_t n);
/* C spelling ("int (*)(int)") for messages. */
void ty_cstr(const ctype *t, char *buf, size_t n);

/* ---- parser state ---------------------------------------------------------- */

typedef struct px_bind px_bind;
typedef struct px_ident px_ident;

typedef struct px_label {
    ast_stmt *st;         /* the ST_LABEL node (created by a goto if needed) */
    int defined;
    uint32_t line, col;
    uint8_t file;
    struct px_label *next;
    px_ident *id;
} px_label;

struct px_ident {
    const char *name;
    uint32_t len, hash;
    px_bind *ord;         /* innermost binding in the ordinary namespace */
    px_bind *tag;         /* innermost struct/union/enum tag */
    csym *linkage;        /* the file-scope object/function of this name */
    px_label *label;      /* in the current function */
};

enum { B_VAR, B_TYPEDEF, B_ENUMC, B_TAG };

struct px_bind {
    int kind;
    unsigned scope;
    px_ident *id;
    px_bind *prev;        /* shadowed binding of the same namespace */
    px_bind *scope_next;  /* next binding of the same scope */
    csym *sym;            /* B_VAR */
    ctype *type;          /* B_TYPEDEF, B_TAG, B_ENUMC (int) */
    int64_t val;          /* B_ENUMC */
    int defined;          /* B_TAG: has a body in this scope */
};

typedef struct px_vec {
    void **v;
    uint32_t n, cap;
} px_vec;

typedef struct px_switch {
    ast_stmt *st;
    px_vec cases;
    int64_t *keys;        /* open-addressing set of case values */
    uint8_t *used;
    uint32_t kcap, kn;
    struct px_switch *outer;
} px_switch;

typedef struct px_recover {
    jmp_buf jb;
    struct px_recover *outer;
    unsigned depth, scope;
    uint32_t start_pos, nbreak;
    px_switch *sw;
    int in_sizeof;
} px_recover;

typedef struct px {
    fe_ctx *cx;
    ty_env te;
    const fe_token *toks;
    const fe_token *cur;  /* the next token (toks + its index): peeked at
                             several times per token, one load */
    uint32_t ntoks;
    /* identifiers */
    px_ident **ht;
    uint32_t htcap, htn;
    /* scopes */
    px_bind **scopes;     /* list head per level */
    unsigned scope, scopes_cap;
    /* unwinding */
    px_recover *rec;
    jmp_buf *abort_jb;
    /* the unit */
    px_vec funcs, globals, fdecls_all;
    uint32_t nfuncdefs;
    uint32_t uniq;
    /* the current function */
    ast_func *fn;
    csym *fnsym;
    px_vec locals;
    px_label *labels;
    ast_stmt **breaks;    /* stack of loops/switches (break/continue targets) */
    uint8_t *is_loop;
    uint32_t nbreak, capbreak;
    px_switch *sw;
    int in_sizeof;
    int proto_mode;       /* fe_parse_prototype */
    ast_expr *free_expr;  /* recycled nodes (linked through lhs) */
    /* hot paths (inline helpers below) */
    const fe_token *id_tok; /* the last identifier token interned ... */
    px_ident *id_last;      /* ... and its identifier (asked again at once) */
    char *blk;            /* bump block for small nodes (zeroed by the arena) */
    size_t blk_left;
    unsigned max_depth;   /* opts.max_nesting, resolved */
} px;

/* Every csym the parser makes for a declaration carries the EX_VAR node
 * shared by its uses (nodes are never mutated after construction, and this
 * halves the memory of big functions). */
typedef struct px_csym {
    csym s;
    ast_expr *var;
} px_csym;

/* parse.c */
_Noreturn void px_syntax(px *P, const fe_token *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void px_error(px *P, const fe_token *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void px_error_at(px *P, uint8_t file, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
_Noreturn void px_bail(px *P);
void *px_alloc_slow(px *P, size_t n);
/* Out of line: v full. Its storage may be a caller's local array (a
 * declarator's temporary lists), which is copied into the arena. */
void px_vec_grow(px *P, px_vec *v);
static inline void px_push(px *P, px_vec *v, void *x)
{
    if (v->n == v->cap)
        px_vec_grow(P, v);
    v->v[v->n++] = x;
}
void px_enter_slow(px *P);
const fe_token *px_peek(px *P, uint32_t k);
const fe_token *px_expect_slow(px *P, int punct, const char *what);
px_ident *px_ident_intern(px *P, const fe_token *t);

/* The helpers below run several times per token: inline, no calls. */

/* Zeroed arena memory. Small objects come from a bump block: one arena
 * allocation (and one memset) per block rather than per node. */
static inline void *px_alloc(px *P, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    /* types are made straight in the arena: stop at its first failure */
    if (n <= P->blk_left && !P->cx->arena.failed) {
        void *p = P->blk;
        P->blk += n;
        P->blk_left -= n;
        return p;
    }
    return px_alloc_slow(P, n);
}

static inline void px_enter(px *P)
{
    if (P->cx->depth < P->max_depth && !fe_stack_low(P->cx) && --P->cx->poll_left)
        P->cx->depth++;
    else
        px_enter_slow(P);
}

static inline void px_leave(px *P)
{
    if (P->cx->depth)
        P->cx->depth--;
}

static inline const fe_token *px_tok(px *P) { return P->cur; }
static inline uint32_t px_pos(const px *P) { return (uint32_t)(P->cur - P->toks); }

static inline const fe_token *px_next(px *P)
{
    const fe_token *t = P->cur;
    if (t->kind != TK_EOF)
        P->cur++;
    return t;
}

static inline int px_is_punct(const fe_token *t, int p) { return t->kind == TK_PUNCT && t->id == p; }
static inline int px_is_kw(const fe_token *t, int kw) { return t->kind == TK_KEYWORD && t->id == kw; }

static inline int px_accept(px *P, int punct)
{
    if (px_is_punct(px_tok(P), punct)) {
        P->cur++;
        return 1;
    }
    return 0;
}

static inline const fe_token *px_expect(px *P, int punct, const char *what)
{
    const fe_token *t = P->cur;
    if (t->kind == TK_PUNCT && t->id == punct) {
        P->cur++;
        return t;
    }
    return px_expect_slow(P, punct, what);
}

/* The interned identifier of an identifier token. A token is often looked
 * up twice in a row (is it a typedef name? then: which variable?). */
static inline px_ident *px_ident_of(px *P, const fe_token *t)
{
    if (t == P->id_tok)
        return P->id_last;
    return px_ident_intern(P, t);
}
int px_starts_type(px *P, const fe_token *t);
ctype *px_type_name(px *P);
void px_scope_open(px *P);
void px_scope_close(px *P);
/* A declaration inside a block (returns 1 if one was parsed); appends
 * ST_DECL statements to out (may be NULL for for-init). */
int px_block_decl(px *P, px_vec *out);
void px_static_assert(px *P);
/* Runs fn under a statement-level recovery point; 1 if it was unwound. */
int px_protect_stmt(px *P, void (*fn)(px *, void *), void *arg);
csym *px_new_local(px *P, const char *name, ctype *t, const fe_token *at);
char *px_strf(px *P, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* parse_expr.c */
ast_expr *px_expr(px *P);            /* comma expression */
ast_expr *px_assign_expr(px *P);     /* not yet converted to an rvalue */
ast_expr *px_cond_expr(px *P);
ast_expr *px_rval_slow(px *P, ast_expr *e);
/* e as a value: arrays and functions decay; objects must be complete */
static inline ast_expr *px_rval(px *P, ast_expr *e)
{
    const ctype *t = e->type;
    if (t->kind != TY_ARRAY && t->kind != TY_FUNC && !t->incomplete)
        return e;
    return px_rval_slow(P, e);
}
ast_expr *px_new_expr(px *P, ex_kind k, ctype *t, const fe_token *at);
ast_expr *px_cast_to(px *P, ast_expr *e, ctype *t);
/* Conversion as by assignment, with its checks; what = "assignment",
 * "initialization", "return", "argument N of 'f'" */
ast_expr *px_conv_assign(px *P, ast_expr *e, ctype *t, const fe_token *at,
                         const char *what);
ast_expr *px_scalar_cond(px *P, ast_expr *e, const fe_token *at);
int px_is_null_const(px *P, ast_expr *e);
ast_expr *px_compound_literal(px *P, ctype *t, const fe_token *at);
void px_recycle(px *P, ast_expr *e);

/* parse_stmt.c */
ast_stmt *px_new_stmt(px *P, st_kind k, const fe_token *at);
ast_stmt *px_compound(px *P);        /* at '{' */
void px_finish_labels(px *P);

/* init.c */
/* Parse the initializer of sym (after '='); sets sym->init/ninit and may
 * complete an array type of unknown size. */
void px_initializer(px *P, csym *sym, int is_static);

/* sema_const.c */
enum { CV_NONE, CV_INT, CV_FLOAT, CV_ADDR };
typedef struct px_cval {
    int kind;
    int64_t i;            /* CV_INT; CV_ADDR: byte addend */
    double f;
    csym *sym;            /* CV_ADDR: a global/function, or NULL: */
    const char *str;      /*   a string literal, or NULL: a null base */
    uint32_t str_len;
} px_cval;
int px_eval(px *P, const ast_expr *e, px_cval *v);
/* Integer constant expression: 1 and *v on success, 0 after reporting. */
int px_eval_int(px *P, const ast_expr *e, const fe_token *at, int64_t *v);

/* ast_dump.c: malloc'd text of the unit (NULL on allocation failure). */
char *fe_ast_dump(const ast_unit *u);

#endif /* KP_PARSE_H */

/* parse.c — the parser's core: tokens, identifiers and scopes, error
 * recovery, declarations and declarators, struct/union/enum, the
 * translation unit (fe_parse) and built-in prototypes (fe_parse_prototype). */
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"

/* ---- errors and unwinding ---------------------------------------------------- */

_Noreturn void px_bail(px *P)
{
    longjmp(*P->abort_jb, 1);
}

static void px_check_stop(px *P)
{
    if (P->cx->arena.failed)
        fe_nomem(P->cx);
    if (fe_should_stop(P->cx))
        px_bail(P);
}

void px_error_at(px *P, uint8_t file, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fe_verror(P->cx, KP_ERR_COMPILE, file, (int)line, (int)col, fmt, ap);
    va_end(ap);
    px_check_stop(P);
}

void px_error(px *P, const fe_token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fe_verror(P->cx, KP_ERR_COMPILE, t->file, (int)t->line, (int)t->col, fmt, ap);
    va_end(ap);
    px_check_stop(P);
}

_Noreturn void px_syntax(px *P, const fe_token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fe_verror(P->cx, KP_ERR_COMPILE, t->file, (int)t->line, (int)t->col, fmt, ap);
    va_end(ap);
    px_check_stop(P);
    if (!P->rec)
        px_bail(P);
    longjmp(P->rec->jb, 1);
}

void *px_alloc_slow(px *P, size_t n)
{
    enum { BLK = 2048 }; /* memset stays on vector stores (no rep stosb) */
    kp_arena *a = &P->cx->arena;
    void *p = NULL;
    if (!a->failed) {
        if (n <= BLK / 8 && (p = kp_arena_alloc(a, BLK)) != NULL) {
            P->blk = (char *)p + n;
            P->blk_left = BLK - n;
            return p;
        }
        a->failed = 0; /* a smaller request may still fit the budget */
        p = kp_arena_alloc(a, n);
    }
    if (!p) {
        fe_nomem(P->cx);
        px_bail(P);
    }
    return p;
}

char *px_strf(px *P, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    char *s = px_alloc(P, n + 1);
    memcpy(s, buf, n + 1);
    return s;
}

void px_vec_grow(px *P, px_vec *v)
{
    uint32_t cap = v->cap ? v->cap * 2 : 8;
    /* not zeroed: nothing reads past n */
    void **nv = kp_arena_realloc_raw(&P->cx->arena, v->v, v->cap * sizeof *nv, cap * sizeof *nv);
    if (!nv) {
        fe_nomem(P->cx);
        px_bail(P);
    }
    v->v = nv;
    v->cap = cap;
}

void px_enter_slow(px *P)
{
    const fe_token *t = px_tok(P);
    if (!fe_enter(P->cx, t->file, (int)t->line, (int)t->col))
        px_bail(P);
}

/* ---- tokens ------------------------------------------------------------------- */

const fe_token *px_peek(px *P, uint32_t k)
{
    uint32_t i = px_pos(P) + k;
    return &P->toks[i < P->ntoks ? i : P->ntoks - 1];
}


static const char *tok_desc(const fe_token *t, char *buf, size_t n)
{
    switch (t->kind) {
    case TK_EOF: return "end of input";
    case TK_IDENT: snprintf(buf, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->text); return buf;
    case TK_KEYWORD: snprintf(buf, n, "'%s'", fe_keyword_name(t->id)); return buf;
    case TK_PUNCT: snprintf(buf, n, "'%s'", fe_punct_name(t->id)); return buf;
    case TK_INT: case TK_FLOAT: return "a number";
    case TK_CHAR: return "a character constant";
    case TK_STRING: return "a string literal";
    default: return "a token";
    }
}

const fe_token *px_expect_slow(px *P, int punct, const char *what)
{
    const fe_token *t = px_tok(P);
    if (!px_is_punct(t, punct)) {
        char buf[64];
        px_syntax(P, t, "expected '%s'%s%s before %s", fe_punct_name(punct),
                  what ? " " : "", what ? what : "", tok_desc(t, buf, sizeof buf));
    }
    return px_next(P);
}

/* ---- identifiers ------------------------------------------------------------------ */

static uint32_t hash_str(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static px_ident *ident_intern(px *P, const char *s, uint32_t n)
{
    uint32_t h = hash_str(s, n);
    if (P->htn * 2 >= P->htcap) {
        uint32_t cap = P->htcap ? P->htcap * 2 : 64;
        px_ident **nt = px_alloc(P, cap * sizeof *nt);
        for (uint32_t i = 0; i < P->htcap; i++) {
            px_ident *id = P->ht[i];
            if (!id)
                continue;
            uint32_t j = id->hash & (cap - 1);
            while (nt[j])
                j = (j + 1) & (cap - 1);
            nt[j] = id;
        }
        P->ht = nt;
        P->htcap = cap;
    }
    uint32_t j = h & (P->htcap - 1);
    for (px_ident *id; (id = P->ht[j]) != NULL; j = (j + 1) & (P->htcap - 1))
        if (id->hash == h && id->len == n && memcmp(id->name, s, n) == 0)
            return id;
    px_ident *id = px_alloc(P, sizeof *id);
    char *name = px_alloc(P, n + 1);
    memcpy(name, s, n);
    id->name = name;
    id->len = n;
    id->hash = h;
    P->ht[j] = id;
    P->htn++;
    return id;
}

px_ident *px_ident_intern(px *P, const fe_token *t)
{
    px_ident *id = ident_intern(P, t->text ? t->text : "", t->text ? t->len : 0);
    P->id_tok = t;
    P->id_last = id;
    return id;
}

/* ---- scopes -------------------------------------------------------------------------- */

void px_scope_open(px *P)
{
    if (P->scope + 1 >= P->scopes_cap) {
        unsigned cap = P->scopes_cap ? P->scopes_cap * 2 : 64;
        px_bind **ns = px_alloc(P, cap * sizeof *ns);
        if (P->scopes)
            memcpy(ns, P->scopes, P->scopes_cap * sizeof *ns);
        P->scopes = ns;
        P->scopes_cap = cap;
    }
    P->scope++;
    P->scopes[P->scope] = NULL;
}

void px_scope_close(px *P)
{
    for (px_bind *b = P->scopes[P->scope]; b; b = b->scope_next) {
        if (b->kind == B_TAG)
            b->id->tag = b->prev;
        else
            b->id->ord = b->prev;
    }
    P->scopes[P->scope] = NULL;
    if (P->scope)
        P->scope--;
}

static px_bind *bind_new(px *P, px_ident *id, int kind)
{
    px_bind *b = px_alloc(P, sizeof *b);
    b->kind = kind;
    b->scope = P->scope;
    b->id = id;
    if (kind == B_TAG) {
        b->prev = id->tag;
        id->tag = b;
    } else {
        b->prev = id->ord;
        id->ord = b;
    }
    b->scope_next = P->scopes[P->scope];
    P->scopes[P->scope] = b;
    return b;
}

/* ---- declaration specifiers ------------------------------------------------------------ */

typedef struct px_spec {
    ctype *type;
    int storage;          /* 0 or KW_TYPEDEF/EXTERN/STATIC/AUTO/REGISTER */
    unsigned qual;
    int is_inline;
    const fe_token *at;
} px_spec;

static int is_spec_kw(int kw)
{
    switch (kw) {
    case KW_AUTO: case KW_CHAR: case KW_CONST: case KW_DOUBLE: case KW_ENUM:
    case KW_EXTERN: case KW_FLOAT: case KW_INLINE: case KW_INT: case KW_LONG:
    case KW_REGISTER: case KW_RESTRICT: case KW_SHORT: case KW_SIGNED:
    case KW_STATIC: case KW_STRUCT: case KW_TYPEDEF: case KW_UNION:
    case KW_UNSIGNED: case KW_VOID: case KW_VOLATILE: case KW_BOOL:
    case KW_NORETURN: case KW_ATTRIBUTE: case KW_INLINE2: case KW_CONST2:
    case KW_RESTRICT2: case KW_TYPEOF: case KW_ALIGNAS: case KW_COMPLEX:
    case KW_THREAD_LOCAL: case KW_ATOMIC:
        return 1;
    default:
        return 0;
    }
}

static px_bind *lookup_typedef(px *P, const fe_token *t)
{
    if (t->kind != TK_IDENT)
        return NULL;
    px_ident *id = px_ident_of(P, t);
    return id->ord && id->ord->kind == B_TYPEDEF ? id->ord : NULL;
}

int px_starts_type(px *P, const fe_token *t)
{
    if (t->kind == TK_KEYWORD)
        return is_spec_kw(t->id);
    return lookup_typedef(P, t) != NULL;
}

static void skip_attribute(px *P)
{
    /* __attribute__((...)): skip the balanced parentheses */
    const fe_token *at = px_next(P);
    px_expect(P, P_LPAREN, "after '__attribute__'");
    int depth = 1;
    while (depth > 0) {
        const fe_token *t = px_next(P);
        if (t->kind == TK_EOF)
            px_syntax(P, at, "unterminated __attribute__");
        if (px_is_punct(t, P_LPAREN))
            depth++;
        else if (px_is_punct(t, P_RPAREN))
            depth--;
    }
}

static void skip_attributes(px *P)
{
    while (px_is_kw(px_tok(P), KW_ATTRIBUTE))
        skip_attribute(P);
}

static ctype *struct_spec(px *P);
static ctype *enum_spec(px *P);

static void parse_specs(px *P, px_spec *s, int allow_storage)
{
    memset(s, 0, sizeof *s);
    s->at = px_tok(P);
    int n_void = 0, n_bool = 0, n_char = 0, n_short = 0, n_int = 0, n_long = 0,
        n_signed = 0, n_unsigned = 0, n_float = 0, n_double = 0;
    ctype *named = NULL;
    int any = 0;
    for (;;) {
        const fe_token *t = px_tok(P);
        int basic_seen = n_void + n_bool + n_char + n_short + n_int + n_long +
                         n_signed + n_unsigned + n_float + n_double;
        if (t->kind == TK_IDENT) {
            if (named || basic_seen)
                break;
            px_bind *b = lookup_typedef(P, t);
            if (!b)
                break;
            named = b->type;
            px_next(P);
            any = 1;
            continue;
        }
        if (t->kind != TK_KEYWORD || !is_spec_kw(t->id))
            break;
        any = 1;
        switch (t->id) {
        case KW_TYPEDEF: case KW_EXTERN: case KW_STATIC: case KW_AUTO: case KW_REGISTER:
            if (!allow_storage)
                px_error(P, t, "storage class '%s' not allowed here", fe_keyword_name(t->id));
            else if (s->storage)
                px_error(P, t, "multiple storage classes in declaration specifiers");
            else
                s->storage = t->id;
            px_next(P);
            continue;
        case KW_THREAD_LOCAL:
            px_syntax(P, t, "'_Thread_local' is not supported");
        case KW_CONST: case KW_CONST2:
            s->qual |= TQ_CONST;
            px_next(P);
            continue;
        case KW_VOLATILE:
            s->qual |= TQ_VOLATILE;
            px_next(P);
            continue;
        case KW_RESTRICT: case KW_RESTRICT2:
            px_next(P);
            continue;
        case KW_INLINE: case KW_INLINE2:
            s->is_inline = 1;
            px_next(P);
            continue;
        case KW_NORETURN:
            px_next(P);
            continue;
        case KW_ATTRIBUTE:
            skip_attribute(P);
            continue;
        case KW_ALIGNAS:
            px_syntax(P, t, "'_Alignas' is not supported");
        case KW_COMPLEX:
            px_syntax(P, t, "complex types are not supported");
        case KW_ATOMIC:
            px_syntax(P, t, "'_Atomic' is not supported");
        default:
            break;
        }
        if (named)
            px_syntax(P, t, "two or more data types in declaration specifiers");
        switch (t->id) {
        case KW_VOID: n_void++; break;
        case KW_BOOL: n_bool++; break;
        case KW_CHAR: n_char++; break;
        case KW_SHORT: n_short++; break;
        case KW_INT: n_int++; break;
        case KW_LONG: n_long++; break;
        case KW_SIGNED: n_signed++; break;
        case KW_UNSIGNED: n_unsigned++; break;
        case KW_FLOAT: n_float++; break;
        case KW_DOUBLE: n_double++; break;
        case KW_STRUCT: case KW_UNION:
            if (basic_seen)
                px_syntax(P, t, "two or more data types in declaration specifiers");
            named = struct_spec(P);
            continue;
        case KW_ENUM:
            if (basic_seen)
                px_syntax(P, t, "two or more data types in declaration specifiers");
            named = enum_spec(P);
            continue;
        case KW_TYPEOF: {
            if (basic_seen)
                px_syntax(P, t, "two or more data types in declaration specifiers");
            px_next(P);
            px_expect(P, P_LPAREN, "after 'typeof'");
            if (px_starts_type(P, px_tok(P))) {
                named = px_type_name(P);
            } else {
                P->in_sizeof++;
                ast_expr *e = px_expr(P);
                P->in_sizeof--;
                named = e->type;
            }
            px_expect(P, P_RPAREN, NULL);
            continue;
        }
        default:
            break;
        }
        px_next(P);
    }
    if (!any)
        px_syntax(P, s->at, "expected a declaration");
    ty_env *te = &P->te;
    ctype *ty = NULL;
    if (named) {
        ty = named;
    } else {
        int bad = 0;
        if (n_signed && n_unsigned)
            bad = 1;
        if (n_signed > 1 || n_unsigned > 1 || n_void > 1 || n_bool > 1 || n_char > 1 ||
            n_short > 1 || n_int > 1 || n_long > 2 || n_float > 1 || n_double > 1)
            bad = 1;
        int sgn = n_signed || n_unsigned;
        if (n_void) {
            bad |= sgn || n_bool || n_char || n_short || n_int || n_long || n_float || n_double;
            ty = te->t_void;
        } else if (n_bool) {
            bad |= sgn || n_char || n_short || n_int || n_long || n_float || n_double;
            ty = te->t_bool;
        } else if (n_char) {
            bad |= n_short || n_int || n_long || n_float || n_double;
            ty = n_unsigned ? te->t_uchar : n_signed ? te->t_schar : te->t_char;
        } else if (n_float) {
            bad |= sgn || n_short || n_int || n_long || n_double;
            ty = te->t_float;
        } else if (n_double) {
            bad |= sgn || n_short || n_int || n_long > 1;
            ty = n_long ? te->t_ldouble : te->t_double;
        } else if (n_short) {
            bad |= n_long > 0;
            ty = n_unsigned ? te->t_ushort : te->t_short;
        } else if (n_long == 2) {
            ty = n_unsigned ? te->t_ullong : te->t_llong;
        } else if (n_long == 1) {
            ty = n_unsigned ? te->t_ulong : te->t_long;
        } else if (n_int || sgn) {
            ty = n_unsigned ? te->t_uint : te->t_int;
        } else {
            px_error(P, s->at, "type specifier missing (implicit int is not supported)");
            ty = te->t_int;
        }
        if (bad)
            px_error(P, s->at, "invalid combination of type specifiers");
    }
    s->type = ty_qual(te, ty, s->qual);
}

/* ---- declarators ---------------------------------------------------------------------- */

enum { D_PTR, D_ARRAY, D_FUNC };

typedef struct px_param {
    px_ident *id;         /* NULL if unnamed */
    const fe_token *tok;
    ctype *type;          /* adjusted, qualifiers as declared */
} px_param;

typedef struct px_dop {
    int kind;
    unsigned qual;
    uint32_t len;
    int incomplete;
    px_param *params;
    uint32_t nparams;
    int variadic;
    const fe_token *at;
} px_dop;

typedef struct px_declarator {
    const fe_token *name;   /* NULL for abstract declarators */
    px_ident *id;
    ctype *type;
    px_dop *fop;            /* the function declarator next to the name */
    px_dop *ops;
    uint32_t nops, cap;
} px_declarator;

static void dop_push(px *P, px_declarator *d, px_dop op)
{
    if (d->nops == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 8;
        px_dop *n = kp_arena_realloc(&P->cx->arena, d->ops, d->cap * sizeof *n, cap * sizeof *n);
        if (!n) {
            fe_nomem(P->cx);
            px_bail(P);
        }
        d->ops = n;
        d->cap = cap;
    }
    d->ops[d->nops++] = op;
}

static ctype *adjust_param(px *P, ctype *t)
{
    if (t->kind == TY_ARRAY)
        return ty_qual(&P->te, ty_ptr(&P->te, t->base->unqual), t->base->qual);
    if (t->kind == TY_FUNC)
        return ty_ptr(&P->te, t);
    return t;
}

static void declarator_rec(px *P, px_declarator *d, int abstract_ok);
static ctype *apply_declarator(px *P, ctype *base, px_declarator *d);

static void param_list(px *P, px_dop *op)
{
    /* at the token after '(' */
    px_vec params = {0};
    const fe_token *t = px_tok(P);
    if (px_is_punct(t, P_RPAREN)) {
        px_next(P);
        return; /* f() means f(void) */
    }
    if (px_is_kw(t, KW_VOID) && px_is_punct(px_peek(P, 1), P_RPAREN)) {
        px_next(P);
        px_next(P);
        return;
    }
    if (t->kind == TK_IDENT && !lookup_typedef(P, t))
        px_syntax(P, t, "old-style (K&R) parameter lists are not supported; "
                        "'%.*s' is not a type", (int)(t->len > 40 ? 40 : t->len), t->text);
    px_scope_open(P);
    for (;;) {
        t = px_tok(P);
        if (px_is_punct(t, P_ELLIPSIS)) {
            px_next(P);
            op->variadic = 1;
            if (!params.n)
                px_error(P, t, "a parameter is required before '...'");
            break;
        }
        px_spec s;
        parse_specs(P, &s, 1);
        if (s.storage && s.storage != KW_REGISTER)
            px_error(P, s.at, "storage class specified for parameter");
        px_declarator d = {0};
        declarator_rec(P, &d, 1);
        ctype *pt = apply_declarator(P, s.type, &d);
        if (pt->kind == TY_VOID) {
            px_error(P, d.name ? d.name : s.at, "parameter has type void");
            pt = P->te.t_int;
        }
        px_param *pp = px_alloc(P, sizeof *pp);
        pp->id = d.id;
        pp->tok = d.name ? d.name : s.at;
        pp->type = adjust_param(P, pt);
        px_push(P, &params, pp);
        if (params.n > IR_MAX_PARAMS - 1)
            px_syntax(P, pp->tok, "too many parameters (the limit is %d)", IR_MAX_PARAMS - 1);
        if (!px_accept(P, P_COMMA))
            break;
    }
    px_scope_close(P);
    px_expect(P, P_RPAREN, "after the parameters");
    op->nparams = params.n;
    op->params = px_alloc(P, (params.n ? params.n : 1) * sizeof *op->params);
    for (uint32_t i = 0; i < params.n; i++)
        op->params[i] = *(px_param *)params.v[i];
}

static void array_suffix(px *P, px_dop *op)
{
    /* at the token after '[' */
    while (px_is_kw(px_tok(P), KW_STATIC) || px_is_kw(px_tok(P), KW_CONST) ||
           px_is_kw(px_tok(P), KW_VOLATILE) || px_is_kw(px_tok(P), KW_RESTRICT) ||
           px_is_kw(px_tok(P), KW_RESTRICT2) || px_is_kw(px_tok(P), KW_CONST2))
        px_next(P);
    if (px_accept(P, P_RBRACKET)) {
        op->incomplete = 1;
        return;
    }
    const fe_token *at = px_tok(P);
    if (px_is_punct(at, P_STAR) && px_is_punct(px_peek(P, 1), P_RBRACKET))
        px_syntax(P, at, "variable-length arrays are not supported");
    ast_expr *e = px_rval(P, px_assign_expr(P));
    px_expect(P, P_RBRACKET, "after the array size");
    if (!ty_is_integer(e->type)) {
        px_error(P, at, "size of array has non-integer type");
        op->len = 1;
        return;
    }
    px_cval v;
    int r = px_eval(P, e, &v);
    if (r == -1) {
        px_error(P, at, "division by zero in a constant expression");
        op->len = 1;
        return;
    }
    if (r != 1 || v.kind != CV_INT) {
        px_error(P, at, "variable-length arrays are not supported");
        op->len = 1;
        return;
    }
    int64_t n = v.i;
    if (ty_is_unsigned(e->type) && e->type->size == 8 && n < 0)
        n = INT64_MAX;
    if (n <= 0) {
        px_error(P, at, "size of array is not positive");
        n = 1;
    } else if (n > 0x7fffffff) {
        px_error(P, at, "size of array is too large");
        n = 1;
    }
    op->len = (uint32_t)n;
}

/* Parses pointers, the direct declarator and its suffixes into d->ops in the
 * order they apply to the base type. */
static void declarator_rec(px *P, px_declarator *d, int abstract_ok)
{
    px_enter(P);
    px_dop ptrs[1];
    uint32_t first_ptr = d->nops;
    (void)ptrs;
    /* pointers: collected first, they apply innermost-first after the suffixes
       of this level are known, so record them in a temporary list */
    void *stars0[4], *suf0[4]; /* most declarators need no more */
    px_vec stars = {stars0, 0, 4};
    while (px_is_punct(px_tok(P), P_STAR)) {
        px_dop *op = px_alloc(P, sizeof *op);
        op->kind = D_PTR;
        op->at = px_next(P);
        for (;;) {
            const fe_token *t = px_tok(P);
            if (px_is_kw(t, KW_CONST) || px_is_kw(t, KW_CONST2))
                op->qual |= TQ_CONST;
            else if (px_is_kw(t, KW_VOLATILE))
                op->qual |= TQ_VOLATILE;
            else if (px_is_kw(t, KW_RESTRICT) || px_is_kw(t, KW_RESTRICT2))
                ;
            else if (px_is_kw(t, KW_ATTRIBUTE)) {
                skip_attribute(P);
                continue;
            } else
                break;
            px_next(P);
        }
        px_push(P, &stars, op);
        if (stars.n > 100000)
            px_syntax(P, op->at, "too many pointer levels");
    }
    for (uint32_t i = 0; i < stars.n; i++)
        dop_push(P, d, *(px_dop *)stars.v[i]);
    (void)first_ptr;
    skip_attributes(P);
    /* direct declarator */
    px_declarator inner = {0};
    int has_inner = 0;
    const fe_token *t = px_tok(P);
    if (t->kind == TK_IDENT) {
        d->name = t;
        d->id = px_ident_of(P, t);
        px_next(P);
    } else if (px_is_punct(t, P_LPAREN)) {
        /* '(' starts a nested declarator unless it is a parameter list of
           an abstract function declarator: "()" or "(type" */
        const fe_token *n = px_peek(P, 1);
        int nested = px_is_punct(n, P_STAR) || px_is_punct(n, P_LPAREN) ||
                     px_is_punct(n, P_LBRACKET) || px_is_kw(n, KW_ATTRIBUTE) ||
                     (n->kind == TK_IDENT && !lookup_typedef(P, n));
        if (nested) {
            px_next(P);
            declarator_rec(P, &inner, abstract_ok);
            px_expect(P, P_RPAREN, "to close the declarator");
            has_inner = 1;
            d->name = inner.name;
            d->id = inner.id;
        }
    }
    if (!d->name && !has_inner && !abstract_ok) {
        char buf[64];
        px_syntax(P, px_tok(P), "expected an identifier before %s",
                  tok_desc(px_tok(P), buf, sizeof buf));
    }
    /* suffixes: apply last-first */
    px_vec suf = {suf0, 0, 4};
    for (;;) {
        const fe_token *s = px_tok(P);
        if (px_is_punct(s, P_LBRACKET)) {
            px_dop *op = px_alloc(P, sizeof *op);
            op->kind = D_ARRAY;
            op->at = px_next(P);
            array_suffix(P, op);
            px_push(P, &suf, op);
        } else if (px_is_punct(s, P_LPAREN)) {
            px_dop *op = px_alloc(P, sizeof *op);
            op->kind = D_FUNC;
            op->at = px_next(P);
            param_list(P, op);
            px_push(P, &suf, op);
        } else {
            break;
        }
    }
    skip_attributes(P);
    for (uint32_t i = suf.n; i-- > 0;)
        dop_push(P, d, *(px_dop *)suf.v[i]);
    if (suf.n && ((px_dop *)suf.v[0])->kind == D_FUNC && !has_inner)
        d->fop = NULL; /* resolved in apply: the last op of the chain */
    for (uint32_t i = 0; i < inner.nops; i++)
        dop_push(P, d, inner.ops[i]);
    px_leave(P);
}

static ctype *apply_declarator(px *P, ctype *base, px_declarator *d)
{
    ty_env *te = &P->te;
    ctype *t = base;
    d->fop = NULL;
    for (uint32_t i = 0; i < d->nops; i++) {
        px_dop *op = &d->ops[i];
        switch (op->kind) {
        case D_PTR:
            t = ty_qual(te, ty_ptr(te, t), op->qual);
            break;
        case D_ARRAY:
            if (t->kind == TY_FUNC) {
                px_error(P, op->at, "declaration of an array of functions");
                t = ty_ptr(te, t);
            } else if (t->kind == TY_VOID) {
                px_error(P, op->at, "declaration of an array of voids");
                t = te->t_char;
            } else if (t->incomplete) {
                px_error(P, op->at, "array has incomplete element type");
                t = te->t_int;
            }
            if (!op->incomplete && (uint64_t)t->size * op->len > 0x7fffffff) {
                px_error(P, op->at, "size of array is too large");
                op->len = 1;
            }
            t = ty_array(te, t, op->len, op->incomplete);
            break;
        case D_FUNC: {
            if (t->kind == TY_FUNC) {
                px_error(P, op->at, "function cannot return a function");
                t = ty_ptr(te, t);
            } else if (t->kind == TY_ARRAY) {
                px_error(P, op->at, "function cannot return an array");
                t = ty_ptr(te, t->base);
            }
            ctype **ps = px_alloc(P, (op->nparams ? op->nparams : 1) * sizeof *ps);
            for (uint32_t k = 0; k < op->nparams; k++)
                ps[k] = op->params[k].type->unqual;
            t = ty_func(te, t->qual ? t->unqual : t, ps, op->nparams, op->variadic);
            if (!t)
                px_bail(P);
            break;
        }
        }
        if (!t) {
            fe_nomem(P->cx);
            px_bail(P);
        }
    }
    if (d->nops && d->ops[d->nops - 1].kind == D_FUNC)
        d->fop = &d->ops[d->nops - 1];
    d->type = t;
    return t;
}

ctype *px_type_name(px *P)
{
    px_spec s;
    parse_specs(P, &s, 0);
    px_declarator d = {0};
    declarator_rec(P, &d, 1);
    if (d.name)
        px_error(P, d.name, "unexpected identifier in a type name");
    return apply_declarator(P, s.type, &d);
}

/* ---- struct, union, enum ----------------------------------------------------------------- */

static void struct_body(px *P, ctype *rt)
{
    /* at the token after '{' */
    px_vec fields = {0};
    px_vec names = {0};
    /* duplicate check: intern names and keep a hash-free mark via a
       per-struct sequence stored in linkage-free field of the binding list */
    px_enter(P);
    while (!px_is_punct(px_tok(P), P_RBRACE)) {
        const fe_token *t = px_tok(P);
        if (t->kind == TK_EOF)
            px_syntax(P, t, "expected '}' at the end of the struct");
        if (px_is_kw(t, KW_STATIC_ASSERT)) {
            px_static_assert(P);
            continue;
        }
        if (px_accept(P, P_SEMI))
            continue;
        px_spec s;
        parse_specs(P, &s, 0);
        if (px_is_punct(px_tok(P), P_SEMI)) {
            /* anonymous struct/union member */
            px_next(P);
            if (ty_is_record(s.type) && !s.type->tag) {
                if (s.type->incomplete)
                    px_error(P, s.at, "anonymous member has incomplete type");
                cfield *f = px_alloc(P, sizeof *f);
                f->type = s.type;
                px_push(P, &fields, f);
            } else if (!ty_is_record(s.type) && s.type->kind != TY_ENUM) {
                px_error(P, s.at, "declaration does not declare anything");
            }
            continue;
        }
        for (;;) {
            px_declarator d = {0};
            const fe_token *at = px_tok(P);
            if (!px_is_punct(at, P_COLON))
                declarator_rec(P, &d, 0);
            ctype *ft = apply_declarator(P, s.type, &d);
            cfield *f = px_alloc(P, sizeof *f);
            f->name = d.id ? d.id->name : NULL;
            f->type = ft;
            const fe_token *fat = d.name ? d.name : at;
            if (px_is_punct(px_tok(P), P_COLON)) {
                const fe_token *ct = px_next(P);
                ast_expr *e = px_rval(P, px_cond_expr(P));
                int64_t w = 0;
                if (!px_eval_int(P, e, ct, &w))
                    w = 1;
                if (!ty_is_integer(ft)) {
                    px_error(P, fat, "bit-field has invalid type");
                    f->type = ft = P->te.t_int;
                }
                if (w < 0 || (uint64_t)w > (uint64_t)ft->size * 8 ||
                    (ft->kind == TY_BOOL && w > 1)) {
                    px_error(P, ct, "width of bit-field is invalid");
                    w = 1;
                }
                if (w == 0 && f->name) {
                    px_error(P, ct, "zero width for bit-field '%s'", f->name);
                    w = 1;
                }
                f->is_bitfield = 1;
                f->bit_width = (uint8_t)w;
            } else {
                if (ft->kind == TY_FUNC) {
                    px_error(P, fat, "member is declared as a function");
                    f->type = ty_ptr(&P->te, ft);
                } else if (ft->incomplete) {
                    int flex = ft->kind == TY_ARRAY && px_is_punct(px_tok(P), P_SEMI) &&
                               px_is_punct(px_peek(P, 1), P_RBRACE) && rt->kind == TY_STRUCT;
                    if (!flex) {
                        px_error(P, fat, "member has incomplete type");
                        f->type = P->te.t_int;
                    }
                }
            }
            px_push(P, &fields, f);
            if (!px_accept(P, P_COMMA))
                break;
        }
        skip_attributes(P);
        px_expect(P, P_SEMI, "after the member declaration");
    }
    px_next(P);
    px_leave(P);
    cfield *fs = px_alloc(P, (fields.n ? fields.n : 1) * sizeof *fs);
    for (uint32_t i = 0; i < fields.n; i++)
        fs[i] = *(cfield *)fields.v[i];
    /* duplicate member names: interned identifiers marked through a vector
       per struct is quadratic; use the ident's label slot-free mark instead */
    (void)names;
    {
        /* hash-based duplicate check */
        uint32_t cap = 16;
        while (cap < fields.n * 4 + 16)
            cap *= 2;
        const char **set = px_alloc(P, cap * sizeof *set);
        px_vec stack = {0};
        ctype tmp = *rt;
        tmp.fields = fs;
        tmp.nfields = fields.n;
        px_push(P, &stack, &tmp);
        uint32_t count = 0;
        while (stack.n) {
            ctype *st = stack.v[--stack.n];
            for (uint32_t i = 0; i < st->nfields; i++) {
                cfield *f = &st->fields[i];
                if (!f->name) {
                    if (!f->is_bitfield && ty_is_record(f->type))
                        px_push(P, &stack, f->type);
                    continue;
                }
                if (++count * 2 > cap)
                    continue;
                /* names are interned: compare pointers */
                px_ident *id = ident_intern(P, f->name, (uint32_t)strlen(f->name));
                uint32_t j = id->hash & (cap - 1);
                int dup = 0;
                while (set[j]) {
                    if (set[j] == id->name) {
                        dup = 1;
                        break;
                    }
                    j = (j + 1) & (cap - 1);
                }
                if (dup)
                    px_error(P, px_tok(P), "duplicate member '%s'", f->name);
                else
                    set[j] = id->name;
            }
        }
    }
    const char *err = ty_layout(&P->te, rt, fs, fields.n);
    if (err)
        px_error(P, px_tok(P), "%s", err);
}

static ctype *struct_spec(px *P)
{
    const fe_token *kw = px_next(P);
    ty_kind kind = kw->id == KW_STRUCT ? TY_STRUCT : TY_UNION;
    skip_attributes(P);
    const fe_token *tagt = NULL;
    px_ident *tag = NULL;
    if (px_tok(P)->kind == TK_IDENT) {
        tagt = px_next(P);
        tag = px_ident_of(P, tagt);
    }
    int body = px_is_punct(px_tok(P), P_LBRACE);
    if (!tag && !body)
        px_syntax(P, px_tok(P), "expected '{' or a tag after '%s'", fe_keyword_name(kw->id));
    ctype *t = NULL;
    if (tag) {
        px_bind *b = tag->tag;
        int only_decl = !body && px_is_punct(px_tok(P), P_SEMI);
        if (b && (body || only_decl) && b->scope != P->scope)
            b = NULL; /* a new type in this scope */
        if (b) {
            if (b->type->kind != kind) {
                px_error(P, tagt, "'%s' defined as the wrong kind of tag", tag->name);
                b = NULL;
            } else if (body && !b->type->incomplete) {
                px_error(P, tagt, "redefinition of '%s %s'", fe_keyword_name(kw->id), tag->name);
                b = NULL;
            }
        }
        if (b) {
            t = b->type;
        } else {
            t = ty_record(&P->te, kind, tag->name);
            if (!t)
                px_bail(P);
            px_bind *nb = bind_new(P, tag, B_TAG);
            nb->type = t;
        }
    } else {
        t = ty_record(&P->te, kind, NULL);
        if (!t)
            px_bail(P);
    }
    if (body) {
        px_next(P);
        struct_body(P, t);
        skip_attributes(P);
    }
    return t;
}

static ctype *enum_spec(px *P)
{
    px_next(P);
    skip_attributes(P);
    const fe_token *tagt = NULL;
    px_ident *tag = NULL;
    if (px_tok(P)->kind == TK_IDENT) {
        tagt = px_next(P);
        tag = px_ident_of(P, tagt);
    }
    int body = px_is_punct(px_tok(P), P_LBRACE);
    if (!tag && !body)
        px_syntax(P, px_tok(P), "expected '{' or a tag after 'enum'");
    ctype *t = NULL;
    if (tag) {
        px_bind *b = tag->tag;
        if (b && body && b->scope != P->scope)
            b = NULL;
        if (b && b->type->kind != TY_ENUM) {
            px_error(P, tagt, "'%s' defined as the wrong kind of tag", tag->name);
            b = NULL;
        }
        if (b && body && b->defined) {
            px_error(P, tagt, "redefinition of 'enum %s'", tag->name);
            b = NULL;
        }
        if (b) {
            t = b->type;
            if (body)
                b->defined = 1;
        } else {
            t = ty_enum(&P->te, tag->name);
            if (!t)
                px_bail(P);
            px_bind *nb = bind_new(P, tag, B_TAG);
            nb->type = t;
            nb->defined = body;
        }
    } else {
        t = ty_enum(&P->te, NULL);
        if (!t)
            px_bail(P);
    }
    if (!body)
        return t;
    px_next(P);
    int64_t val = 0;
    int first = 1;
    while (!px_is_punct(px_tok(P), P_RBRACE)) {
        const fe_token *nt = px_tok(P);
        if (nt->kind != TK_IDENT)
            px_syntax(P, nt, "expected an enumerator name");
        px_next(P);
        skip_attributes(P);
        px_ident *id = px_ident_of(P, nt);
        if (px_accept(P, P_ASSIGN)) {
            const fe_token *at = px_tok(P);
            ast_expr *e = px_rval(P, px_cond_expr(P));
            int64_t v;
            if (px_eval_int(P, e, at, &v)) {
                if (ty_is_unsigned(e->type) && e->type->size == 8 && v < 0)
                    v = INT64_MAX;
                val = v;
            }
        } else if (!first) {
            val++;
        }
        if (val < INT32_MIN || val > INT32_MAX) {
            px_error(P, nt, "enumerator value for '%s' is out of the range of int", id->name);
            val = 0;
        }
        first = 0;
        if (id->ord && id->ord->scope == P->scope)
            px_error(P, nt, "redeclaration of '%s'", id->name);
        px_bind *b = bind_new(P, id, B_ENUMC);
        b->type = P->te.t_int;
        b->val = val;
        if (!px_accept(P, P_COMMA))
            break;
    }
    px_expect(P, P_RBRACE, "at the end of the enum");
    return t;
}

/* ---- _Static_assert ------------------------------------------------------------------------ */

void px_static_assert(px *P)
{
    const fe_token *kw = px_next(P);
    px_expect(P, P_LPAREN, "after '_Static_assert'");
    const fe_token *at = px_tok(P);
    ast_expr *e = px_rval(P, px_cond_expr(P));
    const fe_token *msg = NULL;
    if (px_accept(P, P_COMMA)) {
        msg = px_tok(P);
        if (msg->kind != TK_STRING)
            px_syntax(P, msg, "expected a string literal");
        px_next(P);
    }
    px_expect(P, P_RPAREN, NULL);
    px_expect(P, P_SEMI, "after '_Static_assert'");
    int64_t v;
    if (px_eval_int(P, e, at, &v) && v == 0) {
        if (msg)
            px_error(P, kw, "static assertion failed: \"%.*s\"",
                     (int)(msg->u.s.len > 200 ? 200 : msg->u.s.len), msg->u.s.bytes);
        else
            px_error(P, kw, "static assertion failed");
    }
}

/* ---- symbols ---------------------------------------------------------------------------------- */

static csym *sym_new(px *P, const char *name, ctype *t, sym_kind k, const fe_token *at)
{
    px_csym *ps = px_alloc(P, sizeof *ps);
    csym *s = &ps->s;
    s->name = name;
    s->type = t;
    s->kind = k;
    s->file = at->file;
    s->line = at->line;
    s->col = at->col;
    if (ty_is_record(t) || t->kind == TY_ARRAY)
        s->addr_taken = 1;
    return s;
}

csym *px_new_local(px *P, const char *name, ctype *t, const fe_token *at)
{
    csym *s = sym_new(P, name, t, SYM_LOCAL, at);
    px_push(P, &P->locals, s);
    return s;
}

static int decl_is_compat(ctype *old, ctype *nw)
{
    if (ty_compatible(old, nw))
        return 1;
    /* an array of unknown size completed by a later declaration */
    if (old->kind == TY_ARRAY && nw->kind == TY_ARRAY && (old->incomplete || nw->incomplete))
        return ty_compatible(old->base, nw->base);
    return 0;
}

/* The file-scope symbol of a declaration with linkage (global object or
 * function), created or merged with an earlier declaration. */
static csym *linkage_sym(px *P, px_ident *id, const fe_token *at, ctype *t, int is_static,
                         int is_extern)
{
    ty_env *te = &P->te;
    (void)te;
    csym *s = id->linkage;
    sym_kind k = t->kind == TY_FUNC ? SYM_FUNC : SYM_GLOBAL;
    if (s) {
        if (s->kind != k) {
            px_error(P, at, "'%s' redeclared as a different kind of symbol", id->name);
            return s;
        }
        if (!decl_is_compat(s->type, t)) {
            char a[128], b[128];
            ty_cstr(s->type, a, sizeof a);
            ty_cstr(t, b, sizeof b);
            px_error(P, at, "conflicting types for '%s' (%s, previously %s)", id->name, b, a);
            return s;
        }
        if (s->type->kind == TY_ARRAY && s->type->incomplete && !t->incomplete)
            s->type = t;
        if (is_static && !s->is_static)
            px_error(P, at, "static declaration of '%s' follows a non-static declaration",
                     id->name);
        (void)is_extern;
        return s;
    }
    s = sym_new(P, id->name, t, k, at);
    s->is_static = (uint8_t)is_static;
    s->is_extern_decl = 1;
    id->linkage = s;
    if (k == SYM_GLOBAL)
        px_push(P, &P->globals, s);
    else
        px_push(P, &P->fdecls_all, s);
    return s;
}

static void bind_var(px *P, px_ident *id, csym *s, const fe_token *at)
{
    px_bind *b = id->ord;
    if (b && b->scope == P->scope) {
        int ok = b->kind == B_VAR && b->sym == s; /* redeclaration of the same linkage */
        if (!ok) {
            px_error(P, at, "redeclaration of '%s'", id->name);
            return;
        }
        return;
    }
    b = bind_new(P, id, B_VAR);
    b->sym = s;
}

/* ---- declarations ----------------------------------------------------------------------------- */

static void func_def(px *P, px_declarator *d, csym *s, const fe_token *at);

static void bind_typedef(px *P, px_declarator *d, ctype *t)
{
    px_ident *id = d->id;
    px_bind *b = id->ord;
    if (b && b->scope == P->scope) {
        if (b->kind != B_TYPEDEF || !ty_compatible(b->type, t))
            px_error(P, d->name, "redefinition of '%s'", id->name);
        return;
    }
    b = bind_new(P, id, B_TYPEDEF);
    b->type = t;
}

static void check_object_type(px *P, const fe_token *at, ctype *t, const char *name)
{
    if (t->kind == TY_VOID)
        px_error(P, at, "variable '%s' declared void", name);
}

/* One declaration at file scope (is_file) or in a block. Local definitions
 * append ST_DECL nodes to out. Returns 1 if the declaration was a function
 * definition. */
static int declaration(px *P, int is_file, px_vec *out)
{
    px_spec s;
    const fe_token *start = px_tok(P);
    parse_specs(P, &s, 1);
    if (px_accept(P, P_SEMI)) {
        if (!ty_is_record(s.type) && s.type->kind != TY_ENUM)
            px_error(P, start, "declaration does not declare anything");
        return 0;
    }
    for (int first = 1;; first = 0) {
        px_declarator d = {0};
        declarator_rec(P, &d, 0);
        ctype *t = apply_declarator(P, s.type, &d);
        px_ident *id = d.id;
        const fe_token *at = d.name;
        skip_attributes(P);
        if (px_is_kw(px_tok(P), KW_ASM) || px_is_kw(px_tok(P), KW_ASM2))
            px_syntax(P, px_tok(P), "inline assembly is not supported");
        if (s.storage == KW_TYPEDEF) {
            if (px_is_punct(px_tok(P), P_ASSIGN))
                px_syntax(P, px_tok(P), "typedef '%s' is initialized", id->name);
            bind_typedef(P, &d, t);
        } else if (t->kind == TY_FUNC) {
            if (s.storage == KW_AUTO || s.storage == KW_REGISTER)
                px_error(P, at, "invalid storage class for function '%s'", id->name);
            if (!is_file && s.storage == KW_STATIC)
                px_error(P, at, "invalid storage class for function '%s'", id->name);
            int is_static = s.storage == KW_STATIC;
            if (id->linkage && id->linkage->is_static)
                is_static = 1;
            csym *fs = linkage_sym(P, id, at, t, is_static, 1);
            bind_var(P, id, fs, at);
            if (px_is_punct(px_tok(P), P_LBRACE)) {
                if (!is_file || !first)
                    px_syntax(P, px_tok(P), "function definition is not allowed here");
                func_def(P, &d, fs, at);
                return 1;
            }
            if (px_is_punct(px_tok(P), P_ASSIGN))
                px_syntax(P, px_tok(P), "function '%s' is initialized like a variable", id->name);
            if (P->proto_mode) {
                d.fop = d.fop; /* keep */
                P->fnsym = fs;
            }
        } else if (is_file || s.storage == KW_EXTERN) {
            check_object_type(P, at, t, id->name);
            if (!is_file && px_is_punct(px_tok(P), P_ASSIGN))
                px_syntax(P, px_tok(P), "'%s' has both 'extern' and an initializer", id->name);
            if (s.storage == KW_AUTO || s.storage == KW_REGISTER)
                px_error(P, at, "file-scope declaration of '%s' specifies '%s'", id->name,
                         fe_keyword_name(s.storage));
            int is_static = s.storage == KW_STATIC;
            csym *gs = linkage_sym(P, id, at, t, is_static, s.storage == KW_EXTERN);
            bind_var(P, id, gs, at);
            if (gs->kind == SYM_GLOBAL) {
                if (s.storage != KW_EXTERN)
                    gs->is_extern_decl = 0; /* a (tentative) definition */
                if (px_accept(P, P_ASSIGN)) {
                    if (gs->init || gs->lw_done) {
                        px_error(P, at, "redefinition of '%s'", id->name);
                    }
                    gs->is_extern_decl = 0;
                    gs->lw_done = 1; /* marks "has an initializer" until lowering */
                    gs->type = t;
                    px_initializer(P, gs, 1);
                }
            }
        } else if (s.storage == KW_STATIC) {
            check_object_type(P, at, t, id->name);
            char *name = px_strf(P, "%s.%s.%u", P->fnsym ? P->fnsym->name : "", id->name, ++P->uniq);
            csym *gs = sym_new(P, name, t, SYM_GLOBAL, at);
            gs->is_static = 1;
            px_push(P, &P->globals, gs);
            bind_var(P, id, gs, at);
            if (px_accept(P, P_ASSIGN)) {
                gs->lw_done = 1;
                px_initializer(P, gs, 1);
            }
            if (gs->type->incomplete)
                px_error(P, at, "storage size of '%s' isn't known", id->name);
        } else {
            check_object_type(P, at, t, id->name);
            csym *ls = px_new_local(P, id->name, t, at);
            bind_var(P, id, ls, at);
            if (px_accept(P, P_ASSIGN))
                px_initializer(P, ls, 0);
            if (ls->type->incomplete && ls->type->kind != TY_VOID)
                px_error(P, at, "storage size of '%s' isn't known", id->name);
            if (out) {
                ast_stmt *st = px_new_stmt(P, ST_DECL, at);
                st->sym = ls;
                px_push(P, out, st);
            }
        }
        if (!px_accept(P, P_COMMA))
            break;
    }
    px_expect(P, P_SEMI, "after the declaration");
    return 0;
}

int px_block_decl(px *P, px_vec *out)
{
    const fe_token *t = px_tok(P);
    if (px_is_kw(t, KW_STATIC_ASSERT)) {
        px_static_assert(P);
        return 1;
    }
    if (!px_starts_type(P, t))
        return 0;
    if (t->kind == TK_IDENT && px_is_punct(px_peek(P, 1), P_COLON))
        return 0; /* a label that has a typedef's name */
    declaration(P, 0, out);
    return 1;
}

static void func_def(px *P, px_declarator *d, csym *fs, const fe_token *at)
{
    ctype *ft = d->type;
    if (fs->def) {
        px_error(P, at, "redefinition of '%s'", fs->name);
    }
    if (ft->variadic)
        px_error(P, at, "defining variadic functions is not supported");
    unsigned maxf = P->cx->opts.max_functions ? P->cx->opts.max_functions : 10000;
    if (++P->nfuncdefs > maxf) {
        fe_error(P->cx, KP_ERR_LIMIT, at->file, (int)at->line, (int)at->col,
                 "too many function definitions (the limit is %u)", maxf);
        px_bail(P);
    }
    if (!d->fop)
        px_syntax(P, at, "a function definition needs a parameter list "
                         "(not a typedef'd function type)");
    ctype *rt = ft->base;
    if (rt->kind != TY_VOID && rt->incomplete)
        px_error(P, at, "return type is an incomplete type");
    /* use the parameter names of this definition */
    fs->type = ft;
    fs->is_extern_decl = 0;
    ast_func *fn = px_alloc(P, sizeof *fn);
    fn->sym = fs;
    fn->line = at->line;
    fn->col = at->col;
    fs->def = fn;
    P->fn = fn;
    P->fnsym = fs;
    P->locals.v = NULL;
    P->locals.n = P->locals.cap = 0;
    P->labels = NULL;
    P->nbreak = 0;
    P->sw = NULL;
    {
        size_t k = 0;
        for (; fs->name[k] && k + 1 < sizeof P->cx->cur_function; k++)
            P->cx->cur_function[k] = fs->name[k];
        P->cx->cur_function[k] = 0;
    }
    px_scope_open(P);
    px_dop *fop = d->fop;
    uint32_t np = fop ? fop->nparams : 0;
    fn->params = px_alloc(P, (np ? np : 1) * sizeof *fn->params);
    fn->nparams = np;
    for (uint32_t i = 0; i < np; i++) {
        px_param *pp = &fop->params[i];
        if (!pp->id) {
            px_error(P, pp->tok, "parameter name omitted");
            pp->id = ident_intern(P, "", 0);
        }
        if (pp->type->incomplete)
            px_error(P, pp->tok, "parameter '%s' has incomplete type", pp->id->name);
        csym *ps = px_new_local(P, pp->id->name, pp->type, pp->tok);
        ps->is_param = 1;
        fn->params[i] = ps;
        if (pp->id->len)
            bind_var(P, pp->id, ps, pp->tok);
    }
    px_push(P, &P->funcs, fn);
    fn->body = px_compound(P);
    px_scope_close(P);
    px_finish_labels(P);
    fn->locals = (csym **)P->locals.v;
    fn->nlocals = P->locals.n;
    P->fn = NULL;
    P->fnsym = NULL;
    P->cx->cur_function[0] = 0;
}

/* ---- recovery ----------------------------------------------------------------------------------- */

/* After a syntax error: skip the rest of the construct that started at
 * `start` (braces it opened included) up to a ';' or to the '}' of the
 * enclosing block, which is left for the block (at file scope it is eaten). */
static void skip_to_sync(px *P, uint32_t start, int top)
{
    long depth = 0;
    for (uint32_t i = start; i < px_pos(P); i++) {
        if (px_is_punct(&P->toks[i], P_LBRACE))
            depth++;
        else if (px_is_punct(&P->toks[i], P_RBRACE) && depth > 0)
            depth--;
    }
    for (;;) {
        const fe_token *t = px_tok(P);
        if (t->kind == TK_EOF)
            return;
        if (px_is_punct(t, P_SEMI) && depth == 0) {
            px_next(P);
            return;
        }
        if (px_is_punct(t, P_LBRACE))
            depth++;
        if (px_is_punct(t, P_RBRACE)) {
            if (depth == 0) {
                if (top || px_pos(P) == start)
                    px_next(P);
                return;
            }
            if (--depth == 0) {
                px_next(P);
                if (px_is_punct(px_tok(P), P_SEMI))
                    px_next(P);
                return;
            }
        }
        px_next(P);
    }
}

typedef void (*px_fn)(px *P, void *arg);

/* Runs fn under a recovery point: a syntax error inside skips to the next
 * ';' or '}' and returns 1. */
static int px_protect(px *P, px_fn fn, void *arg)
{
    px_recover r;
    r.outer = P->rec;
    r.depth = P->cx->depth;
    r.scope = P->scope;
    r.start_pos = px_pos(P);
    r.nbreak = P->nbreak;
    r.sw = P->sw;
    r.in_sizeof = P->in_sizeof;
    P->rec = &r;
    if (setjmp(r.jb)) {
        P->rec = r.outer;
        P->cx->depth = r.depth;
        while (P->scope > r.scope)
            px_scope_close(P);
        P->nbreak = r.nbreak;
        P->sw = r.sw;
        P->in_sizeof = r.in_sizeof;
        skip_to_sync(P, r.start_pos, r.outer == NULL);
        return 1;
    }
    fn(P, arg);
    P->rec = r.outer;
    return 0;
}

int px_protect_stmt(px *P, void (*fn)(px *, void *), void *arg) { return px_protect(P, fn, arg); }

/* ---- the translation unit ---------------------------------------------------------------------- */

static void top_decl(px *P, void *arg)
{
    (void)arg;
    const fe_token *t = px_tok(P);
    if (px_accept(P, P_SEMI))
        return;
    if (px_is_kw(t, KW_STATIC_ASSERT)) {
        px_static_assert(P);
        return;
    }
    if (px_is_kw(t, KW_ASM) || px_is_kw(t, KW_ASM2))
        px_syntax(P, t, "inline assembly is not supported");
    if (t->kind == TK_IDENT && !lookup_typedef(P, t)) {
        if (px_is_punct(px_peek(P, 1), P_LPAREN))
            px_syntax(P, t, "expected a declaration: a return type is required "
                            "(implicit int is not supported)");
        px_syntax(P, t, "unknown type name '%.*s'", (int)(t->len > 60 ? 60 : t->len), t->text);
    }
    if (!px_starts_type(P, t)) {
        char buf[64];
        px_syntax(P, t, "expected a declaration before %s", tok_desc(t, buf, sizeof buf));
    }
    declaration(P, 1, NULL);
}

/* A type constructor ran out of memory: many callers use the type at
 * once (an initializer completing an array type, a declarator), so bail
 * out here rather than return NULL to each of them. */
static _Noreturn void type_nomem(void *ud)
{
    px *P = ud;
    fe_nomem(P->cx);
    px_bail(P);
}

static void px_init(px *P, fe_ctx *cx, const fe_token *toks, uint32_t ntoks, jmp_buf *jb)
{
    memset(P, 0, sizeof *P);
    P->cx = cx;
    P->toks = toks;
    P->cur = toks;
    P->ntoks = ntoks;
    P->abort_jb = jb;
    P->max_depth = cx->opts.max_nesting ? cx->opts.max_nesting : 256;
    if (ty_env_init(&P->te, &cx->arena) != 0) {
        fe_nomem(cx);
        px_bail(P);
    }
    P->te.nomem = type_nomem;
    P->te.nomem_ud = P;
    px_scope_open(P); /* file scope is level 1 */
}

static void finish_unit(px *P, ast_unit *u)
{
    /* globals: tentative definitions and extern objects */
    for (uint32_t i = 0; i < P->globals.n; i++) {
        csym *s = P->globals.v[i];
        s->lw_done = 0;
        if (s->is_extern_decl) {
            if (s->is_used)
                px_error_at(P, s->file, s->line, s->col,
                            "'%s' is declared extern but never defined (plugins can "
                            "only import functions)", s->name);
            continue;
        }
        if (s->type->kind == TY_ARRAY && s->type->incomplete && !s->init)
            s->type = ty_array(&P->te, s->type->base, 1, 0);
        if (s->type->incomplete)
            px_error_at(P, s->file, s->line, s->col, "storage size of '%s' isn't known",
                        s->name);
    }
    px_vec fd = {0};
    for (uint32_t i = 0; i < P->fdecls_all.n; i++) {
        csym *s = P->fdecls_all.v[i];
        if (s->def || !s->is_used)
            continue;
        if (s->is_static) {
            px_error_at(P, s->file, s->line, s->col,
                        "static function '%s' is used but never defined", s->name);
            continue;
        }
        px_push(P, &fd, s);
    }
    u->funcs = (ast_func **)P->funcs.v;
    u->nfuncs = P->funcs.n;
    u->globals = (csym **)P->globals.v;
    u->nglobals = P->globals.n;
    u->fdecls = (csym **)fd.v;
    u->nfdecls = fd.n;
}

ast_unit *fe_parse(fe_ctx *cx, const fe_token *toks, uint32_t ntoks)
{
    if (!toks || !ntoks || toks[ntoks - 1].kind != TK_EOF) {
        fe_error(cx, KP_ERR_COMPILE, 0, 0, 0, "internal error: no token stream to parse");
        return NULL;
    }
    jmp_buf jb;
    px *P = kp_arena_alloc(&cx->arena, sizeof *P);
    if (!P) {
        fe_nomem(cx);
        return NULL;
    }
    unsigned depth0 = cx->depth;
    if (setjmp(jb)) {
        cx->depth = depth0;
        if (cx->arena.failed)
            fe_nomem(cx);
        if (!cx->nerrors)
            fe_error(cx, KP_ERR_COMPILE, 0, 0, 0, "internal error: parse failed");
        cx->cur_function[0] = 0;
        return NULL;
    }
    px_init(P, cx, toks, ntoks, &jb);
    while (px_tok(P)->kind != TK_EOF)
        px_protect(P, top_decl, NULL);
    ast_unit *u = px_alloc(P, sizeof *u);
    finish_unit(P, u);
    if (cx->arena.failed) {
        fe_nomem(cx);
        return NULL;
    }
    return cx->nerrors ? NULL : u;
}

/* ---- built-in prototypes ------------------------------------------------------------------------ */

static void proto_decl(px *P, void *arg)
{
    (void)arg;
    P->proto_mode = 1;
    const fe_token *t = px_tok(P);
    if (!px_starts_type(P, t)) {
        char buf[64];
        px_syntax(P, t, "expected a return type before %s", tok_desc(t, buf, sizeof buf));
    }
    px_spec s;
    parse_specs(P, &s, 1);
    px_declarator d = {0};
    declarator_rec(P, &d, 0);
    ctype *ft = apply_declarator(P, s.type, &d);
    if (ft->kind != TY_FUNC)
        px_syntax(P, d.name, "'%s' is not declared as a function", d.id->name);
    px_accept(P, P_SEMI);
    if (px_tok(P)->kind != TK_EOF)
        px_syntax(P, px_tok(P), "unexpected text after the prototype");
    csym *fs = px_alloc(P, sizeof *fs);
    fs->name = d.id->name;
    fs->type = ft;
    fs->line = d.name->line;
    fs->col = d.name->col;
    P->fnsym = fs;
}

/* One attempt at a prototype in a fresh cx: lexed by fe_lex_plain if lean,
 * else preprocessed. Returns the function's symbol, or NULL (with
 * diagnostics in cx unless the lean lexer declined). */
static csym *proto_attempt(fe_ctx *cx, const char *proto, size_t len, int lean, ir_sig *sig)
{
    memset(cx, 0, sizeof *cx);
    kp_arena_init(&cx->arena, ((size_t)16 << 20) + 64 * len);
    cx->plugin_name = "prototype";
    cx->files[0].name = "prototype";
    cx->files[0].src = proto;
    cx->files[0].len = len;
    cx->nfiles = 1;
    fe_token *toks = NULL;
    uint32_t ntoks = 0;
    csym *fs = NULL;
    int rc = lean ? fe_lex_plain(cx, &toks, &ntoks) : fe_preprocess(cx, &toks, &ntoks);
    if (rc == 0 && !cx->nerrors && toks && ntoks) {
        jmp_buf jb;
        px *P = kp_arena_alloc(&cx->arena, sizeof *P);
        if (!P) {
            fe_nomem(cx);
        } else if (!setjmp(jb)) {
            px_init(P, cx, toks, ntoks, &jb);
            if (!px_protect(P, proto_decl, NULL))
                fs = P->fnsym;
        }
        if (fs && !cx->nerrors) {
            ctype *ft = fs->type;
            const fe_token pos = {.file = 0, .line = fs->line, .col = fs->col};
            if (ft->nparams > IR_MAX_PARAMS) {
                fe_error(cx, KP_ERR_COMPILE, 0, (int)pos.line, (int)pos.col,
                         "too many parameters");
            }
            memset(sig, 0, sizeof *sig);
            if (ty_is_record(ft->base))
                fe_error(cx, KP_ERR_COMPILE, 0, (int)pos.line, (int)pos.col,
                         "built-ins cannot return a struct or union");
            sig->ret = (uint8_t)(ft->base->kind == TY_VOID ? IR_VOID : ty_sig_type(ft->base));
            sig->variadic = ft->variadic;
            sig->nparams = (uint8_t)(ft->nparams > IR_MAX_PARAMS ? 0 : ft->nparams);
            for (uint32_t i = 0; i < sig->nparams; i++) {
                if (ty_is_record(ft->params[i]))
                    fe_error(cx, KP_ERR_COMPILE, 0, (int)pos.line, (int)pos.col,
                             "parameter %u of a built-in cannot be a struct or union",
                             i + 1);
                sig->params[i] = (uint8_t)ty_sig_type(ft->params[i]);
            }
        }
    }
    return cx->nerrors || cx->arena.failed ? NULL : fs;
}

int fe_parse_prototype(const char *proto, kp_arena *a, const char **name, ir_sig *sig,
                       fe_result *res)
{
    memset(res, 0, sizeof *res);
    if (!proto || !a || !name || !sig) {
        res->code = KP_ERR_ARG;
        return KP_ERR_ARG;
    }
    size_t len = strlen(proto);
    fe_ctx cx;
    /* The lean path only ever succeeds: on any failure the text goes
     * through the preprocessor afresh, which gives the diagnostics. */
    csym *fs = proto_attempt(&cx, proto, len, 1, sig);
    if (!fs) {
        free(cx.diag);
        kp_arena_free(&cx.arena);
        fs = proto_attempt(&cx, proto, len, 0, sig);
    }
    int code = KP_OK;
    if (!fs) {
        code = KP_ERR_ARG;
        if (!cx.nerrors)
            fe_error(&cx, KP_ERR_COMPILE, 0, 0, 0, "malformed prototype");
    } else {
        *name = kp_arena_strdup(a, fs->name);
        if (!*name)
            code = KP_ERR_NOMEM;
    }
    res->code = code;
    res->message = code == KP_OK ? NULL : cx.diag;
    if (code == KP_OK)
        free(cx.diag);
    cx.diag = NULL;
    res->line = cx.first_line;
    res->col = cx.first_col;
    kp_arena_free(&cx.arena);
    return code;
}

/* parse_expr.c — expressions: C's precedence, the usual conversions made
 * explicit (EX_CAST), lvalue and constraint checks. */
#include "parse.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

ast_expr *px_new_expr(px *P, ex_kind k, ctype *t, const fe_token *at)
{
    if (!t) { /* a type constructor ran out of memory */
        fe_nomem(P->cx);
        px_bail(P);
    }
    ast_expr *e = P->free_expr;
    if (e) {
        P->free_expr = e->lhs;
        memset(e, 0, sizeof *e);
    } else {
        e = px_alloc(P, sizeof *e);
    }
    e->kind = k;
    e->type = t;
    e->file = at->file;
    e->line = at->line;
    e->col = at->col;
    return e;
}

static const fe_token *pos_of(const ast_expr *e, fe_token *buf)
{
    memset(buf, 0, sizeof *buf);
    buf->file = e->file;
    buf->line = e->line;
    buf->col = e->col;
    return buf;
}

static ast_expr *mk_int(px *P, int64_t v, ctype *t, const fe_token *at)
{
    ast_expr *e = px_new_expr(P, EX_INT, t, at);
    e->ival = ty_wrap(t, v);
    return e;
}

static const char *tstr(const ctype *t, char *buf)
{
    ty_cstr(t, buf, 96);
    return buf;
}

/* ---- lvalues and rvalues -------------------------------------------------------- */

static int is_lvalue(const ast_expr *e)
{
    for (;;) {
        switch (e->kind) {
        case EX_VAR:
            return e->sym->kind != SYM_FUNC;
        case EX_DEREF:
            return e->type->kind != TY_FUNC;
        case EX_STR: case EX_COMPOUND:
            return 1;
        case EX_MEMBER:
            e = e->lhs;
            continue;
        default:
            return 0;
        }
    }
}

static int has_const_member(const ctype *t, int depth)
{
    if (depth > 64)
        return 0;
    for (uint32_t i = 0; i < t->nfields; i++) {
        const ctype *ft = t->fields[i].type;
        while (ft->kind == TY_ARRAY)
            ft = ft->base;
        if (ft->qual & TQ_CONST)
            return 1;
        if (ty_is_record(ft) && has_const_member(ft, depth + 1))
            return 1;
    }
    return 0;
}

static int check_modifiable(px *P, ast_expr *e, const fe_token *at, const char *what)
{
    if (!is_lvalue(e)) {
        px_error(P, at, "lvalue required as %s", what);
        return 0;
    }
    if (e->type->kind == TY_ARRAY) {
        px_error(P, at, "assignment to an expression with array type");
        return 0;
    }
    if (e->type->qual & TQ_CONST) {
        if (e->kind == EX_VAR)
            px_error(P, at, "assignment of read-only variable '%s'", e->sym->name);
        else
            px_error(P, at, "assignment of read-only location");
        return 0;
    }
    if (ty_is_record(e->type) && has_const_member(e->type, 0)) {
        px_error(P, at, "assignment of a struct with a read-only member");
        return 0;
    }
    if (e->type->incomplete) {
        px_error(P, at, "assignment to an object of incomplete type");
        return 0;
    }
    return 1;
}

ast_expr *px_rval_slow(px *P, ast_expr *e)
{
    fe_token tb;
    if (e->type->kind == TY_ARRAY) {
        ast_expr *d = px_new_expr(P, EX_DECAY, ty_ptr(&P->te, e->type->base), pos_of(e, &tb));
        d->lhs = e;
        return d;
    }
    if (e->type->kind == TY_FUNC) {
        if (e->kind == EX_DEREF)
            return e->lhs; /* *fp used as a value is fp */
        ast_expr *d = px_new_expr(P, EX_DECAY, ty_ptr(&P->te, e->type), pos_of(e, &tb));
        d->lhs = e;
        return d;
    }
    if (e->type->incomplete && e->type->kind != TY_VOID && is_lvalue(e))
        px_error(P, pos_of(e, &tb), "use of an object of incomplete type");
    return e;
}

static ast_expr *rv(px *P, ast_expr *e) { return px_rval(P, e); }

/* ---- conversions -------------------------------------------------------------------- */

static int same_type(const ctype *a, const ctype *b)
{
    return ty_compatible(a->unqual, b->unqual);
}

ast_expr *px_cast_to(px *P, ast_expr *e, ctype *t)
{
    fe_token tb;
    t = t->unqual;
    if (e->type->unqual == t)
        return e;
    if (same_type(e->type, t) && (t->kind != TY_PTR || e->type->unqual == t ||
                                  ty_compatible(e->type->unqual->base, t->base)))
        return e;
    /* constants are converted in place: a constant node has one user */
    if (e->kind == EX_INT && ty_is_integer(t)) {
        e->ival = ty_wrap(t, e->ival);
        e->type = t;
        return e;
    }
    if (e->kind == EX_INT && ty_is_float(t)) {
        double d = ty_is_unsigned(e->type) ? (double)(uint64_t)e->ival : (double)e->ival;
        if (t->kind == TY_FLOAT)
            d = ty_is_unsigned(e->type) ? (float)(uint64_t)e->ival : (float)e->ival;
        e->kind = EX_FLOAT;
        e->fval = d; /* shares storage with ival */
        e->type = t;
        return e;
    }
    if (e->kind == EX_FLOAT && ty_is_float(t)) {
        e->fval = t->kind == TY_FLOAT ? (double)(float)e->fval : e->fval;
        e->type = t;
        return e;
    }
    ast_expr *c = px_new_expr(P, EX_CAST, t, pos_of(e, &tb));
    c->lhs = e;
    return c;
}

static ast_expr *promote(px *P, ast_expr *e)
{
    if (e->type == P->te.t_int && e->kind != EX_MEMBER)
        return e; /* the common case */
    e = rv(P, e);
    if (!ty_is_integer(e->type))
        return e;
    ctype *pt = ty_promote(&P->te, e->type);
    /* bit-fields narrower than int promote to int */
    if (e->kind == EX_MEMBER && e->field->is_bitfield && e->field->bit_width < 32 &&
        e->type->size <= 4)
        pt = P->te.t_int;
    return px_cast_to(P, e, pt);
}

int px_is_null_const(px *P, ast_expr *e)
{
    if (e->kind == EX_CAST && e->type->kind == TY_PTR && e->type->base->kind == TY_VOID &&
        e->type->base->qual == 0)
        e = e->lhs;
    if (!ty_is_integer(e->type))
        return 0;
    px_cval v;
    return px_eval(P, e, &v) == 1 && v.kind == CV_INT && v.i == 0;
}

/* Pointer targets that may convert implicitly: compatible up to qualifiers,
 * void on one side, or integers differing only in signedness. */
static int ptr_assignable(const ctype *to, const ctype *from)
{
    const ctype *a = to->base->unqual, *b = from->base->unqual;
    if (ty_compatible(a, b))
        return 1;
    if (a->kind == TY_VOID || b->kind == TY_VOID)
        return 1;
    if (ty_is_integer(a) && ty_is_integer(b) && a->size == b->size && a->kind != TY_BOOL &&
        b->kind != TY_BOOL)
        return 1;
    return 0;
}

/* what == NULL: "argument argi of 'fname'", spelled only for a message
 * (calls are common, errors are not) */
static const char *what_of(const char *what, char *wb, uint32_t argi, const char *fname)
{
    if (what)
        return what;
    snprintf(wb, 128, "argument %u of '%s'", argi, fname ? fname : "call");
    return wb;
}

static ast_expr *conv_assign(px *P, ast_expr *e, ctype *t, const fe_token *at,
                             const char *what, uint32_t argi, const char *fname)
{
    char b1[96], b2[96], wb[128];
    e = rv(P, e);
    ctype *T = t->unqual, *S = e->type;
    if (ty_is_arith(T) && ty_is_arith(S))
        return px_cast_to(P, e, T);
    if (T->kind == TY_BOOL && S->kind == TY_PTR)
        return px_cast_to(P, e, T);
    if (T->kind == TY_PTR) {
        if (S->kind == TY_PTR) {
            if (!ptr_assignable(T, S))
                px_error(P, at, "incompatible pointer types in %s (from '%s' to '%s')",
                         what_of(what, wb, argi, fname), tstr(S, b1), tstr(T, b2));
            return px_cast_to(P, e, T);
        }
        if (ty_is_integer(S)) {
            if (!px_is_null_const(P, e))
                px_error(P, at, "%s makes pointer from integer without a cast",
                         what_of(what, wb, argi, fname));
            return px_cast_to(P, e, T);
        }
    }
    if (ty_is_integer(T) && S->kind == TY_PTR) {
        px_error(P, at, "%s makes integer from pointer without a cast",
                 what_of(what, wb, argi, fname));
        return px_cast_to(P, e, T);
    }
    if (ty_is_record(T) && same_type(T, S))
        return e;
    px_error(P, at, "incompatible types in %s (from '%s' to '%s')",
             what_of(what, wb, argi, fname), tstr(S, b1), tstr(T, b2));
    return e;
}

ast_expr *px_conv_assign(px *P, ast_expr *e, ctype *t, const fe_token *at, const char *what)
{
    return conv_assign(P, e, t, at, what, 0, NULL);
}

ast_expr *px_scalar_cond(px *P, ast_expr *e, const fe_token *at)
{
    e = rv(P, e);
    if (!ty_is_scalar(e->type)) {
        px_error(P, at, "a scalar is required here, not '%s'", tstr(e->type, (char[96]){0}));
        return mk_int(P, 0, P->te.t_int, at);
    }
    if (ty_is_integer(e->type))
        return promote(P, e);
    return e;
}

static int complete_pointee(px *P, const ctype *pt, const fe_token *at, uint32_t *scale)
{
    const ctype *b = pt->base;
    if (b->kind == TY_VOID) {
        *scale = 1; /* GNU C: arithmetic on void * steps by bytes */
        return 1;
    }
    if (b->kind == TY_FUNC) {
        px_error(P, at, "arithmetic on a pointer to a function");
        *scale = 1;
        return 0;
    }
    if (b->incomplete) {
        px_error(P, at, "arithmetic on a pointer to an incomplete type");
        *scale = 1;
        return 0;
    }
    *scale = b->size ? b->size : 1;
    return 1;
}

static ast_expr *ptr_index(px *P, ast_expr *idx)
{
    idx = promote(P, idx);
    return px_cast_to(P, idx, idx->type->size == 8 ? P->te.t_long : P->te.t_int);
}

static ast_expr *mk_ptr_add(px *P, ast_expr *p, ast_expr *i, int negate, const fe_token *at)
{
    uint32_t scale;
    complete_pointee(P, p->type, at, &scale);
    i = ptr_index(P, i);
    if (negate) {
        if (i->kind == EX_INT) {
            i = mk_int(P, -(uint64_t)i->ival, i->type, at);
        } else {
            ast_expr *n = px_new_expr(P, EX_NEG, i->type, at);
            n->lhs = i;
            i = n;
        }
    }
    ast_expr *e = px_new_expr(P, EX_PTR_ADD, p->type->unqual, at);
    e->lhs = p;
    e->rhs = i;
    e->scale = scale;
    return e;
}

/* ---- binary operators ------------------------------------------------------------------- */

static ex_kind punct_binop(int p)
{
    switch (p) {
    case P_STAR: case P_MUL_ASSIGN: return EX_MUL;
    case P_SLASH: case P_DIV_ASSIGN: return EX_DIV;
    case P_PERCENT: case P_MOD_ASSIGN: return EX_MOD;
    case P_PLUS: case P_ADD_ASSIGN: return EX_ADD;
    case P_MINUS: case P_SUB_ASSIGN: return EX_SUB;
    case P_SHL: case P_SHL_ASSIGN: return EX_SHL;
    case P_SHR: case P_SHR_ASSIGN: return EX_SHR;
    case P_AMP: case P_AND_ASSIGN: return EX_BITAND;
    case P_CARET: case P_XOR_ASSIGN: return EX_BITXOR;
    case P_PIPE: case P_OR_ASSIGN: return EX_BITOR;
    case P_EQ: return EX_EQ;
    case P_NE: return EX_NE;
    case P_LT: return EX_LT;
    case P_LE: return EX_LE;
    case P_GT: return EX_GT;
    case P_GE: return EX_GE;
    case P_ANDAND: return EX_LOGAND;
    case P_OROR: return EX_LOGOR;
    default: return EX_INT;
    }
}

static int binop_prec(const fe_token *t)
{
    if (t->kind != TK_PUNCT)
        return 0;
    return fe_binop_prec(t->id);
}

static const char *op_name(ex_kind k)
{
    switch (k) {
    case EX_MUL: return "*";
    case EX_DIV: return "/";
    case EX_MOD: return "%";
    case EX_ADD: return "+";
    case EX_SUB: return "-";
    case EX_SHL: return "<<";
    case EX_SHR: return ">>";
    case EX_BITAND: return "&";
    case EX_BITXOR: return "^";
    case EX_BITOR: return "|";
    case EX_EQ: return "==";
    case EX_NE: return "!=";
    case EX_LT: return "<";
    case EX_LE: return "<=";
    case EX_GT: return ">";
    case EX_GE: return ">=";
    case EX_LOGAND: return "&&";
    case EX_LOGOR: return "||";
    default: return "?";
    }
}

static ast_expr *bad_operands(px *P, ex_kind op, ast_expr *l, ast_expr *r, const fe_token *at)
{
    char b1[96], b2[96];
    px_error(P, at, "invalid operands to binary %s (have '%s' and '%s')", op_name(op),
             tstr(l->type, b1), tstr(r->type, b2));
    return mk_int(P, 0, P->te.t_int, at);
}

static ast_expr *mk_arith(px *P, ex_kind op, ast_expr *l, ast_expr *r, ctype *t,
                          const fe_token *at)
{
    ast_expr *e = px_new_expr(P, op, t, at);
    e->lhs = px_cast_to(P, l, t);
    e->rhs = px_cast_to(P, r, t);
    return e;
}

/* Builds l op r for the arithmetic/bitwise/shift operators (also the
 * computation of op=); sets *optype to the computation type. */
static ast_expr *binary_arith(px *P, ex_kind op, ast_expr *l, ast_expr *r, const fe_token *at)
{
    l = rv(P, l);
    r = rv(P, r);
    if (ty_is_integer(l->type))
        l = promote(P, l);
    if (ty_is_integer(r->type))
        r = promote(P, r);
    ctype *lt = l->type, *rt = r->type;
    switch (op) {
    case EX_MUL: case EX_DIV:
        if (!ty_is_arith(lt) || !ty_is_arith(rt))
            return bad_operands(P, op, l, r, at);
        return mk_arith(P, op, l, r, ty_usual(&P->te, lt, rt), at);
    case EX_MOD: case EX_BITAND: case EX_BITOR: case EX_BITXOR:
        if (!ty_is_integer(lt) || !ty_is_integer(rt))
            return bad_operands(P, op, l, r, at);
        return mk_arith(P, op, l, r, ty_usual(&P->te, lt, rt), at);
    case EX_SHL: case EX_SHR: {
        if (!ty_is_integer(lt) || !ty_is_integer(rt))
            return bad_operands(P, op, l, r, at);
        ast_expr *e = px_new_expr(P, op, l->type, at);
        e->lhs = l;
        e->rhs = r;
        return e;
    }
    case EX_ADD:
        if (ty_is_arith(lt) && ty_is_arith(rt))
            return mk_arith(P, op, l, r, ty_usual(&P->te, lt, rt), at);
        if (lt->kind == TY_PTR && ty_is_integer(rt))
            return mk_ptr_add(P, l, r, 0, at);
        if (rt->kind == TY_PTR && ty_is_integer(lt))
            return mk_ptr_add(P, r, l, 0, at);
        return bad_operands(P, op, l, r, at);
    case EX_SUB:
        if (ty_is_arith(lt) && ty_is_arith(rt))
            return mk_arith(P, op, l, r, ty_usual(&P->te, lt, rt), at);
        if (lt->kind == TY_PTR && ty_is_integer(rt))
            return mk_ptr_add(P, l, r, 1, at);
        if (lt->kind == TY_PTR && rt->kind == TY_PTR) {
            if (!ty_compatible(lt->base->unqual, rt->base->unqual))
                px_error(P, at, "invalid operands to binary - (pointers to different types)");
            uint32_t scale;
            complete_pointee(P, lt, at, &scale);
            ast_expr *e = px_new_expr(P, EX_PTR_DIFF, P->te.t_int, at);
            e->lhs = l;
            e->rhs = r;
            e->scale = scale;
            return e;
        }
        return bad_operands(P, op, l, r, at);
    default:
        return bad_operands(P, op, l, r, at);
    }
}

static ast_expr *binary_cmp(px *P, ex_kind op, ast_expr *l, ast_expr *r, const fe_token *at)
{
    l = rv(P, l);
    r = rv(P, r);
    if (ty_is_integer(l->type))
        l = promote(P, l);
    if (ty_is_integer(r->type))
        r = promote(P, r);
    ctype *lt = l->type, *rt = r->type, *ct = NULL;
    int eq = op == EX_EQ || op == EX_NE;
    if (ty_is_arith(lt) && ty_is_arith(rt)) {
        ct = ty_usual(&P->te, lt, rt);
        l = px_cast_to(P, l, ct);
        r = px_cast_to(P, r, ct);
    } else if (lt->kind == TY_PTR && rt->kind == TY_PTR) {
        int fl = lt->base->kind == TY_FUNC, fr = rt->base->kind == TY_FUNC;
        if (!eq && fl != fr)
            return bad_operands(P, op, l, r, at);
        ct = lt->unqual;
        r = px_cast_to(P, r, ct);
    } else if (lt->kind == TY_PTR && ty_is_integer(rt)) {
        if (!eq || !px_is_null_const(P, r))
            px_error(P, at, "comparison between pointer and integer");
        ct = lt->unqual;
        r = px_cast_to(P, r, ct);
    } else if (rt->kind == TY_PTR && ty_is_integer(lt)) {
        if (!eq || !px_is_null_const(P, l))
            px_error(P, at, "comparison between pointer and integer");
        ct = rt->unqual;
        l = px_cast_to(P, l, ct);
    } else {
        return bad_operands(P, op, l, r, at);
    }
    ast_expr *e = px_new_expr(P, op, P->te.t_int, at);
    e->lhs = l;
    e->rhs = r;
    e->cmp_type = ct;
    return e;
}

static ast_expr *binary_logic(px *P, ex_kind op, ast_expr *l, ast_expr *r, const fe_token *at)
{
    ast_expr *e = px_new_expr(P, op, P->te.t_int, at);
    e->lhs = px_scalar_cond(P, l, at);
    e->rhs = px_scalar_cond(P, r, at);
    return e;
}

static ast_expr *make_binary(px *P, ex_kind op, ast_expr *l, ast_expr *r, const fe_token *at)
{
    switch (op) {
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
        return binary_cmp(P, op, l, r, at);
    case EX_LOGAND: case EX_LOGOR:
        return binary_logic(P, op, l, r, at);
    default:
        return binary_arith(P, op, l, r, at);
    }
}

/* ---- primary and postfix ------------------------------------------------------------------ */

static ast_expr *int_const(px *P, const fe_token *t)
{
    uint64_t v = t->u.i.value;
    ty_env *te = &P->te;
    ctype *ty;
    int u = t->u.i.is_unsigned, l = t->u.i.longs, dec = t->u.i.decimal;
    if (l == 0 && !u && v <= INT32_MAX)
        ty = te->t_int;
    else if (l == 0 && (u || !dec) && v <= UINT32_MAX)
        ty = te->t_uint;
    else if (!u && v <= INT64_MAX)
        ty = l == 2 ? te->t_llong : te->t_long;
    else
        ty = l == 2 ? te->t_ullong : te->t_ulong;
    return mk_int(P, (int64_t)v, ty, t);
}

static ast_expr *string_lit(px *P, const fe_token *t)
{
    uint32_t len = t->u.s.len;
    ast_expr *e = px_new_expr(P, EX_STR, ty_array(&P->te, P->te.t_char, len + 1, 0), t);
    e->str = t->u.s.bytes ? t->u.s.bytes : "";
    e->str_len = len + 1;
    return e;
}

static ast_expr *ident_expr(px *P, const fe_token *t)
{
    px_ident *id = px_ident_of(P, t);
    px_bind *b = id->ord;
    if (!b) {
        if (id->len == 8 && memcmp(id->name, "__func__", 8) == 0) {
            const char *fn = P->fnsym ? P->fnsym->name : "";
            uint32_t n = (uint32_t)strlen(fn);
            ast_expr *e = px_new_expr(P, EX_STR, ty_array(&P->te, P->te.t_char, n + 1, 0), t);
            e->str = fn;
            e->str_len = n + 1;
            return e;
        }
        if (px_is_punct(px_tok(P), P_LPAREN))
            px_syntax(P, t, "implicit declaration of function '%s'", id->name);
        px_syntax(P, t, "'%s' undeclared", id->name);
    }
    switch (b->kind) {
    case B_ENUMC:
        return mk_int(P, b->val, P->te.t_int, t);
    case B_TYPEDEF:
        px_syntax(P, t, "unexpected type name '%s'", id->name);
    default: {
        csym *s = b->sym;
        if (!P->in_sizeof)
            s->is_used = 1;
        px_csym *ps = (px_csym *)s;
        if (ps->var && ps->var->type == s->type)
            return ps->var;
        ast_expr *e = px_new_expr(P, EX_VAR, s->type, t);
        e->sym = s;
        ps->var = e;
        return e;
    }
    }
}

static ast_expr *primary(px *P)
{
    const fe_token *t = px_tok(P);
    char buf[64];
    switch (t->kind) {
    case TK_IDENT:
        px_next(P);
        return ident_expr(P, t);
    case TK_INT:
        px_next(P);
        return int_const(P, t);
    case TK_CHAR:
        px_next(P);
        return mk_int(P, (int64_t)t->u.i.value, P->te.t_int, t);
    case TK_FLOAT: {
        px_next(P);
        ast_expr *e = px_new_expr(P, EX_FLOAT, t->u.f.is_float ? P->te.t_float : P->te.t_double, t);
        e->fval = t->u.f.is_float ? (double)(float)t->u.f.value : t->u.f.value;
        return e;
    }
    case TK_STRING:
        px_next(P);
        return string_lit(P, t);
    case TK_PUNCT:
        if (t->id == P_LPAREN) {
            px_next(P);
            if (px_is_punct(px_tok(P), P_LBRACE))
                px_syntax(P, t, "statement expressions are not supported");
            px_enter(P);
            ast_expr *e = px_expr(P);
            px_leave(P);
            px_expect(P, P_RPAREN, NULL);
            return e;
        }
        break;
    case TK_KEYWORD:
        if (t->id == KW_GENERIC)
            px_syntax(P, t, "'_Generic' is not supported");
        if (t->id == KW_ASM || t->id == KW_ASM2)
            px_syntax(P, t, "inline assembly is not supported");
        if (px_starts_type(P, t))
            px_syntax(P, t, "expected an expression before a type name");
        break;
    default:
        break;
    }
    px_syntax(P, t, "expected an expression before %s",
              t->kind == TK_EOF ? "end of input"
              : t->kind == TK_PUNCT ? (snprintf(buf, sizeof buf, "'%s'", fe_punct_name(t->id)), buf)
              : t->kind == TK_KEYWORD ? (snprintf(buf, sizeof buf, "'%s'", fe_keyword_name(t->id)), buf)
                                      : "this token");
}

static const cfield *find_field(const ctype *t, const char *name, const cfield **path,
                                uint32_t *npath, uint32_t depth)
{
    if (depth >= 64)
        return NULL;
    for (uint32_t i = 0; i < t->nfields; i++) {
        const cfield *f = &t->fields[i];
        if (f->name) {
            if (f->name == name) { /* member names are interned */
                path[depth] = f;
                *npath = depth + 1;
                return f;
            }
        } else if (!f->is_bitfield && ty_is_record(f->type)) {
            path[depth] = f;
            if (find_field(f->type, name, path, npath, depth + 1))
                return f;
        }
    }
    return NULL;
}

static ast_expr *member(px *P, ast_expr *s, const fe_token *at, const fe_token *name)
{
    char b1[96];
    ctype *st = s->type;
    if (!ty_is_record(st)) {
        px_error(P, name, "request for member '%.*s' in something that is not a struct or "
                          "union ('%s')", (int)(name->len > 60 ? 60 : name->len), name->text,
                 tstr(st, b1));
        return mk_int(P, 0, P->te.t_int, name);
    }
    if (st->incomplete) {
        px_error(P, name, "member access into incomplete type '%s'", tstr(st, b1));
        return mk_int(P, 0, P->te.t_int, name);
    }
    px_ident *id = px_ident_of(P, name);
    const cfield *path[64];
    uint32_t n = 0;
    if (!find_field(st, id->name, path, &n, 0)) {
        px_error(P, name, "'%s' has no member named '%s'", tstr(st, b1), id->name);
        return mk_int(P, 0, P->te.t_int, name);
    }
    unsigned q = st->qual;
    for (uint32_t i = 0; i < n; i++) {
        ast_expr *m = px_new_expr(P, EX_MEMBER, ty_qual(&P->te, path[i]->type, q), at);
        m->lhs = s;
        m->field = (cfield *)path[i];
        q |= path[i]->type->qual;
        s = m;
    }
    return s;
}

static ast_expr *call(px *P, ast_expr *fn, const fe_token *at)
{
    char b1[96];
    ast_expr *callee;
    ctype *ft;
    if (fn->kind == EX_VAR && fn->sym->kind == SYM_FUNC) {
        callee = fn;
        ft = fn->type;
    } else {
        ast_expr *c = rv(P, fn);
        if (c->type->kind != TY_PTR || c->type->base->kind != TY_FUNC) {
            px_syntax(P, at, "called object is not a function or function pointer ('%s')",
                      tstr(fn->type, b1));
        }
        ft = c->type->base;
        callee = c;
        if (c->kind == EX_DECAY && c->lhs->kind == EX_VAR && c->lhs->sym->kind == SYM_FUNC)
            callee = c->lhs;
    }
    const char *fname = callee->kind == EX_VAR ? callee->sym->name : NULL;
    px_vec args = {0};
    if (!px_is_punct(px_tok(P), P_RPAREN)) {
        for (;;) {
            const fe_token *aat = px_tok(P);
            ast_expr *a = px_assign_expr(P);
            uint32_t i = args.n;
            if (i < ft->nparams) {
                a = conv_assign(P, a, ft->params[i], aat, NULL, i + 1, fname);
            } else {
                a = rv(P, a);
                if (ty_is_record(a->type)) {
                    if (ft->variadic)
                        px_error(P, aat, "a struct or union cannot be passed to a variadic function");
                } else if (a->type->kind == TY_FLOAT) {
                    a = px_cast_to(P, a, P->te.t_double);
                } else if (ty_is_integer(a->type)) {
                    a = promote(P, a);
                } else if (a->type->kind == TY_VOID) {
                    px_error(P, aat, "invalid use of a void expression");
                }
            }
            if (a->type->kind == TY_VOID && i < ft->nparams)
                px_error(P, aat, "invalid use of a void expression");
            px_push(P, &args, a);
            if (args.n > 1000000)
                px_syntax(P, aat, "too many arguments");
            if (!px_accept(P, P_COMMA))
                break;
        }
    }
    const fe_token *close = px_tok(P);
    px_expect(P, P_RPAREN, "after the arguments");
    if (args.n < ft->nparams)
        px_error(P, close, "too few arguments to function %s%s%s", fname ? "'" : "",
                 fname ? fname : "call", fname ? "'" : "");
    else if (args.n > ft->nparams && !ft->variadic)
        px_error(P, close, "too many arguments to function %s%s%s", fname ? "'" : "",
                 fname ? fname : "call", fname ? "'" : "");
    ctype *rt = ft->base->unqual;
    if (ty_is_record(rt) && rt->incomplete)
        px_error(P, at, "calling a function with incomplete return type '%s'", tstr(rt, b1));
    ast_expr *e = px_new_expr(P, EX_CALL, rt, at);
    e->lhs = callee;
    e->args = (ast_expr **)args.v;
    e->nargs = args.n;
    return e;
}

static ast_expr *incdec(px *P, ex_kind k, ast_expr *e, const fe_token *at)
{
    check_modifiable(P, e, at, k == EX_PREINC || k == EX_POSTINC ? "increment operand"
                                                                 : "decrement operand");
    ast_expr *r = px_new_expr(P, k, e->type->unqual, at);
    r->lhs = e;
    if (e->type->kind == TY_PTR) {
        complete_pointee(P, e->type, at, &r->scale);
    } else if (!ty_is_arith(e->type)) {
        px_error(P, at, "wrong type argument to %s", k == EX_PREINC || k == EX_POSTINC
                                                         ? "increment" : "decrement");
    }
    return r;
}

static ast_expr *postfix_ops(px *P, ast_expr *e)
{
    for (;;) {
        const fe_token *t = px_tok(P);
        if (t->kind != TK_PUNCT)
            return e;
        switch (t->id) {
        case P_LBRACKET: {
            px_next(P);
            ast_expr *idx = px_expr(P);
            px_expect(P, P_RBRACKET, NULL);
            ast_expr *a = rv(P, e), *b = rv(P, idx);
            if (b->type->kind == TY_PTR && ty_is_integer(a->type)) {
                ast_expr *tmp = a;
                a = b;
                b = tmp;
            }
            if (a->type->kind != TY_PTR || !ty_is_integer(b->type))
                px_syntax(P, t, "subscripted value is neither array nor pointer");
            if (a->type->base->kind == TY_VOID)
                px_syntax(P, t, "subscript of a pointer to void");
            ast_expr *p = mk_ptr_add(P, a, b, 0, t);
            e = px_new_expr(P, EX_DEREF, a->type->base, t);
            e->lhs = p;
            continue;
        }
        case P_LPAREN:
            px_next(P);
            e = call(P, e, t);
            continue;
        case P_DOT: {
            px_next(P);
            const fe_token *n = px_tok(P);
            if (n->kind != TK_IDENT)
                px_syntax(P, n, "expected a member name after '.'");
            px_next(P);
            e = member(P, e, t, n);
            continue;
        }
        case P_ARROW: {
            px_next(P);
            const fe_token *n = px_tok(P);
            if (n->kind != TK_IDENT)
                px_syntax(P, n, "expected a member name after '->'");
            px_next(P);
            ast_expr *p = rv(P, e);
            if (p->type->kind != TY_PTR || !ty_is_record(p->type->base)) {
                char b1[96];
                px_error(P, t, "invalid type argument of '->' (have '%s')", tstr(p->type, b1));
                e = mk_int(P, 0, P->te.t_int, t);
                continue;
            }
            ast_expr *d = px_new_expr(P, EX_DEREF, p->type->base, t);
            d->lhs = p;
            e = member(P, d, t, n);
            continue;
        }
        case P_INC:
            px_next(P);
            e = incdec(P, EX_POSTINC, e, t);
            continue;
        case P_DEC:
            px_next(P);
            e = incdec(P, EX_POSTDEC, e, t);
            continue;
        default:
            return e;
        }
    }
}

/* ---- unary and casts -------------------------------------------------------------------------- */

static ast_expr *cast_expr(px *P);

static void mark_addr_taken(ast_expr *e)
{
    while (e->kind == EX_MEMBER)
        e = e->lhs;
    if (e->kind == EX_VAR)
        e->sym->addr_taken = 1;
}

static ast_expr *size_of(px *P, ctype *t, const fe_token *at, int align)
{
    char b1[96];
    if (t->kind == TY_FUNC) {
        px_error(P, at, "invalid application of '%s' to a function type", align ? "_Alignof" : "sizeof");
        return mk_int(P, 1, P->te.t_uint, at);
    }
    if (t->incomplete) {
        px_error(P, at, "invalid application of '%s' to incomplete type '%s'",
                 align ? "_Alignof" : "sizeof", tstr(t, b1));
        return mk_int(P, 1, P->te.t_uint, at);
    }
    return mk_int(P, align ? t->align : t->size, P->te.t_uint, at);
}

static ast_expr *unary(px *P)
{
    const fe_token *t = px_tok(P);
    char b1[96];
    if (t->kind == TK_KEYWORD && (t->id == KW_SIZEOF || t->id == KW_ALIGNOF || t->id == KW_ALIGNOF2)) {
        int align = t->id != KW_SIZEOF;
        px_next(P);
        if (px_is_punct(px_tok(P), P_LPAREN) && px_starts_type(P, px_peek(P, 1))) {
            px_next(P);
            ctype *ty = px_type_name(P);
            px_expect(P, P_RPAREN, NULL);
            if (px_is_punct(px_tok(P), P_LBRACE)) {
                P->in_sizeof++;
                ast_expr *e = postfix_ops(P, px_compound_literal(P, ty, t));
                P->in_sizeof--;
                return size_of(P, e->type, t, align);
            }
            return size_of(P, ty, t, align);
        }
        P->in_sizeof++;
        px_enter(P);
        ast_expr *e = unary(P);
        px_leave(P);
        P->in_sizeof--;
        if (e->kind == EX_MEMBER && e->field->is_bitfield)
            px_error(P, t, "'sizeof' applied to a bit-field");
        return size_of(P, e->type, t, align);
    }
    if (t->kind != TK_PUNCT)
        return postfix_ops(P, primary(P));
    switch (t->id) {
    case P_INC: case P_DEC: {
        px_next(P);
        px_enter(P);
        ast_expr *e = unary(P);
        px_leave(P);
        return incdec(P, t->id == P_INC ? EX_PREINC : EX_PREDEC, e, t);
    }
    case P_AMP: {
        px_next(P);
        px_enter(P);
        ast_expr *e = cast_expr(P);
        px_leave(P);
        if (e->kind == EX_DEREF && e->type->kind != TY_FUNC) {
            /* &*p is p (not an lvalue) */
            ast_expr *p = e->lhs;
            if (!same_type(p->type, ty_ptr(&P->te, e->type)))
                p = px_cast_to(P, p, ty_ptr(&P->te, e->type));
            return p;
        }
        if (e->type->kind == TY_FUNC) {
            if (e->kind == EX_DEREF)
                return e->lhs;
            ast_expr *a = px_new_expr(P, EX_ADDR, ty_ptr(&P->te, e->type), t);
            a->lhs = e;
            return a;
        }
        if (!is_lvalue(e)) {
            px_error(P, t, "lvalue required as unary '&' operand");
            return mk_int(P, 0, P->te.t_int, t);
        }
        if (e->kind == EX_MEMBER && e->field->is_bitfield)
            px_error(P, t, "cannot take the address of bit-field '%s'", e->field->name);
        mark_addr_taken(e);
        ast_expr *a = px_new_expr(P, EX_ADDR, ty_ptr(&P->te, e->type), t);
        a->lhs = e;
        return a;
    }
    case P_STAR: {
        px_next(P);
        px_enter(P);
        ast_expr *e = rv(P, cast_expr(P));
        px_leave(P);
        if (e->type->kind != TY_PTR) {
            px_error(P, t, "invalid type argument of unary '*' (have '%s')", tstr(e->type, b1));
            return mk_int(P, 0, P->te.t_int, t);
        }
        if (e->type->base->kind == TY_VOID)
            px_error(P, t, "dereferencing a 'void *' pointer");
        ast_expr *d = px_new_expr(P, EX_DEREF, e->type->base, t);
        d->lhs = e;
        return d;
    }
    case P_PLUS: case P_MINUS: case P_TILDE: case P_BANG: {
        px_next(P);
        px_enter(P);
        ast_expr *e = rv(P, cast_expr(P));
        px_leave(P);
        if (t->id == P_BANG) {
            ast_expr *r = px_new_expr(P, EX_LOGNOT, P->te.t_int, t);
            r->lhs = px_scalar_cond(P, e, t);
            return r;
        }
        int ok = t->id == P_TILDE ? ty_is_integer(e->type) : ty_is_arith(e->type);
        if (!ok) {
            px_error(P, t, "wrong type argument to unary %s (have '%s')",
                     t->id == P_PLUS ? "plus" : t->id == P_MINUS ? "minus" : "'~'",
                     tstr(e->type, b1));
            return mk_int(P, 0, P->te.t_int, t);
        }
        e = promote(P, e);
        if (t->id == P_PLUS)
            return e;
        ast_expr *r = px_new_expr(P, t->id == P_MINUS ? EX_NEG : EX_BITNOT, e->type, t);
        r->lhs = e;
        return r;
    }
    default:
        return postfix_ops(P, primary(P));
    }
}

ast_expr *px_compound_literal(px *P, ctype *t, const fe_token *at)
{
    char b1[96];
    if (t->kind == TY_FUNC || (t->incomplete && t->kind != TY_ARRAY)) {
        px_error(P, at, "compound literal has invalid type '%s'", tstr(t, b1));
        t = P->te.t_int;
    }
    csym *s;
    if (P->fn) {
        s = px_new_local(P, "", t, at);
        s->addr_taken = 1;
        px_initializer(P, s, 0);
    } else {
        char *name = px_strf(P, "__compound.%u", ++P->uniq);
        s = px_alloc(P, sizeof *s);
        s->name = name;
        s->type = t;
        s->kind = SYM_GLOBAL;
        s->is_static = 1;
        s->addr_taken = 1;
        s->file = at->file;
        s->line = at->line;
        s->col = at->col;
        px_push(P, &P->globals, s);
        px_initializer(P, s, 1);
    }
    ast_expr *e = px_new_expr(P, EX_COMPOUND, s->type, at);
    e->sym = s;
    return e;
}

/* An identifier or integer token t (the current one) with its postfix
 * operators: primary's own cases for them, without its call (most
 * operands are these). */
static inline ast_expr *leaf_postfix(px *P, const fe_token *t)
{
    px_next(P);
    return postfix_ops(P, t->kind == TK_IDENT ? ident_expr(P, t) : int_const(P, t));
}

static ast_expr *cast_expr(px *P)
{
    const fe_token *t = px_tok(P);
    if (t->kind == TK_IDENT || t->kind == TK_INT) /* unary's own path for them, one call less */
        return leaf_postfix(P, t);
    if (!px_is_punct(t, P_LPAREN) || !px_starts_type(P, px_peek(P, 1)))
        return unary(P);
    px_next(P);
    px_enter(P);
    ctype *ty = px_type_name(P);
    px_expect(P, P_RPAREN, "after the type name");
    if (px_is_punct(px_tok(P), P_LBRACE)) {
        ast_expr *c = postfix_ops(P, px_compound_literal(P, ty, t));
        px_leave(P);
        return c;
    }
    ast_expr *e = rv(P, cast_expr(P));
    px_leave(P);
    char b1[96], b2[96];
    if (ty->kind == TY_VOID) {
        ast_expr *c = px_new_expr(P, EX_CAST, P->te.t_void, t);
        c->lhs = e;
        return c;
    }
    if (!ty_is_scalar(ty) || !ty_is_scalar(e->type) ||
        (ty->kind == TY_PTR && ty_is_float(e->type)) ||
        (e->type->kind == TY_PTR && ty_is_float(ty))) {
        px_error(P, t, "invalid cast from '%s' to '%s'", tstr(e->type, b1), tstr(ty, b2));
        return mk_int(P, 0, P->te.t_int, t);
    }
    if (same_type(e->type, ty) && (ty->kind != TY_PTR || e->type->unqual == ty->unqual)) {
        /* a cast is never an lvalue */
        if (!is_lvalue(e))
            return e;
    }
    ast_expr *c = px_new_expr(P, EX_CAST, ty->unqual, t);
    c->lhs = e;
    if (e->kind == EX_INT || e->kind == EX_FLOAT) {
        ast_expr *f = px_cast_to(P, e, ty);
        if (f->kind == EX_INT || f->kind == EX_FLOAT) {
            f->line = t->line;
            f->col = t->col;
            return f;
        }
    }
    return c;
}

/* ---- binary, conditional, assignment, comma ------------------------------------------------- */

static ast_expr *binary(px *P, int minprec)
{
    const fe_token *t0 = px_tok(P);
    /* cast_expr's own first test, without its call for the common leaves */
    ast_expr *l = t0->kind == TK_IDENT || t0->kind == TK_INT ? leaf_postfix(P, t0) : cast_expr(P);
    for (;;) {
        const fe_token *t = px_tok(P);
        int prec = binop_prec(t);
        if (!prec || prec < minprec)
            return l;
        px_next(P);
        px_enter(P);
        ast_expr *r = binary(P, prec + 1);
        px_leave(P);
        l = make_binary(P, punct_binop(t->id), l, r, t);
    }
}

/* c ? a : b, at the '?' after c. */
static ast_expr *cond_rest(px *P, ast_expr *c)
{
    const fe_token *q = px_tok(P);
    px_next(P);
    px_enter(P);
    c = px_scalar_cond(P, c, q);
    ast_expr *a = rv(P, px_expr(P));
    px_expect(P, P_COLON, "in the conditional expression");
    ast_expr *b = rv(P, px_cond_expr(P));
    px_leave(P);
    if (ty_is_integer(a->type) && ty_is_arith(b->type))
        a = promote(P, a);
    if (ty_is_integer(b->type) && ty_is_arith(a->type))
        b = promote(P, b);
    ctype *at = a->type, *bt = b->type, *rt = NULL;
    char b1[96], b2[96];
    if (ty_is_arith(at) && ty_is_arith(bt)) {
        rt = ty_usual(&P->te, at, bt);
    } else if (at->kind == TY_VOID || bt->kind == TY_VOID) {
        rt = P->te.t_void;
    } else if (ty_is_record(at) && same_type(at, bt)) {
        rt = at->unqual;
    } else if (at->kind == TY_PTR && bt->kind == TY_PTR) {
        unsigned bq = at->base->qual | bt->base->qual;
        if (at->base->kind == TY_VOID || bt->base->kind == TY_VOID)
            rt = ty_ptr(&P->te, ty_qual(&P->te, P->te.t_void, bq));
        else if (ty_compatible(at->base->unqual, bt->base->unqual))
            rt = ty_ptr(&P->te, ty_qual(&P->te, at->base->unqual, bq));
        else
            rt = P->te.t_voidptr; /* GCC: pointer type mismatch, as void * */
    } else if (at->kind == TY_PTR && ty_is_integer(bt) && px_is_null_const(P, b)) {
        rt = at->unqual;
    } else if (bt->kind == TY_PTR && ty_is_integer(at) && px_is_null_const(P, a)) {
        rt = bt->unqual;
    } else {
        px_error(P, q, "type mismatch in conditional expression ('%s' and '%s')",
                 tstr(at, b1), tstr(bt, b2));
        rt = at->unqual;
    }
    ast_expr *e = px_new_expr(P, EX_COND, rt, q);
    e->cond = c;
    if (rt->kind == TY_VOID || ty_is_record(rt)) {
        e->lhs = a;
        e->rhs = b;
    } else {
        e->lhs = px_cast_to(P, a, rt);
        e->rhs = px_cast_to(P, b, rt);
    }
    return e;
}

/* binary(P, 1) then, if a '?' follows, the rest: inline in
 * px_assign_expr, where every expression starts. */
static inline ast_expr *cond_tail(px *P, ast_expr *c)
{
    return px_is_punct(px_tok(P), P_QUESTION) ? cond_rest(P, c) : c;
}

ast_expr *px_cond_expr(px *P)
{
    return cond_tail(P, binary(P, 1));
}

static int is_assign_op(const fe_token *t)
{
    if (t->kind != TK_PUNCT)
        return 0;
    switch (t->id) {
    case P_ASSIGN: case P_MUL_ASSIGN: case P_DIV_ASSIGN: case P_MOD_ASSIGN:
    case P_ADD_ASSIGN: case P_SUB_ASSIGN: case P_SHL_ASSIGN: case P_SHR_ASSIGN:
    case P_AND_ASSIGN: case P_XOR_ASSIGN: case P_OR_ASSIGN:
        return 1;
    default:
        return 0;
    }
}

ast_expr *px_assign_expr(px *P)
{
    ast_expr *l = cond_tail(P, binary(P, 1));
    const fe_token *t = px_tok(P);
    if (!is_assign_op(t))
        return l;
    px_next(P);
    px_enter(P);
    ast_expr *r = px_assign_expr(P);
    px_leave(P);
    if (!check_modifiable(P, l, t, "left operand of assignment")) {
        ast_expr *bad = px_new_expr(P, EX_COMMA, l->type->unqual, t);
        bad->lhs = l;
        bad->rhs = rv(P, r);
        return bad;
    }
    if (t->id == P_ASSIGN) {
        ast_expr *e = px_new_expr(P, EX_ASSIGN, l->type->unqual, t);
        e->lhs = l;
        e->rhs = px_conv_assign(P, r, l->type, t, "assignment");
        return e;
    }
    ex_kind op = punct_binop(t->id);
    r = rv(P, r);
    ast_expr *e = px_new_expr(P, EX_OPASSIGN, l->type->unqual, t);
    e->lhs = l;
    e->binop = op;
    ctype *lt = l->type;
    if ((op == EX_ADD || op == EX_SUB) && lt->kind == TY_PTR) {
        if (!ty_is_integer(r->type)) {
            bad_operands(P, op, l, r, t);
            return e;
        }
        ast_expr *probe = mk_ptr_add(P, l, r, op == EX_SUB, t);
        e->binop = EX_PTR_ADD;
        e->op_type = lt->unqual;
        e->rhs = probe->rhs;
        e->scale = probe->scale;
        return e;
    }
    /* the computation as if l op r, to find the types */
    ast_expr *probe = binary_arith(P, op, l, r, t);
    if (probe->kind != op) {
        return e; /* error already reported */
    }
    e->op_type = probe->type;
    e->rhs = probe->rhs;
    /* the probe's own nodes are garbage: l and rhs live on in e */
    if (probe->lhs != l && probe->lhs->kind == EX_CAST && probe->lhs->lhs == l) {
        probe->lhs->lhs = NULL;
        probe->lhs->rhs = NULL;
        px_recycle(P, probe->lhs);
    }
    probe->lhs = probe->rhs = NULL;
    px_recycle(P, probe);
    if (ty_is_integer(lt) || ty_is_float(lt)) {
        if (!ty_is_arith(lt))
            px_error(P, t, "invalid operands to compound assignment");
    } else {
        bad_operands(P, op, l, r, t);
    }
    return e;
}

ast_expr *px_expr(px *P)
{
    ast_expr *e = px_assign_expr(P);
    while (px_is_punct(px_tok(P), P_COMMA)) {
        const fe_token *t = px_next(P);
        ast_expr *r = rv(P, px_assign_expr(P));
        ast_expr *c = px_new_expr(P, EX_COMMA, r->type->unqual, t);
        c->lhs = rv(P, e);
        c->rhs = r;
        e = c;
    }
    return e;
}

/* Returns the nodes of a dead expression tree (a static initializer that
 * has been evaluated) to the free list, so that huge constant tables do not
 * keep one tree per element alive. Bounded work per node; deep trees are
 * only partly recycled. */
void px_recycle(px *P, ast_expr *e)
{
    ast_expr *stack[64];
    int sp = 0;
    if (e)
        stack[sp++] = e;
    while (sp > 0) {
        ast_expr *x = stack[--sp];
        if (x->kind == EX_VAR)
            continue; /* shared */
        ast_expr *kids[3] = {x->lhs, x->rhs, ast_expr_cond(x)};
        for (int i = 0; i < 3; i++)
            if (kids[i] && sp < 64)
                stack[sp++] = kids[i];
        for (uint32_t i = 0; i < ast_expr_nargs(x) && sp < 64; i++)
            if (x->args[i])
                stack[sp++] = x->args[i];
        x->lhs = P->free_expr;
        P->free_expr = x;
    }
}

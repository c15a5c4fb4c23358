/* sema_const.c — evaluation of constant expressions on the typed AST:
 * integer constant expressions (array sizes, case labels, enumerators,
 * bit-field widths, _Static_assert), arithmetic constants and address
 * constants of static initializers. Conversions follow the engines exactly
 * (ir.h: wrap-around, float->int like x86 cvtt*, shift counts masked). */
#include "parse.h"

#include <math.h>
#include <string.h>

static int64_t f2i_signed(double f, int bits)
{
    if (bits == 32) {
        if (!(f > -2147483649.0 && f < 2147483648.0))
            return INT32_MIN;
        return (int64_t)(int32_t)f;
    }
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)f;
}

static int64_t f2i(const ctype *t, double f)
{
    if (t->kind == TY_BOOL)
        return f != 0;
    if (ty_is_unsigned(t)) {
        if (t->size == 8) {
            if (f < 9223372036854775808.0)
                return f2i_signed(f, 64);
            return (int64_t)((uint64_t)f2i_signed(f - 9223372036854775808.0, 64) ^
                             0x8000000000000000ull);
        }
        return ty_wrap(t, f2i_signed(f, 64));
    }
    return ty_wrap(t, f2i_signed(f, t->size == 8 ? 64 : 32));
}

static double i2f(const ctype *from, int64_t i, const ctype *to)
{
    double d = ty_is_unsigned(from) ? (double)(uint64_t)i : (double)i;
    if (to->kind == TY_FLOAT) {
        float x = ty_is_unsigned(from) ? (float)(uint64_t)i : (float)i;
        return x;
    }
    return d;
}

static int eval(px *P, const ast_expr *e, px_cval *v);

static int lvaddr(px *P, const ast_expr *e, px_cval *v)
{
    memset(v, 0, sizeof *v);
    switch (e->kind) {
    case EX_VAR:
        if (e->sym->kind == SYM_LOCAL)
            return 0;
        v->kind = CV_ADDR;
        v->sym = e->sym;
        return 1;
    case EX_STR:
        v->kind = CV_ADDR;
        v->str = e->str;
        v->str_len = e->str_len;
        return 1;
    case EX_COMPOUND:
        if (e->sym->kind != SYM_GLOBAL)
            return 0;
        v->kind = CV_ADDR;
        v->sym = e->sym;
        return 1;
    case EX_MEMBER: {
        if (e->field->is_bitfield)
            return 0;
        int r = lvaddr(P, e->lhs, v);
        if (r != 1)
            return r;
        v->i += e->field->offset;
        return 1;
    }
    case EX_DEREF: {
        int r = eval(P, e->lhs, v);
        if (r != 1)
            return r;
        return v->kind == CV_ADDR;
    }
    default:
        return 0;
    }
}

static int cmp_vals(const ctype *ct, const px_cval *a, const px_cval *b, ex_kind op)
{
    int lt, eq;
    if (a->kind == CV_FLOAT || b->kind == CV_FLOAT) {
        double x = a->f, y = b->f;
        switch (op) {
        case EX_EQ: return x == y;
        case EX_NE: return x != y;
        case EX_LT: return x < y;
        case EX_LE: return x <= y;
        case EX_GT: return x > y;
        default: return x >= y;
        }
    }
    if (ty_is_unsigned(ct) || ct->kind == TY_PTR) {
        uint64_t x = (uint64_t)a->i, y = (uint64_t)b->i;
        lt = x < y;
        eq = x == y;
    } else {
        lt = a->i < b->i;
        eq = a->i == b->i;
    }
    switch (op) {
    case EX_EQ: return eq;
    case EX_NE: return !eq;
    case EX_LT: return lt;
    case EX_LE: return lt || eq;
    case EX_GT: return !lt && !eq;
    default: return !lt;
    }
}

static int eval_int_binop(const ctype *t, ex_kind op, int64_t a, int64_t b, int64_t *out)
{
    uint64_t x = (uint64_t)a, y = (uint64_t)b;
    int wide = t->size == 8;
    int uns = ty_is_unsigned(t);
    uint64_t r;
    switch (op) {
    case EX_ADD: r = x + y; break;
    case EX_SUB: r = x - y; break;
    case EX_MUL: r = x * y; break;
    case EX_DIV: case EX_MOD:
        if (b == 0 || (!wide && (uint32_t)b == 0))
            return -1;
        if (uns) {
            if (!wide) {
                x &= 0xffffffffu;
                y &= 0xffffffffu;
            }
            r = op == EX_DIV ? x / y : x % y;
        } else {
            int64_t sa = a, sb = b;
            if (!wide) {
                sa = (int32_t)sa;
                sb = (int32_t)sb;
            }
            if (sb == -1)
                r = op == EX_DIV ? (uint64_t)0 - (uint64_t)sa : 0;
            else
                r = (uint64_t)(op == EX_DIV ? sa / sb : sa % sb);
        }
        break;
    case EX_BITAND: r = x & y; break;
    case EX_BITOR: r = x | y; break;
    case EX_BITXOR: r = x ^ y; break;
    case EX_SHL: r = x << (y & (wide ? 63 : 31)); break;
    case EX_SHR: {
        unsigned c = (unsigned)(y & (wide ? 63 : 31));
        if (uns)
            r = (wide ? x : (x & 0xffffffffu)) >> c;
        else
            r = (uint64_t)((wide ? a : (int64_t)(int32_t)a) >> c);
        break;
    }
    default:
        return 0;
    }
    *out = ty_wrap(t, (int64_t)r);
    return 1;
}

static int eval_cast(px *P, const ast_expr *e, px_cval *v)
{
    int r = eval(P, e->lhs, v);
    if (r != 1)
        return r;
    const ctype *t = e->type, *from = e->lhs->type;
    if (t->kind == TY_VOID)
        return 0;
    if (ty_is_integer(t)) {
        if (v->kind == CV_INT) {
            v->i = ty_wrap(t, v->i);
            return 1;
        }
        if (v->kind == CV_FLOAT) {
            v->kind = CV_INT;
            v->i = f2i(t, v->f);
            return 1;
        }
        if (v->kind == CV_ADDR) {
            if (!v->sym && !v->str) {
                v->kind = CV_INT;
                v->i = ty_wrap(t, v->i);
                return 1;
            }
            return t->size >= 4 && t->kind != TY_BOOL;
        }
        return 0;
    }
    if (ty_is_float(t)) {
        if (v->kind == CV_INT) {
            v->f = i2f(from, v->i, t);
            v->kind = CV_FLOAT;
            return 1;
        }
        if (v->kind == CV_FLOAT) {
            if (t->kind == TY_FLOAT)
                v->f = (float)v->f;
            return 1;
        }
        return 0;
    }
    if (t->kind == TY_PTR) {
        if (v->kind == CV_INT) {
            v->kind = CV_ADDR;
            v->i = (int64_t)(uint32_t)v->i;
            return 1;
        }
        return v->kind == CV_ADDR;
    }
    return 0;
}

static int eval(px *P, const ast_expr *e, px_cval *v)
{
    if (!e)
        return 0;
    memset(v, 0, sizeof *v);
    switch (e->kind) {
    case EX_INT:
        v->kind = CV_INT;
        v->i = e->ival;
        return 1;
    case EX_FLOAT:
        v->kind = CV_FLOAT;
        v->f = e->fval;
        return 1;
    case EX_STR:
        return lvaddr(P, e, v);
    case EX_ADDR: case EX_DECAY: {
        px_enter(P);
        int r = lvaddr(P, e->lhs, v);
        px_leave(P);
        return r;
    }
    default:
        break;
    }
    px_enter(P);
    int r = 0;
    px_cval a, b;
    switch (e->kind) {
    case EX_CAST:
        r = eval_cast(P, e, v);
        break;
    case EX_NEG: case EX_BITNOT:
        r = eval(P, e->lhs, &a);
        if (r != 1)
            break;
        if (a.kind == CV_INT) {
            v->kind = CV_INT;
            v->i = ty_wrap(e->type, e->kind == EX_NEG ? (int64_t)(0 - (uint64_t)a.i) : ~a.i);
        } else if (a.kind == CV_FLOAT && e->kind == EX_NEG) {
            v->kind = CV_FLOAT;
            v->f = -a.f;
        } else {
            r = 0;
        }
        break;
    case EX_LOGNOT:
        r = eval(P, e->lhs, &a);
        if (r != 1)
            break;
        v->kind = CV_INT;
        if (a.kind == CV_INT)
            v->i = a.i == 0;
        else if (a.kind == CV_FLOAT)
            v->i = a.f == 0;
        else if (a.kind == CV_ADDR && !a.sym && !a.str)
            v->i = a.i == 0;
        else if (a.kind == CV_ADDR)
            v->i = 0;
        else
            r = 0;
        break;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_MOD: case EX_SHL:
    case EX_SHR: case EX_BITAND: case EX_BITOR: case EX_BITXOR:
        r = eval(P, e->lhs, &a);
        if (r == 1)
            r = eval(P, e->rhs, &b);
        if (r != 1)
            break;
        if (a.kind == CV_INT && b.kind == CV_INT) {
            v->kind = CV_INT;
            r = eval_int_binop(e->type, e->kind, a.i, b.i, &v->i);
        } else if (a.kind == CV_FLOAT && b.kind == CV_FLOAT) {
            v->kind = CV_FLOAT;
            switch (e->kind) {
            case EX_ADD: v->f = a.f + b.f; break;
            case EX_SUB: v->f = a.f - b.f; break;
            case EX_MUL: v->f = a.f * b.f; break;
            case EX_DIV: v->f = a.f / b.f; break;
            default: r = 0; break;
            }
            if (e->type->kind == TY_FLOAT)
                v->f = (float)v->f;
        } else {
            r = 0;
        }
        break;
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
        r = eval(P, e->lhs, &a);
        if (r == 1)
            r = eval(P, e->rhs, &b);
        if (r != 1)
            break;
        if (a.kind == CV_ADDR || b.kind == CV_ADDR) {
            int na = a.kind != CV_ADDR || (!a.sym && !a.str);
            int nb = b.kind != CV_ADDR || (!b.sym && !b.str);
            if (na && nb) {
                /* both null-based */
            } else if (!(a.kind == CV_ADDR && b.kind == CV_ADDR && a.sym == b.sym &&
                         a.str == b.str)) {
                /* &x == 0 is known (never null); other comparisons are not */
                if ((e->kind == EX_EQ || e->kind == EX_NE) &&
                    ((na && a.i == 0) || (nb && b.i == 0))) {
                    v->kind = CV_INT;
                    v->i = e->kind == EX_NE;
                    break;
                }
                r = 0;
                break;
            }
        }
        v->kind = CV_INT;
        v->i = cmp_vals(e->cmp_type ? e->cmp_type : e->lhs->type, &a, &b, e->kind);
        break;
    case EX_LOGAND: case EX_LOGOR: {
        r = eval(P, e->lhs, &a);
        if (r != 1)
            break;
        int ta;
        if (a.kind == CV_INT)
            ta = a.i != 0;
        else if (a.kind == CV_FLOAT)
            ta = a.f != 0;
        else if (a.kind == CV_ADDR)
            ta = (a.sym || a.str) ? 1 : a.i != 0;
        else {
            r = 0;
            break;
        }
        v->kind = CV_INT;
        if (e->kind == EX_LOGAND ? !ta : ta) {
            v->i = e->kind == EX_LOGOR;
            break;
        }
        r = eval(P, e->rhs, &b);
        if (r != 1)
            break;
        if (b.kind == CV_INT)
            v->i = b.i != 0;
        else if (b.kind == CV_FLOAT)
            v->i = b.f != 0;
        else if (b.kind == CV_ADDR)
            v->i = (b.sym || b.str) ? 1 : b.i != 0;
        else
            r = 0;
        break;
    }
    case EX_COND: {
        r = eval(P, e->cond, &a);
        if (r != 1)
            break;
        int c;
        if (a.kind == CV_INT)
            c = a.i != 0;
        else if (a.kind == CV_FLOAT)
            c = a.f != 0;
        else if (a.kind == CV_ADDR)
            c = (a.sym || a.str) ? 1 : a.i != 0;
        else {
            r = 0;
            break;
        }
        r = eval(P, c ? e->lhs : e->rhs, v);
        break;
    }
    case EX_PTR_ADD:
        r = eval(P, e->lhs, &a);
        if (r == 1)
            r = eval(P, e->rhs, &b);
        if (r != 1)
            break;
        if (a.kind != CV_ADDR || b.kind != CV_INT) {
            r = 0;
            break;
        }
        *v = a;
        v->i = a.i + b.i * (int64_t)e->scale;
        if (!a.sym && !a.str)
            v->i = (int64_t)(uint32_t)v->i;
        break;
    case EX_PTR_DIFF:
        r = eval(P, e->lhs, &a);
        if (r == 1)
            r = eval(P, e->rhs, &b);
        if (r != 1)
            break;
        if (a.kind != CV_ADDR || b.kind != CV_ADDR || a.sym != b.sym || a.str != b.str ||
            !e->scale) {
            r = 0;
            break;
        }
        v->kind = CV_INT;
        v->i = ty_wrap(e->type, (int64_t)(int32_t)(uint32_t)(a.i - b.i) / (int64_t)e->scale);
        break;
    default:
        r = 0;
        break;
    }
    px_leave(P);
    return r;
}

int px_eval(px *P, const ast_expr *e, px_cval *v)
{
    return eval(P, e, v);
}

int px_eval_int(px *P, const ast_expr *e, const fe_token *at, int64_t *out)
{
    px_cval v;
    int r = eval(P, e, &v);
    if (r == -1) {
        px_error(P, at, "division by zero in a constant expression");
        return 0;
    }
    if (r != 1 || v.kind != CV_INT) {
        px_error(P, at, "expression is not an integer constant");
        return 0;
    }
    *out = v.i;
    return 1;
}

/* types.c — C types of plugins: the ABI of docs/language.md. */
#include "ast.h"

ir_type ty_ir_type(const ctype *t)
{
    switch (t->kind) {
    case TY_LONG: case TY_ULONG: case TY_LLONG: case TY_ULLONG:
        return IR_I64;
    case TY_FLOAT:
        return IR_F32;
    case TY_DOUBLE: case TY_LDOUBLE:
        return IR_F64;
    case TY_VOID:
        return IR_VOID;
    default: /* _Bool, char, short, int, enum, pointers */
        return IR_I32;
    }
}

ir_mem ty_ir_mem(const ctype *t)
{
    switch (t->kind) {
    case TY_BOOL: case TY_UCHAR: return IR_M_U8;
    case TY_CHAR: case TY_SCHAR: return IR_M_I8;
    case TY_SHORT: return IR_M_I16;
    case TY_USHORT: return IR_M_U16;
    case TY_LONG: case TY_ULONG: case TY_LLONG: case TY_ULLONG: return IR_M_I64;
    case TY_FLOAT: return IR_M_F32;
    case TY_DOUBLE: case TY_LDOUBLE: return IR_M_F64;
    default: return IR_M_I32; /* int, unsigned, enum, pointers */
    }
}

int ty_sig_type(const ctype *t)
{
    if (t->kind == TY_PTR)
        return IR_PTR;
    return ty_ir_type(t);
}

/* ---- type construction (parse.h) ------------------------------------------- */
#include <stdio.h>
#include <string.h>

#include "parse.h"

static ctype *ty_new(ty_env *e, ty_kind k, uint32_t size, uint32_t align)
{
    ctype *t = kp_arena_alloc(e->a, sizeof *t);
    if (!t) {
        if (e->nomem)
            e->nomem(e->nomem_ud);
        return NULL;
    }
    t->kind = k;
    t->size = size;
    t->align = align;
    t->unqual = t;
    t->is_unsigned = k == TY_BOOL || k == TY_UCHAR || k == TY_USHORT || k == TY_UINT ||
                     k == TY_ULONG || k == TY_ULLONG;
    return t;
}

int ty_env_init(ty_env *e, kp_arena *a)
{
    memset(e, 0, sizeof *e);
    e->a = a;
    /* The basic types in one block: a compile (and each built-in prototype)
     * starts here, and one allocation is cheaper than sixteen. */
    static const struct { ty_kind k; uint8_t size; } basic[] = {
        {TY_VOID, 1}, {TY_BOOL, 1}, {TY_CHAR, 1}, {TY_SCHAR, 1}, {TY_UCHAR, 1},
        {TY_SHORT, 2}, {TY_USHORT, 2}, {TY_INT, 4}, {TY_UINT, 4}, {TY_LONG, 8},
        {TY_ULONG, 8}, {TY_LLONG, 8}, {TY_ULLONG, 8}, {TY_FLOAT, 4}, {TY_DOUBLE, 8},
        {TY_LDOUBLE, 8}};
    enum { NBASIC = sizeof basic / sizeof basic[0] };
    ctype *v = kp_arena_alloc(a, NBASIC * sizeof *v);
    if (!v) {
        if (e->nomem)
            e->nomem(e->nomem_ud);
        return -1;
    }
    for (unsigned i = 0; i < NBASIC; i++) {
        ctype *t = &v[i];
        ty_kind k = basic[i].k;
        t->kind = k;
        t->size = t->align = basic[i].size;
        t->unqual = t;
        t->is_unsigned = k == TY_BOOL || k == TY_UCHAR || k == TY_USHORT || k == TY_UINT ||
                         k == TY_ULONG || k == TY_ULLONG;
    }
    e->t_void = &v[0];
    e->t_void->incomplete = 1;
    e->t_bool = &v[1];
    e->t_char = &v[2];
    e->t_schar = &v[3];
    e->t_uchar = &v[4];
    e->t_short = &v[5];
    e->t_ushort = &v[6];
    e->t_int = &v[7];
    e->t_uint = &v[8];
    e->t_long = &v[9];
    e->t_ulong = &v[10];
    e->t_llong = &v[11];
    e->t_ullong = &v[12];
    e->t_float = &v[13];
    e->t_double = &v[14];
    e->t_ldouble = &v[15];
    e->t_voidptr = ty_ptr(e, e->t_void);
    e->t_charptr = ty_ptr(e, e->t_char);
    return a->failed ? -1 : 0;
}

ctype *ty_basic(ty_env *e, ty_kind k)
{
    switch (k) {
    case TY_VOID: return e->t_void;
    case TY_BOOL: return e->t_bool;
    case TY_CHAR: return e->t_char;
    case TY_SCHAR: return e->t_schar;
    case TY_UCHAR: return e->t_uchar;
    case TY_SHORT: return e->t_short;
    case TY_USHORT: return e->t_ushort;
    case TY_INT: return e->t_int;
    case TY_UINT: return e->t_uint;
    case TY_LONG: return e->t_long;
    case TY_ULONG: return e->t_ulong;
    case TY_LLONG: return e->t_llong;
    case TY_ULLONG: return e->t_ullong;
    case TY_FLOAT: return e->t_float;
    case TY_DOUBLE: return e->t_double;
    case TY_LDOUBLE: return e->t_ldouble;
    default: return e->t_int;
    }
}

ctype *ty_qual(ty_env *e, ctype *t, unsigned q)
{
    q &= TQ_CONST | TQ_VOLATILE;
    if (!t || (t->qual | q) == t->qual)
        return t;
    if (t->kind == TY_ARRAY) {
        /* qualifiers of an array type belong to its elements */
        ctype *el = ty_qual(e, t->base, q);
        return ty_array(e, el, t->array_len, t->incomplete);
    }
    ctype *n = kp_arena_alloc(e->a, sizeof *n);
    if (!n)
        return t;
    *n = *t;
    n->qual = (uint8_t)(t->qual | q);
    n->unqual = t->unqual;
    n->ptr_to = NULL;
    if ((t->kind == TY_STRUCT || t->kind == TY_UNION) && t->unqual->incomplete) {
        /* qualified copies of an incomplete struct are chained through
           `params` (unused by records) from the unqualified type, and
           refreshed when ty_layout completes it */
        n->params = t->unqual->params;
        t->unqual->params = (ctype **)(void *)n;
    }
    return n;
}

/* Pointer types are shared: expressions make them all the time (decay,
 * &, ->) and nothing mutates a pointer type once made. */
ctype *ty_ptr(ty_env *e, ctype *base)
{
    if (base->ptr_to)
        return base->ptr_to;
    ctype *t = ty_new(e, TY_PTR, 4, 4);
    if (t) {
        t->base = base;
        t->is_unsigned = 1;
        base->ptr_to = t;
    }
    return t;
}

ctype *ty_array(ty_env *e, ctype *elem, uint32_t len, int incomplete)
{
    uint64_t sz = (uint64_t)elem->size * (incomplete ? 0 : len);
    ctype *t = ty_new(e, TY_ARRAY, sz > UINT32_MAX ? UINT32_MAX : (uint32_t)sz, elem->align);
    if (t) {
        t->base = elem;
        t->array_len = incomplete ? 0 : len;
        t->incomplete = (uint8_t)(incomplete != 0);
    }
    return t;
}

ctype *ty_func(ty_env *e, ctype *ret, ctype **params, uint32_t n, int variadic)
{
    ctype *t = ty_new(e, TY_FUNC, 1, 1);
    if (t) {
        t->base = ret;
        t->params = params;
        t->nparams = n;
        t->variadic = (uint8_t)(variadic != 0);
    }
    return t;
}

ctype *ty_record(ty_env *e, ty_kind k, const char *tag)
{
    ctype *t = ty_new(e, k, 0, 1);
    if (t) {
        t->tag = tag;
        t->incomplete = 1;
    }
    return t;
}

ctype *ty_enum(ty_env *e, const char *tag)
{
    ctype *t = ty_new(e, TY_ENUM, 4, 4);
    if (t)
        t->tag = tag;
    return t;
}

static uint32_t align_up(uint64_t v, uint32_t a) { return (uint32_t)((v + a - 1) / a * a); }

const char *ty_layout(ty_env *e, ctype *t, cfield *fields, uint32_t n)
{
    uint64_t bits = 0;    /* struct: next free bit */
    uint64_t size = 0;    /* union: largest member */
    uint32_t align = 1;
    int is_union = t->kind == TY_UNION;
    for (uint32_t i = 0; i < n; i++) {
        cfield *f = &fields[i];
        ctype *ft = f->type;
        uint32_t fa = ft->align ? ft->align : 1;
        if (f->is_bitfield) {
            uint32_t unit = ft->size * 8;
            if (f->bit_width == 0) {
                if (!is_union)
                    bits = (bits + unit - 1) / unit * unit;
                continue;
            }
            if (is_union) {
                f->offset = 0;
                f->bit_offset = 0;
                if (ft->size > size)
                    size = ft->size;
            } else {
                /* GCC x86-64: a bit-field never straddles a storage unit of
                   its declared type aligned to that type's alignment */
                if (bits / unit != (bits + f->bit_width - 1) / unit)
                    bits = (bits + unit - 1) / unit * unit;
                uint64_t start = bits / unit * unit;
                f->offset = (uint32_t)(start / 8);
                f->bit_offset = (uint8_t)(bits - start);
                bits += f->bit_width;
            }
            if (f->name && fa > align)
                align = fa;
            continue;
        }
        if (is_union) {
            f->offset = 0;
            if (ft->size > size)
                size = ft->size;
        } else {
            uint64_t off = align_up((bits + 7) / 8, fa);
            f->offset = (uint32_t)off;
            bits = (off + ft->size) * 8;
        }
        if (fa > align)
            align = fa;
        if (bits > (uint64_t)0x7fffffff * 8 || size > 0x7fffffff)
            return "struct or union is too large";
    }
    if (!is_union)
        size = (bits + 7) / 8;
    size = align_up(size, align);
    if (size > 0x7fffffff)
        return "struct or union is too large";
    t->size = (uint32_t)size;
    t->align = align;
    t->fields = fields;
    t->nfields = n;
    t->incomplete = 0;
    /* refresh qualified copies made while the type was incomplete */
    ctype *q = (ctype *)(void *)t->params;
    t->params = NULL;
    while (q) {
        ctype *next = (ctype *)(void *)q->params;
        uint8_t qual = q->qual;
        ctype *ptr_to = q->ptr_to;
        *q = *t;
        q->qual = qual;
        q->unqual = t;
        q->ptr_to = ptr_to;
        q = next;
    }
    return NULL;
}

int ty_is_unsigned(const ctype *t) { return t->is_unsigned && t->kind != TY_PTR; }

int ty_rank(const ctype *t)
{
    switch (t->kind) {
    case TY_BOOL: return 1;
    case TY_CHAR: case TY_SCHAR: case TY_UCHAR: return 2;
    case TY_SHORT: case TY_USHORT: return 3;
    case TY_INT: case TY_UINT: case TY_ENUM: return 4;
    case TY_LONG: case TY_ULONG: return 5;
    case TY_LLONG: case TY_ULLONG: return 6;
    default: return 0;
    }
}

ctype *ty_promote(ty_env *e, ctype *t)
{
    if (ty_is_integer(t) && ty_rank(t) <= 4 && t->kind != TY_UINT)
        return e->t_int;
    return t->unqual;
}

static ctype *ty_to_unsigned(ty_env *e, ctype *t)
{
    switch (t->kind) {
    case TY_INT: return e->t_uint;
    case TY_LONG: return e->t_ulong;
    case TY_LLONG: return e->t_ullong;
    default: return t;
    }
}

ctype *ty_usual(ty_env *e, ctype *a, ctype *b)
{
    if (a->kind == TY_LDOUBLE || b->kind == TY_LDOUBLE)
        return e->t_ldouble;
    if (a->kind == TY_DOUBLE || b->kind == TY_DOUBLE)
        return e->t_double;
    if (a->kind == TY_FLOAT || b->kind == TY_FLOAT)
        return e->t_float;
    a = ty_promote(e, a);
    b = ty_promote(e, b);
    if (a->kind == b->kind)
        return a;
    int ua = ty_is_unsigned(a), ub = ty_is_unsigned(b);
    int ra = ty_rank(a), rb = ty_rank(b);
    if (ua == ub)
        return ra >= rb ? a : b;
    ctype *u = ua ? a : b, *s = ua ? b : a;
    int ru = ua ? ra : rb, rs = ua ? rb : ra;
    if (ru >= rs)
        return u;
    if (s->size > u->size)
        return s;
    return ty_to_unsigned(e, s);
}

int ty_same_unqual(const ctype *a, const ctype *b) { return ty_compatible(a->unqual, b->unqual) && (a->kind != TY_PTR || a->base->qual == b->base->qual); }

int ty_compatible(const ctype *a, const ctype *b)
{
    for (;;) {
        if (a == b)
            return 1;
        if (!a || !b)
            return 0;
        if (a->qual != b->qual)
            return 0;
        if (a->unqual == b->unqual)
            return 1;
        if (a->kind != b->kind)
            return 0;
        switch (a->kind) {
        case TY_PTR:
            a = a->base;
            b = b->base;
            continue;
        case TY_ARRAY:
            if (!a->incomplete && !b->incomplete && a->array_len != b->array_len)
                return 0;
            a = a->base;
            b = b->base;
            continue;
        case TY_FUNC:
            if (a->nparams != b->nparams || a->variadic != b->variadic)
                return 0;
            for (uint32_t i = 0; i < a->nparams; i++)
                if (!ty_compatible(a->params[i]->unqual, b->params[i]->unqual))
                    return 0;
            a = a->base;
            b = b->base;
            continue;
        case TY_STRUCT: case TY_UNION: case TY_ENUM:
            return 0; /* distinct declarations */
        default:
            return 1; /* same basic kind */
        }
    }
}

int ty_is_object_ptr(const ctype *t) { return t->kind == TY_PTR && t->base->kind != TY_FUNC; }

int ty_is_record(const ctype *t) { return t->kind == TY_STRUCT || t->kind == TY_UNION; }

int64_t ty_wrap(const ctype *t, int64_t v)
{
    if (t->kind == TY_BOOL)
        return v != 0;
    uint32_t sz = t->kind == TY_PTR ? 4 : t->size;
    if (sz >= 8 || sz == 0)
        return v;
    uint64_t mask = ((uint64_t)1 << (sz * 8)) - 1;
    uint64_t u = (uint64_t)v & mask;
    if (!ty_is_unsigned(t) && t->kind != TY_PTR && (u >> (sz * 8 - 1)))
        u |= ~mask;
    return (int64_t)u;
}

static size_t ty_put(char *buf, size_t n, size_t k, const char *s)
{
    while (*s && k + 1 < n)
        buf[k++] = *s++;
    if (n)
        buf[k < n ? k : n - 1] = 0;
    return k;
}

static size_t ty_str_at(const ctype *t, char *buf, size_t n, size_t k, int depth)
{
    static const char *names[] = {
        "void", "_Bool", "char", "signed char", "unsigned char", "short",
        "unsigned short", "int", "unsigned int", "long", "unsigned long",
        "long long", "unsigned long long", "float", "double", "long double"};
    if (depth > 32)
        return ty_put(buf, n, k, "...");
    if (t->qual & TQ_CONST)
        k = ty_put(buf, n, k, "const ");
    if (t->qual & TQ_VOLATILE)
        k = ty_put(buf, n, k, "volatile ");
    char tmp[32];
    switch (t->kind) {
    case TY_PTR:
        k = ty_put(buf, n, k, "ptr(");
        k = ty_str_at(t->base, buf, n, k, depth + 1);
        return ty_put(buf, n, k, ")");
    case TY_ARRAY:
        k = ty_put(buf, n, k, "arr(");
        k = ty_str_at(t->base, buf, n, k, depth + 1);
        if (t->incomplete)
            snprintf(tmp, sizeof tmp, ",)");
        else
            snprintf(tmp, sizeof tmp, ",%u)", t->array_len);
        return ty_put(buf, n, k, tmp);
    case TY_FUNC:
        k = ty_put(buf, n, k, "fn(");
        for (uint32_t i = 0; i < t->nparams; i++) {
            if (i)
                k = ty_put(buf, n, k, ",");
            k = ty_str_at(t->params[i], buf, n, k, depth + 1);
        }
        if (t->variadic)
            k = ty_put(buf, n, k, t->nparams ? ",..." : "...");
        k = ty_put(buf, n, k, ")->");
        return ty_str_at(t->base, buf, n, k, depth + 1);
    case TY_STRUCT: case TY_UNION: case TY_ENUM:
        k = ty_put(buf, n, k, t->kind == TY_STRUCT ? "struct " : t->kind == TY_UNION ? "union " : "enum ");
        return ty_put(buf, n, k, t->tag ? t->tag : "<anon>");
    default:
        if ((unsigned)t->kind < sizeof names / sizeof names[0])
            return ty_put(buf, n, k, names[t->kind]);
        return ty_put(buf, n, k, "?");
    }
}

void ty_str(const ctype *t, char *buf, size_t n)
{
    if (!n)
        return;
    buf[0] = 0;
    ty_str_at(t, buf, n, 0, 0);
}

/* C spelling of a type for messages: "int *", "char [4]", "int (*)(int)". */
static void ty_c_rec(const ctype *t, const char *inner, char *out, size_t n, int depth)
{
    static const char *names[] = {
        "void", "_Bool", "char", "signed char", "unsigned char", "short",
        "unsigned short", "int", "unsigned int", "long", "unsigned long",
        "long long", "unsigned long long", "float", "double", "long double"};
    char buf[256], q[32];
    q[0] = 0;
    if (t->qual & TQ_CONST)
        strcat(q, "const ");
    if (t->qual & TQ_VOLATILE)
        strcat(q, "volatile ");
    if (depth > 16) {
        snprintf(out, n, "...");
        return;
    }
    switch (t->kind) {
    case TY_PTR: {
        int paren = t->base->kind == TY_ARRAY || t->base->kind == TY_FUNC;
        if (t->qual)
            snprintf(buf, sizeof buf, "%s* %.*s%s%s", paren ? "(" : "", (int)strlen(q) - 1, q,
                     *inner ? " " : "", inner);
        else
            snprintf(buf, sizeof buf, "%s*%s", paren ? "(" : "", inner);
        if (paren)
            strncat(buf, ")", sizeof buf - strlen(buf) - 1);
        ty_c_rec(t->base, buf, out, n, depth + 1);
        return;
    }
    case TY_ARRAY:
        if (t->incomplete)
            snprintf(buf, sizeof buf, "%s[]", inner);
        else
            snprintf(buf, sizeof buf, "%s[%u]", inner, t->array_len);
        ty_c_rec(t->base, buf, out, n, depth + 1);
        return;
    case TY_FUNC: {
        size_t k = (size_t)snprintf(buf, sizeof buf, "%s(", inner);
        for (uint32_t i = 0; i < t->nparams && k < sizeof buf; i++) {
            char p[128];
            ty_c_rec(t->params[i], "", p, sizeof p, depth + 1);
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", p);
        }
        if (k < sizeof buf)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s)",
                                  t->variadic ? (t->nparams ? ", ..." : "...")
                                              : (t->nparams ? "" : "void"));
        ty_c_rec(t->base, buf, out, n, depth + 1);
        return;
    }
    case TY_STRUCT: case TY_UNION: case TY_ENUM:
        snprintf(out, n, "%s%s %s%s%s", q,
                 t->kind == TY_STRUCT ? "struct" : t->kind == TY_UNION ? "union" : "enum",
                 t->tag ? t->tag : "<anonymous>", *inner && inner[0] != '[' && inner[0] != '(' ? " " : "",
                 inner);
        return;
    default:
        snprintf(out, n, "%s%s%s%s", q, (unsigned)t->kind < 16 ? names[t->kind] : "?",
                 *inner ? " " : "", inner);
        return;
    }
}

void ty_cstr(const ctype *t, char *buf, size_t n)
{
    if (!n)
        return;
    buf[0] = 0;
    ty_c_rec(t, "", buf, n, 0);
}

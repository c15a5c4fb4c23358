/*
 * progfuzz.c — bytes -> a valid, terminating C plugin (see progfuzz.h).
 *
 * Determinism rules the generator keeps so that any two correct engines
 * (and gcc with the native prelude) agree on every observable:
 *  - expressions have no side effects except calls, which may only write
 *    the fuel counter (pure functions); impure calls are statements;
 *  - of the operands of an unsequenced operator, at most one may trap or
 *    call, so the first trap and the fuel consumed do not depend on the
 *    evaluation order;
 *  - every read is of initialized memory; an index is either in bounds or
 *    lands at >= 1 GiB, far outside any segment the harness configures;
 *  - loops have constant trip counts and every function call spends one
 *    unit of a global fuel counter, so the run is bounded whatever the
 *    call graph does;
 *  - no struct has padding and no global holds a pointer, so the bytes of
 *    the globals are comparable between engines and with gcc.
 */
#include "progfuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_BOOL, T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_I64, T_U64, T_F32, T_F64, T_N };
static const char *const tname[T_N] = {
    "_Bool", "signed char", "unsigned char", "short", "unsigned short", "int",
    "unsigned", "long long", "unsigned long long", "float", "double"
};
static const int tsize[T_N] = { 1, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8 };
#define ISFLOAT(t) ((t) >= T_F32)

enum { K_SCALAR, K_ARRAY, K_STRUCT, K_SARRAY, K_PTR, K_SPTR };

typedef struct pf_obj {
    char name[16];
    int kind, ty, n;   /* ty: scalar/element type; n: element count */
    int global, ro, addressable, hidden;
} pf_obj;

typedef struct pf_field {
    int ty, arrn; /* arrn > 0: an array member */
} pf_field;

typedef struct pf_func {
    int ret;              /* -1: void */
    int np;
    int pt[8];
    int pure, fp;         /* fp: a member of the function-pointer table */
} pf_func;

#define MAX_OBJ 96
#define MAX_FN 12
#define MAX_FIELDS 8

typedef struct gen {
    const uint8_t *d;
    size_t n, pos;
    int native;
    /* output */
    char *buf;
    size_t len, cap;
    int oom;
    /* program */
    pf_field fields[MAX_FIELDS];
    int nfields, ssize;
    int struct_has_bool;
    pf_obj obj[MAX_OBJ];
    int nobj, nglob;
    pf_func fn[MAX_FN];
    int nfn, cur;         /* cur: function being generated (-1: kp_main) */
    int nfp;              /* functions in the fp table */
    int nsf;              /* struct functions sf0.. : struct S (int d, struct S a, int k) */
    int uid;
    int stmt_budget;
    int loop_depth, in_switch;
    int iter_mult;
    pf_prog *prog;
} gen;

/* ---- decisions ----------------------------------------------------- */

static unsigned pick(gen *g, unsigned n)
{
    if (n <= 1)
        return 0;
    if (g->pos >= g->n)
        return 0;
    unsigned v = g->d[g->pos++];
    if (n > 256 && g->pos < g->n)
        v = v << 8 | g->d[g->pos++];
    return v % n;
}

static int chance(gen *g, unsigned pct)
{
    /* once the input is spent, every optional thing is left out */
    if (g->pos >= g->n)
        return 0;
    return pick(g, 100) < pct;
}

/* ---- output -------------------------------------------------------- */

static void out(gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(gen *g, const char *fmt, ...)
{
    if (g->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        g->oom = 1;
        return;
    }
    if (g->len + (size_t)k + 1 > g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16384;
        while (nc < g->len + (size_t)k + 1)
            nc *= 2;
        char *nb = realloc(g->buf, nc);
        if (!nb) {
            g->oom = 1;
            return;
        }
        g->buf = nb;
        g->cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(g->buf + g->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    g->len += (size_t)k;
}

static void indent(gen *g, int lvl)
{
    for (int i = 0; i < lvl; i++)
        out(g, "    ");
}

/* ---- constants ----------------------------------------------------- */

static const char *const iconst[] = {
    "0", "1", "2", "3", "7", "-1", "-2", "100", "255", "256", "-128", "127", "0x80",
    "32767", "-32768", "65535", "0x7fffffff", "(-0x7fffffff - 1)", "0x80000000u",
    "0xffffffffu", "4294967296LL", "0x7fffffffffffffffLL", "(-0x7fffffffffffffffLL - 1)",
    "0xffffffffffffffffULL", "12345", "-98765", "0x5555aaaa", "1000000007", "'a'",
    "0x123456789abcdefLL", "31", "32", "63", "64", "-31", "0x8000", "0xff00ff00u",
};
#define NICONST (unsigned)(sizeof iconst / sizeof iconst[0])

static const char *const fconst[] = {
    "0.0", "-0.0", "1.0", "-1.0", "0.5", "1.5", "-2.25", "3.0", "100.0", "1e10", "-1e10",
    "1e300", "-1e300", "1e-300", "0.1", "2147483648.0", "-2147483649.0", "4294967296.0",
    "9.2233720368547758e18", "1.8446744073709552e19", "65536.0", "-0.75", "123456.789",
    "3.4028234663852886e38", "1.1754943508222875e-38", "-2147483648.0", "255.5", "-1.5e-7",
};
#define NFCONST (unsigned)(sizeof fconst / sizeof fconst[0])

static void gen_const(gen *g, int ty)
{
    if (ISFLOAT(ty)) {
        if (!g->native && chance(g, 3)) {
            out(g, "((%s)(0.0 / 0.0))", tname[ty]);
            return;
        }
        unsigned c = pick(g, NFCONST + 2);
        if (c == NFCONST)
            out(g, "((%s)(1e300 * 1e300))", tname[ty]);
        else if (c == NFCONST + 1)
            out(g, "((%s)%u.0)", tname[ty], pick(g, 1000));
        else
            out(g, "((%s)%s)", tname[ty], fconst[c]);
        return;
    }
    unsigned c = pick(g, NICONST + 1);
    if (c == NICONST)
        out(g, "((%s)%u)", tname[ty], pick(g, 65536));
    else
        out(g, "((%s)%s)", tname[ty], iconst[c]);
}

/* ---- scope --------------------------------------------------------- */

static pf_obj *add_obj(gen *g, int kind, int ty, int n, int global)
{
    if (g->nobj >= MAX_OBJ)
        return NULL;
    pf_obj *o = &g->obj[g->nobj++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->ty = ty;
    o->n = n;
    o->global = global;
    snprintf(o->name, sizeof o->name, "%c%d", global ? 'g' : 'l', g->uid++);
    return o;
}

static int writable(gen *g, const pf_obj *o)
{
    if (o->ro)
        return 0;
    if (g->cur >= 0 && g->fn[g->cur].pure) {
        /* pure functions write locals only (K_PTR/K_SPTR may point at globals) */
        if (o->global || o->kind == K_PTR || o->kind == K_SPTR)
            return 0;
    }
    return 1;
}

static int rand_int_type(gen *g)
{
    static const int t[] = { T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_I64, T_U64, T_I32, T_I64 };
    return t[pick(g, 10)];
}

static int rand_scalar_type(gen *g)
{
    unsigned c = pick(g, 14);
    if (c < 10)
        return rand_int_type(g);
    if (c == 10)
        return T_BOOL;
    return c < 12 ? T_F32 : T_F64;
}

/* ---- expressions --------------------------------------------------- */

static void gen_expr(gen *g, int ty, int depth, int *trap);

/* Emit the prefix of a conversion from `from` to `to`; the caller then
 * emits the operand and conv_end(). Float -> int goes through the F2*
 * macros, which the native prelude implements with kplug's semantics. */
static const char *conv_begin(gen *g, int from, int to)
{
    if (from == to) {
        out(g, "(");
        return ")";
    }
    if (ISFLOAT(from) && !ISFLOAT(to) && to != T_BOOL) {
        if (!g->native && chance(g, 30)) {
            out(g, "((%s)(", tname[to]);
            return "))";
        }
        static const char *const m[] = { "F2I32", "F2U32", "F2I64", "F2U64" };
        static const int mt[] = { T_I32, T_U32, T_I64, T_U64 };
        unsigned k = pick(g, 4);
        if (to == T_I32 || to == T_U32 || to == T_I64 || to == T_U64) {
            for (k = 0; mt[k] != to; k++)
                ;
            out(g, "%s(", m[k]);
            return ")";
        }
        out(g, "((%s)%s(", tname[to], m[k]);
        return "))";
    }
    out(g, "((%s)(", tname[to]);
    return "))";
}

/* An index into n elements of size esz: a constant, a masked expression,
 * or IX(), which maps an out-of-range value far outside the segment. */
static void gen_index(gen *g, int n, int esz, int depth, int *trap)
{
    unsigned c = pick(g, 32);
    if (c < 9 || depth <= 0) {
        out(g, "%u", n > 0 ? pick(g, (unsigned)n) : 0);
    } else if (c < 31 || *trap) {
        out(g, "((");
        gen_expr(g, rand_int_type(g), depth - 1, trap);
        out(g, ") & %d)", n - 1);
    } else {
        out(g, "IX(");
        int t = 1; /* the macro evaluates it twice: no calls */
        gen_expr(g, rand_int_type(g), depth - 1, &t);
        out(g, ", %du, %uu)", n, 0x40000000u / (unsigned)esz);
        *trap = 1;
    }
}

static const char *fieldname(int i)
{
    static const char *const nm[] = { "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7" };
    return nm[i];
}

/* Emit an lvalue of a random visible object; returns its type, or -1 if
 * there is none. write: the lvalue will be assigned. */
static int gen_lvalue(gen *g, int write, int depth, int *trap)
{
    int cand[MAX_OBJ], nc = 0;
    for (int i = 0; i < g->nobj; i++) {
        if (g->obj[i].hidden || (write && !writable(g, &g->obj[i])))
            continue;
        cand[nc++] = i;
    }
    if (nc == 0)
        return -1;
    const pf_obj *o = &g->obj[cand[pick(g, (unsigned)nc)]];
    int f;
    switch (o->kind) {
    case K_SCALAR:
        /* a view of its bytes now and then (not of _Bool: not every byte
         * is a valid _Bool) */
        if (o->addressable && o->ty != T_BOOL && chance(g, 10)) {
            out(g, "((unsigned char *)&%s)[", o->name);
            gen_index(g, tsize[o->ty], 1, depth, trap);
            out(g, "]");
            return T_U8;
        }
        out(g, "%s", o->name);
        return o->ty;
    case K_ARRAY:
    case K_PTR:
        if (o->kind == K_PTR && chance(g, 40)) {
            out(g, "*(%s + ", o->name);
            gen_index(g, o->n, tsize[o->ty], depth, trap);
            out(g, ")");
            return o->ty;
        }
        out(g, "%s[", o->name);
        gen_index(g, o->n, tsize[o->ty], depth, trap);
        out(g, "]");
        return o->ty;
    case K_STRUCT:
    case K_SARRAY:
    case K_SPTR:
        if (o->kind == K_STRUCT && !g->struct_has_bool && chance(g, 8)) {
            out(g, "((unsigned char *)&%s)[", o->name);
            gen_index(g, g->ssize, 1, depth, trap);
            out(g, "]");
            return T_U8;
        }
        if (o->kind == K_SARRAY) {
            out(g, "%s[", o->name);
            gen_index(g, o->n, g->ssize, depth, trap);
            out(g, "].");
        } else if (o->kind == K_SPTR) {
            out(g, "%s->", o->name);
        } else {
            out(g, "%s.", o->name);
        }
        f = (int)pick(g, (unsigned)g->nfields);
        out(g, "%s", fieldname(f));
        if (g->fields[f].arrn) {
            out(g, "[");
            gen_index(g, g->fields[f].arrn, tsize[g->fields[f].ty], depth, trap);
            out(g, "]");
        }
        return g->fields[f].ty;
    }
    return -1;
}

/* A call of function k with arguments; the caller handles the result. */
static void gen_call_args(gen *g, int k, int depth, int *trap)
{
    const pf_func *f = &g->fn[k];
    /* recursion only while d > 0, with d - 1; callees below get d */
    out(g, "(%s", k == g->cur ? "d - 1" : "d");
    int t = *trap;
    for (int i = 0; i < f->np; i++) {
        out(g, ", ");
        gen_expr(g, f->pt[i], depth - 1, &t);
    }
    out(g, ")");
    *trap = 1;
}

/* Functions callable from here: k < cur (or any from kp_main), or cur
 * itself (guarded by d > 0); only pure ones inside expressions. */
static int pick_callee(gen *g, int in_expr)
{
    int cand[MAX_FN], nc = 0;
    int lim = g->cur < 0 ? g->nfn : g->cur + 1;
    for (int k = 0; k < lim && k < g->nfn; k++) {
        if (in_expr && (!g->fn[k].pure || g->fn[k].ret < 0))
            continue;
        if (g->cur >= 0 && g->fn[g->cur].pure && !g->fn[k].pure)
            continue;
        cand[nc++] = k;
    }
    return nc ? cand[pick(g, (unsigned)nc)] : -1;
}

static int rand_div_type(gen *g)
{
    static const int t[] = { T_I32, T_U32, T_I64, T_U64 };
    return t[pick(g, 4)];
}

static const char *div_suffix(int t)
{
    switch (t) {
    case T_I32: return "S32";
    case T_U32: return "U32";
    case T_I64: return "S64";
    default: return "U64";
    }
}

/* A read of a random lvalue, converted to ty. */
static void gen_read(gen *g, int ty, int depth, int *trap)
{
    size_t mark = g->len;
    int save = *trap;
    int lt = gen_lvalue(g, 0, depth, trap);
    if (lt < 0 || g->oom) {
        g->len = mark;
        *trap = save;
        gen_const(g, ty);
        return;
    }
    char *lv = strndup(g->buf + mark, g->len - mark);
    if (!lv) {
        g->oom = 1;
        return;
    }
    g->len = mark;
    const char *e = conv_begin(g, lt, ty);
    out(g, "%s%s", lv, e);
    free(lv);
}

static void gen_expr(gen *g, int ty, int depth, int *trap)
{
    if (g->oom)
        return;
    unsigned c = depth <= 0 ? pick(g, 2) : pick(g, 22);
    const char *e;
    int a, t2 = 1;
    switch (c) {
    case 0: /* constant */
        gen_const(g, ty);
        return;
    case 1: case 2: case 3: /* a read */
        gen_read(g, ty, depth, trap);
        return;
    case 4: case 5: case 6: { /* arithmetic and bitwise */
        a = rand_scalar_type(g);
        if (a == T_BOOL)
            a = T_I32;
        int res = ISFLOAT(a) ? a : (tsize[a] < 4 ? T_I32 : a);
        e = conv_begin(g, res, ty);
        out(g, "(");
        gen_expr(g, a, depth - 1, trap);
        if (ISFLOAT(a)) {
            static const char *const op[] = { " + ", " - ", " * ", " / " };
            out(g, "%s", op[pick(g, 4)]);
        } else {
            static const char *const op[] = { " + ", " - ", " * ", " & ", " | ", " ^ " };
            out(g, "%s", op[pick(g, 6)]);
        }
        gen_expr(g, a, depth - 1, trap);
        out(g, ")%s", e);
        return;
    }
    case 7: case 8: { /* division and remainder (may trap) */
        a = rand_div_type(g);
        e = conv_begin(g, a, ty);
        int rem = (int)pick(g, 2);
        if (pick(g, 3) == 0) {
            /* a constant divisor (never 0 or -1): the JIT may strength-reduce */
            static const char *const dv[] = { "1", "2", "3", "4", "5", "7", "8", "10", "16", "64",
                                              "255", "256", "1000", "-2", "-4", "-7", "-16",
                                              "0x10000", "0x7fffffff", "(-0x7fffffff - 1)" };
            out(g, "(");
            gen_expr(g, a, depth - 1, trap);
            out(g, " %s ((%s)%s))%s", rem ? "%" : "/", tname[a], dv[pick(g, 20)], e);
            return;
        }
        if (*trap || pick(g, 16)) {
            /* a divisor that cannot trap: odd and positive */
            out(g, "(");
            gen_expr(g, a, depth - 1, trap);
            out(g, " %s ((", rem ? "%" : "/");
            gen_expr(g, a, depth - 1, trap);
            out(g, ") & 15 | 1))%s", e);
            return;
        }
        out(g, "%s%s(", rem ? "REM" : "DIV", div_suffix(a));
        int t = 0;
        gen_expr(g, a, depth - 1, &t);
        out(g, ", ");
        gen_expr(g, a, depth - 1, &t);
        out(g, ")%s", e);
        *trap = 1;
        return;
    }
    case 9: { /* shifts */
        a = rand_div_type(g);
        e = conv_begin(g, a, ty);
        out(g, "%s(", pick(g, 2) ? "SHL" : "SHR");
        gen_expr(g, a, depth - 1, trap);
        out(g, ", ");
        gen_expr(g, T_I32, depth - 1, trap);
        out(g, ", %d)%s", tsize[a] * 8 - 1, e);
        return;
    }
    case 10: { /* comparisons and logic */
        a = rand_scalar_type(g);
        static const char *const op[] = { " < ", " > ", " <= ", " >= ", " == ", " != ", " && ", " || " };
        int in = *trap;
        e = conv_begin(g, T_I32, ty);
        out(g, "(");
        gen_expr(g, a, depth - 1, trap);
        unsigned o = pick(g, 8);
        out(g, "%s", op[o]);
        if (o >= 6) {
            /* sequenced: the right side may trap too */
            int t = in;
            gen_expr(g, a, depth - 1, &t);
            *trap |= t;
        } else {
            gen_expr(g, a, depth - 1, trap);
        }
        out(g, ")%s", e);
        return;
    }
    case 11: { /* unary */
        a = rand_scalar_type(g);
        if (a == T_BOOL)
            a = T_I32;
        unsigned o = pick(g, 3);
        if (ISFLOAT(a) && o == 1)
            o = 0;
        int res = o == 2 ? T_I32 : ISFLOAT(a) ? a : (tsize[a] < 4 ? T_I32 : a);
        e = conv_begin(g, res, ty);
        out(g, "(%s", o == 0 ? "-" : o == 1 ? "~" : "!");
        gen_expr(g, a, depth - 1, trap);
        out(g, ")%s", e);
        return;
    }
    case 12: case 13: { /* casts */
        a = rand_scalar_type(g);
        e = conv_begin(g, a, ty);
        gen_expr(g, a, depth - 1, trap);
        out(g, "%s", e);
        return;
    }
    case 14: { /* conditional: the arms are alternatives, both may trap */
        int in = *trap;
        out(g, "(");
        gen_expr(g, T_I32, depth - 1, trap);
        out(g, " ? ");
        int t = in, u = in;
        gen_expr(g, ty, depth - 1, &t);
        out(g, " : ");
        gen_expr(g, ty, depth - 1, &u);
        out(g, ")");
        *trap |= t | u;
        return;
    }
    case 15: case 16: { /* pure call */
        if (*trap)
            break;
        int k = pick_callee(g, 1);
        if (k < 0)
            break;
        if (k == g->cur) {
            out(g, "(d > 0 ? ");
            e = conv_begin(g, g->fn[k].ret, ty);
            out(g, "fn%d", k);
            gen_call_args(g, k, depth, trap);
            out(g, "%s : ", e);
            gen_const(g, ty);
            out(g, ")");
            return;
        }
        e = conv_begin(g, g->fn[k].ret, ty);
        out(g, "fn%d", k);
        gen_call_args(g, k, depth, trap);
        out(g, "%s", e);
        return;
    }
    case 17: { /* function pointer table (pure, int(int, int, int)) */
        if (*trap || g->nfp == 0 || (g->cur >= 0 && g->fn[g->cur].fp))
            break;
        e = conv_begin(g, T_I32, ty);
        int t = 0;
        if (!g->native && chance(g, 2)) {
            /* a forged handle: a bad call, or a call of whatever it names */
            out(g, "((int (*)(int, int, int))(unsigned long)(");
            gen_expr(g, T_U32, depth - 1, &t);
            out(g, " & 31))");
        } else {
            out(g, "fptab[");
            gen_index(g, 4, 4, depth, &t);
            out(g, "]");
        }
        out(g, "(d, ");
        gen_expr(g, T_I32, depth - 1, &t);
        out(g, ", ");
        gen_expr(g, T_I32, depth - 1, &t);
        out(g, ")%s", e);
        *trap = 1;
        return;
    }
    case 18: { /* pointer difference and comparison */
        int cand[MAX_OBJ], nc = 0;
        for (int i = 0; i < g->nobj; i++)
            if (g->obj[i].kind == K_PTR)
                cand[nc++] = i;
        if (!nc)
            break;
        const pf_obj *o = &g->obj[cand[pick(g, (unsigned)nc)]];
        e = conv_begin(g, T_I32, ty);
        int cmp = (int)pick(g, 2);
        out(g, cmp ? "((%s + " : "(int)((%s + ", o->name);
        gen_index(g, o->n, 1, 0, &t2);
        out(g, cmp ? ") < (%s + " : ") - (%s + ", o->name);
        gen_index(g, o->n, 1, 0, &t2);
        out(g, "))%s", e);
        return;
    }
    default:
        break;
    }
    /* leaf fallback */
    if (pick(g, 2))
        gen_const(g, ty);
    else
        gen_read(g, ty, 0, trap);
}

/* ---- statements ---------------------------------------------------- */

static void gen_block(gen *g, int lvl, int n);

static void gen_stmt(gen *g, int lvl)
{
    if (g->oom || g->stmt_budget <= 0)
        return;
    g->stmt_budget--;
    int trap = 0;
    const char *e;
    unsigned c = pick(g, 20);
    int nest_ok = lvl < 4;
    switch (c) {
    case 0: case 1: case 2: case 3: { /* assignment */
        indent(g, lvl);
        int lt = gen_lvalue(g, 1, 2, &trap);
        if (lt < 0) {
            out(g, "h += 1;\n");
            return;
        }
        unsigned o = pick(g, 8);
        if (o < 4 || lt == T_BOOL) {
            out(g, " = ");
        } else if (ISFLOAT(lt)) {
            static const char *const op[] = { " += ", " -= ", " *= ", " = " };
            out(g, "%s", op[o - 4]);
        } else {
            static const char *const op[] = { " += ", " ^= ", " |= ", " -= " };
            out(g, "%s", op[o - 4]);
        }
        gen_expr(g, lt, 4, &trap);
        out(g, ";\n");
        return;
    }
    case 4: case 5: { /* mix a value into the result */
        indent(g, lvl);
        out(g, "h = h * 31 + ");
        int ty = rand_scalar_type(g);
        e = conv_begin(g, ty, T_U64);
        gen_expr(g, ty, 4, &trap);
        out(g, "%s;\n", e);
        return;
    }
    case 6: { /* float bits into the result: exact comparison of NaNs too */
        int ty = pick(g, 2) ? T_F32 : T_F64;
        indent(g, lvl);
        out(g, "{ %s fv = ", tname[ty]);
        gen_expr(g, ty, 4, &trap);
        if (ty == T_F32)
            out(g, "; unsigned fb; memcpy(&fb, &fv, 4); h = h * 31 + fb; }\n");
        else
            out(g, "; unsigned long long fb; memcpy(&fb, &fv, 8); h = h * 31 + fb; }\n");
        return;
    }
    case 7: case 8: { /* if / else */
        if (!nest_ok)
            break;
        indent(g, lvl);
        out(g, "if (");
        gen_expr(g, rand_scalar_type(g), 3, &trap);
        out(g, ") {\n");
        gen_block(g, lvl + 1, 1 + (int)pick(g, 3));
        indent(g, lvl);
        if (chance(g, 50)) {
            out(g, "} else {\n");
            gen_block(g, lvl + 1, 1 + (int)pick(g, 3));
            indent(g, lvl);
        }
        out(g, "}\n");
        return;
    }
    case 9: case 10: { /* loops with constant trip counts */
        if (!nest_ok || g->iter_mult >= 64)
            break;
        int trips = 1 + (int)pick(g, 8);
        if (g->iter_mult * trips > 64)
            trips = 64 / g->iter_mult;
        pf_obj *ctr = add_obj(g, K_SCALAR, T_I32, 0, 0);
        if (!ctr)
            break;
        ctr->ro = 1;
        int kind = (int)pick(g, 3);
        indent(g, lvl);
        if (kind == 0)
            out(g, "for (int %s = 0; %s < %d; %s++) {\n", ctr->name, ctr->name, trips, ctr->name);
        else if (kind == 1)
            out(g, "{ int %s = %d; while (%s-- > 0) {\n", ctr->name, trips, ctr->name);
        else
            out(g, "{ int %s = 0; do {\n", ctr->name);
        g->iter_mult *= trips;
        g->loop_depth++;
        int save_nobj = g->nobj;
        gen_block(g, lvl + 1, 1 + (int)pick(g, 4));
        g->nobj = save_nobj;
        g->loop_depth--;
        g->iter_mult /= trips;
        g->nobj--; /* the counter */
        indent(g, lvl);
        if (kind == 0)
            out(g, "}\n");
        else if (kind == 1)
            out(g, "} }\n");
        else
            out(g, "} while (++%s < %d); }\n", ctr->name, trips);
        return;
    }
    case 11: { /* break / continue */
        if (!g->loop_depth || g->in_switch)
            break;
        indent(g, lvl);
        out(g, "if (");
        gen_expr(g, T_I32, 2, &trap);
        out(g, ") %s;\n", pick(g, 2) ? "break" : "continue");
        return;
    }
    case 12: { /* switch */
        if (!nest_ok)
            break;
        static const int st[] = { T_I32, T_U32, T_I64, T_U8 };
        int ty = st[pick(g, 4)];
        int sparse = (int)pick(g, 2);
        if (sparse && ty == T_U8)
            ty = T_I32; /* the sparse values must stay distinct */
        indent(g, lvl);
        out(g, "switch (");
        if (!sparse) {
            out(g, "(");
            gen_expr(g, ty, 3, &trap);
            out(g, ") & 7) {\n");
        } else {
            gen_expr(g, ty, 3, &trap);
            out(g, ") {\n");
        }
        static const char *const sv[] = { "0", "1", "-1", "100", "255", "1000", "0x7fffffff", "65535", "7", "-128" };
        int used = 0;
        int ncase = 1 + (int)pick(g, 5);
        g->in_switch++;
        for (int i = 0; i < ncase; i++) {
            int v = sparse ? (int)pick(g, 10) : (int)pick(g, 8);
            if (used & (1 << v))
                continue;
            used |= 1 << v;
            indent(g, lvl);
            if (sparse)
                out(g, "case (%s)%s:\n", tname[ty], sv[v]);
            else
                out(g, "case %d:\n", v);
            gen_block(g, lvl + 1, 1 + (int)pick(g, 2));
            if (chance(g, 80)) {
                indent(g, lvl + 1);
                out(g, "break;\n");
            }
        }
        indent(g, lvl);
        out(g, "default:\n");
        gen_block(g, lvl + 1, 1);
        indent(g, lvl + 1);
        out(g, "break;\n");
        indent(g, lvl);
        out(g, "}\n");
        g->in_switch--;
        return;
    }
    case 13: case 14: { /* impure call as a statement */
        int k = pick_callee(g, 0);
        if (k < 0)
            break;
        indent(g, lvl);
        if (k == g->cur)
            out(g, "if (d > 0) ");
        if (g->fn[k].ret >= 0 && chance(g, 70)) {
            out(g, "h = h * 31 + ");
            e = conv_begin(g, g->fn[k].ret, T_U64);
            out(g, "fn%d", k);
            gen_call_args(g, k, 3, &trap);
            out(g, "%s;\n", e);
        } else {
            out(g, "fn%d", k);
            gen_call_args(g, k, 3, &trap);
            out(g, ";\n");
        }
        return;
    }
    case 15: { /* struct copies */
        int cand[MAX_OBJ], nc = 0;
        for (int i = 0; i < g->nobj; i++)
            if ((g->obj[i].kind == K_STRUCT || g->obj[i].kind == K_SARRAY) && writable(g, &g->obj[i]))
                cand[nc++] = i;
        if (!nc)
            break;
        const pf_obj *d = &g->obj[cand[pick(g, (unsigned)nc)]];
        const pf_obj *s = &g->obj[cand[pick(g, (unsigned)nc)]];
        indent(g, lvl);
        out(g, "%s", d->name);
        if (d->kind == K_SARRAY) {
            out(g, "[");
            gen_index(g, d->n, g->ssize, 2, &trap);
            out(g, "]");
        }
        int viasf = g->nsf && chance(g, 50);
        if (viasf)
            out(g, " = sf%u(d, %s", pick(g, (unsigned)g->nsf), s->name);
        else
            out(g, " = %s", s->name);
        if (s->kind == K_SARRAY) {
            out(g, "[");
            gen_index(g, s->n, g->ssize, 2, &trap);
            out(g, "]");
        }
        if (viasf) {
            /* the call is sequenced after its arguments, not after d's index */
            out(g, ", ");
            int t = 1;
            gen_expr(g, T_I32, 2, &t);
            out(g, ")");
        }
        out(g, ";\n");
        return;
    }
    case 16: { /* memset / memcpy of a whole array */
        int cand[MAX_OBJ], nc = 0;
        for (int i = 0; i < g->nobj; i++)
            if (g->obj[i].kind == K_ARRAY && writable(g, &g->obj[i]) && g->obj[i].ty != T_BOOL)
                cand[nc++] = i;
        if (!nc)
            break;
        const pf_obj *d = &g->obj[cand[pick(g, (unsigned)nc)]];
        indent(g, lvl);
        if (pick(g, 2)) {
            out(g, "memset(%s, ", d->name);
            gen_expr(g, T_I32, 2, &trap);
            out(g, ", sizeof %s);\n", d->name);
        } else {
            const pf_obj *s = &g->obj[cand[pick(g, (unsigned)nc)]];
            out(g, "memmove(%s, %s, sizeof %s < sizeof %s ? sizeof %s : sizeof %s);\n", d->name,
                s->name, d->name, s->name, d->name, s->name);
        }
        return;
    }
    case 17: { /* early return */
        if (lvl == 1)
            break;
        indent(g, lvl);
        out(g, "if (");
        gen_expr(g, T_I32, 2, &trap);
        if (g->cur >= 0 && g->fn[g->cur].ret < 0)
            out(g, ") return;\n");
        else
            out(g, ") return (%s)h;\n", g->cur < 0 ? "unsigned long long" : tname[g->fn[g->cur].ret]);
        return;
    }
    case 18: { /* call depth (the harness sets max_call_depth) */
        if (g->native || g->cur >= 0 || !chance(g, 30))
            break;
        indent(g, lvl);
        out(g, "h += (unsigned)deep(");
        gen_expr(g, T_I32, 2, &trap);
        out(g, " & 127);\n");
        return;
    }
    default:
        break;
    }
    indent(g, lvl);
    out(g, "h = h * 31 + ");
    int ty = rand_scalar_type(g);
    e = conv_begin(g, ty, T_U64);
    gen_expr(g, ty, 3, &trap);
    out(g, "%s;\n", e);
}

static void gen_block(gen *g, int lvl, int n)
{
    for (int i = 0; i < n && g->stmt_budget > 0; i++)
        gen_stmt(g, lvl);
}

/* Local declarations, all initialized. */
static void gen_locals(gen *g, int is_pure)
{
    int nl = 1 + (int)pick(g, 5);
    for (int i = 0; i < nl; i++) {
        int ty = rand_scalar_type(g);
        pf_obj *o = add_obj(g, K_SCALAR, ty, 0, 0);
        if (!o)
            return;
        o->addressable = chance(g, 20);
        out(g, "    %s %s = ", tname[ty], o->name);
        int t = 0;
        o->hidden = 1; /* not readable in its own initializer */
        gen_expr(g, ty, 2, &t);
        o->hidden = 0;
        out(g, ";\n");
        if (o->addressable)
            out(g, "    (void)&%s;\n", o->name);
    }
    if (chance(g, 50)) {
        int ty = rand_int_type(g);
        if (chance(g, 30))
            ty = pick(g, 2) ? T_F32 : T_F64;
        int n = 1 << pick(g, 5);
        pf_obj *o = add_obj(g, K_ARRAY, ty, n, 0);
        if (o) {
            out(g, "    %s %s[%d] = {", tname[ty], o->name, n);
            int k = 1 + (int)pick(g, (unsigned)n);
            for (int i = 0; i < k; i++) {
                out(g, i ? ", " : " ");
                gen_const(g, ty);
            }
            out(g, " };\n");
            if (chance(g, 50)) {
                pf_obj *p = add_obj(g, K_PTR, ty, n, 0);
                if (p)
                    out(g, "    %s *%s = %s;\n", tname[ty], p->name, o->name);
            }
        }
    }
    if (chance(g, 35)) {
        pf_obj *o = add_obj(g, K_STRUCT, 0, 0, 0);
        if (o) {
            out(g, "    struct S %s;\n    memset(&%s, 0, sizeof %s);\n", o->name, o->name, o->name);
            if (chance(g, 40)) {
                pf_obj *p = add_obj(g, K_SPTR, 0, 0, 0);
                if (p)
                    out(g, "    struct S *%s = &%s;\n", p->name, o->name);
            }
        }
    }
    /* pointers to global arrays and structs */
    for (int i = 0; i < g->nglob && chance(g, 15); i++) {
        const pf_obj *go = &g->obj[pick(g, (unsigned)g->nglob)];
        if (go->kind == K_ARRAY && go->ty != T_BOOL) {
            pf_obj *p = add_obj(g, K_PTR, go->ty, go->n, 0);
            if (p)
                out(g, "    %s *%s = %s;\n", tname[go->ty], p->name, go->name);
        } else if (go->kind == K_SARRAY && !is_pure) {
            pf_obj *p = add_obj(g, K_SPTR, 0, 0, 0);
            if (p)
                out(g, "    struct S *%s = &%s[%u];\n", p->name, go->name, pick(g, (unsigned)go->n));
        }
    }
}

static void gen_function(gen *g, int k)
{
    pf_func *f = &g->fn[k];
    g->cur = k;
    int save = g->nobj;
    out(g, "static %s fn%d(int d", f->ret < 0 ? "void" : tname[f->ret], k);
    for (int i = 0; i < f->np; i++) {
        pf_obj *o = add_obj(g, K_SCALAR, f->pt[i], 0, 0);
        if (!o)
            break;
        o->ro = chance(g, 30);
        out(g, ", %s %s", tname[f->pt[i]], o->name);
    }
    out(g, ")\n{\n    unsigned long long h = %u;\n", pick(g, 1000));
    out(g, "    if (fuel == 0)\n        return%s;\n    fuel--;\n",
        f->ret < 0 ? "" : f->ret == T_BOOL ? " 1" : " (h & 127)");
    if (chance(g, 20))
        out(g, "    %s();\n", chance(g, 50) ? "pf_nothing" : "pf_return");
    gen_locals(g, f->pure);
    g->stmt_budget = 3 + (int)pick(g, 12);
    g->iter_mult = 1;
    gen_block(g, 1, 50);
    if (f->ret >= 0) {
        out(g, "    return ");
        int t = 0;
        if (chance(g, 50)) {
            const char *e = conv_begin(g, T_U64, f->ret);
            out(g, "h%s;\n", e);
        } else {
            out(g, "(%s)(h + ", tname[f->ret]);
            gen_expr(g, f->ret, 3, &t);
            out(g, ");\n");
        }
    } else {
        out(g, "    gv_sink += h;\n");
    }
    out(g, "}\n\n");
    g->nobj = save;
}

static const char prelude[] =
    "#include <string.h>\n"
    /* functions without registers: empty bodies once crashed the JIT */
    "static void pf_nothing(void) { }\n"
    "static void pf_return(void) { return; }\n"
    "#ifdef KP_NATIVE\n"
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "static void n_dump(void);\n"
    "static void n_trap(const char *w, int line) { printf(\"trap %s %d\\n\", w, line); n_dump(); exit(0); }\n"
    "static unsigned n_ix(unsigned v, unsigned n, int line) { if (v >= n) n_trap(\"KP_TRAP_MEMORY\", line); return v; }\n"
    "#define NDIV(N, T, MIN) \\\n"
    "static T n_div##N(T a, T b, int line) { if (b == 0 || (MIN && a == (T)MIN && b == (T)-1)) n_trap(\"KP_TRAP_DIV\", line); return a / b; } \\\n"
    "static T n_rem##N(T a, T b, int line) { if (b == 0 || (MIN && a == (T)MIN && b == (T)-1)) n_trap(\"KP_TRAP_DIV\", line); return a % b; }\n"
    "NDIV(S32, int, (-0x7fffffff - 1))\n"
    "NDIV(U32, unsigned, 0)\n"
    "NDIV(S64, long long, (-0x7fffffffffffffffLL - 1))\n"
    "NDIV(U64, unsigned long long, 0)\n"
    "static int n_f2i32(double x) { return x != x || x >= 2147483648.0 || x <= -2147483649.0 ? (-0x7fffffff - 1) : (int)x; }\n"
    "static long long n_f2i64(double x) { return x != x || x >= 9223372036854775808.0 || x < -9223372036854775808.0 ? (-0x7fffffffffffffffLL - 1) : (long long)x; }\n"
    "static unsigned long long n_f2u64(double x) { return x < 9223372036854775808.0 ? (unsigned long long)n_f2i64(x) : (unsigned long long)n_f2i64(x - 9223372036854775808.0) ^ 0x8000000000000000ULL; }\n"
    "#define IX(e, n, c) n_ix((unsigned)(e), (n), __LINE__)\n"
    "#define DIVS32(a, b) n_divS32((a), (b), __LINE__)\n"
    "#define DIVU32(a, b) n_divU32((a), (b), __LINE__)\n"
    "#define DIVS64(a, b) n_divS64((a), (b), __LINE__)\n"
    "#define DIVU64(a, b) n_divU64((a), (b), __LINE__)\n"
    "#define REMS32(a, b) n_remS32((a), (b), __LINE__)\n"
    "#define REMU32(a, b) n_remU32((a), (b), __LINE__)\n"
    "#define REMS64(a, b) n_remS64((a), (b), __LINE__)\n"
    "#define REMU64(a, b) n_remU64((a), (b), __LINE__)\n"
    "#define SHL(a, b, m) ((a) << ((b) & (m)))\n"
    "#define SHR(a, b, m) ((a) >> ((b) & (m)))\n"
    "#define F2I32(x) n_f2i32((double)(x))\n"
    "#define F2U32(x) ((unsigned)n_f2i64((double)(x)))\n"
    "#define F2I64(x) n_f2i64((double)(x))\n"
    "#define F2U64(x) n_f2u64((double)(x))\n"
    "#else\n"
    "#define IX(e, n, c) ((unsigned)(e) < (n) ? (unsigned)(e) : (c) + ((unsigned)(e) & 0xffffu))\n"
    "#define DIVS32(a, b) ((a) / (b))\n"
    "#define DIVU32(a, b) ((a) / (b))\n"
    "#define DIVS64(a, b) ((a) / (b))\n"
    "#define DIVU64(a, b) ((a) / (b))\n"
    "#define REMS32(a, b) ((a) % (b))\n"
    "#define REMU32(a, b) ((a) % (b))\n"
    "#define REMS64(a, b) ((a) % (b))\n"
    "#define REMU64(a, b) ((a) % (b))\n"
    "#define SHL(a, b, m) ((a) << (b))\n"
    "#define SHR(a, b, m) ((a) >> (b))\n"
    "#define F2I32(x) ((int)(x))\n"
    "#define F2U32(x) ((unsigned)(x))\n"
    "#define F2I64(x) ((long long)(x))\n"
    "#define F2U64(x) ((unsigned long long)(x))\n"
    "#endif\n\n";

static void gen_program(gen *g)
{
    out(g, "/* generated by tests/fuzz/progfuzz.c */\n%s", prelude);
    /* the struct: members sorted by alignment, padded by hand */
    g->nfields = 2 + (int)pick(g, 6);
    for (int i = 0; i < g->nfields; i++) {
        int ty = rand_scalar_type(g);
        g->fields[i].ty = ty;
        g->fields[i].arrn = chance(g, 25) ? 1 << (1 + pick(g, 3)) : 0;
        if (ty == T_BOOL)
            g->struct_has_bool = 1;
    }
    out(g, "struct S {\n");
    int size = 0, maxal = 1, order[MAX_FIELDS], no = 0;
    for (int al = 8; al >= 1; al /= 2) {
        for (int i = 0; i < g->nfields; i++) {
            if (tsize[g->fields[i].ty] != al)
                continue;
            if (al > maxal)
                maxal = al;
            order[no++] = i;
            out(g, "    %s %s", tname[g->fields[i].ty], fieldname(i));
            if (g->fields[i].arrn)
                out(g, "[%d]", g->fields[i].arrn);
            out(g, ";\n");
            size += al * (g->fields[i].arrn ? g->fields[i].arrn : 1);
        }
    }
    for (int p = 0; size % maxal; p++, size++)
        out(g, "    unsigned char pad%d;\n", p);
    g->ssize = size;
    out(g, "};\n\n");

    /* globals */
    g->nobj = 0;
    pf_obj *fuel = add_obj(g, K_SCALAR, T_U32, 0, 1);
    snprintf(fuel->name, sizeof fuel->name, "fuel");
    fuel->ro = 1;
    fuel->hidden = 1; /* calls change it: reading it would depend on order */
    out(g, "static unsigned fuel = %u;\n", 200 + pick(g, 3000));
    pf_obj *sink = add_obj(g, K_SCALAR, T_U64, 0, 1);
    snprintf(sink->name, sizeof sink->name, "gv_sink");
    out(g, "unsigned long long gv_sink;\n");
    int ns = 2 + (int)pick(g, 7);
    for (int i = 0; i < ns; i++) {
        int ty = rand_scalar_type(g);
        pf_obj *o = add_obj(g, K_SCALAR, ty, 0, 1);
        o->addressable = 1;
        out(g, "%s%s %s", pick(g, 2) ? "static " : "", tname[ty], o->name);
        if (chance(g, 70)) {
            int t = 0;
            out(g, " = ");
            gen_const(g, ty);
            (void)t;
        }
        out(g, ";\n");
    }
    int na = 1 + (int)pick(g, 3);
    for (int i = 0; i < na; i++) {
        int ty = rand_scalar_type(g);
        if (ty == T_BOOL)
            ty = T_U8;
        int n = 1 << pick(g, 5);
        pf_obj *o = add_obj(g, K_ARRAY, ty, n, 1);
        out(g, "%s %s[%d]", tname[ty], o->name, n);
        if (chance(g, 60)) {
            int k = 1 + (int)pick(g, (unsigned)n);
            out(g, " = {");
            for (int j = 0; j < k; j++) {
                out(g, j ? ", " : " ");
                gen_const(g, ty);
            }
            out(g, " }");
        }
        out(g, ";\n");
    }
    if (chance(g, 70)) {
        pf_obj *o = add_obj(g, K_STRUCT, 0, 0, 1);
        out(g, "struct S %s;\n", o->name);
    }
    if (chance(g, 70) || g->pos >= g->n) {
        int n = 1 << (1 + pick(g, 2));
        pf_obj *o = add_obj(g, K_SARRAY, 0, n, 1);
        out(g, "static struct S %s[%d]", o->name, n);
        if (chance(g, 50)) {
            /* positional: in declaration order */
            out(g, " = { { ");
            for (int j = 0; j < no; j++) {
                int i = order[j];
                if (j)
                    out(g, ", ");
                if (g->fields[i].arrn) {
                    out(g, "{ ");
                    gen_const(g, g->fields[i].ty);
                    out(g, " }");
                } else {
                    gen_const(g, g->fields[i].ty);
                }
            }
            out(g, " } }");
        }
        out(g, ";\n");
    }
    g->nglob = g->nobj;
    out(g, "\n");

    /* struct functions: a struct by value in, one out (hidden result
     * pointer), both copies */
    g->nsf = (int)pick(g, 3);
    g->nfn = 0;
    for (int k = 0; k < g->nsf && !g->oom; k++) {
        int save = g->nobj;
        g->fn[0].pure = 1;
        g->fn[0].fp = 1; /* keeps fptab out */
        g->fn[0].ret = T_I32;
        g->cur = 0; /* pure: writes only its locals (the copy `a`) */
        out(g, "static struct S sf%d(int d, struct S a, int k)\n{\n", k);
        pf_obj *a = add_obj(g, K_STRUCT, 0, 0, 0);
        pf_obj *kk = add_obj(g, K_SCALAR, T_I32, 0, 0);
        if (!a || !kk)
            break;
        snprintf(a->name, sizeof a->name, "a");
        snprintf(kk->name, sizeof kk->name, "k");
        kk->ro = 1;
        int n = 1 + (int)pick(g, 4);
        for (int i = 0; i < n; i++) {
            int trap = 0;
            int f = (int)pick(g, (unsigned)g->nfields);
            out(g, "    a.%s", fieldname(f));
            if (g->fields[f].arrn) {
                out(g, "[");
                gen_index(g, g->fields[f].arrn, tsize[g->fields[f].ty], 2, &trap);
                out(g, "]");
            }
            out(g, " = ");
            gen_expr(g, g->fields[f].ty, 3, &trap);
            out(g, ";\n");
        }
        out(g, "    return a;\n}\n\n");
        g->nobj = save;
    }
    g->nfn = 0;
    g->cur = -1;
    if (!g->native)
        out(g, "static int deep(int n) { return n <= 0 ? 0 : 1 + deep(n - 1); }\n\n");

    /* functions: signatures first (fn k calls fn j < k, and itself) */
    g->nfn = 1 + (int)pick(g, MAX_FN);
    g->nfp = 0;
    for (int k = 0; k < g->nfn; k++) {
        pf_func *f = &g->fn[k];
        memset(f, 0, sizeof *f);
        f->pure = chance(g, 50);
        if (g->nfp < 3 && chance(g, 25)) {
            f->fp = 1;
            f->pure = 1;
            f->ret = T_I32;
            f->np = 2;
            f->pt[0] = f->pt[1] = T_I32;
            g->nfp++;
            continue;
        }
        f->ret = !f->pure && chance(g, 15) ? -1 : rand_scalar_type(g);
        f->np = (int)pick(g, 9);
        for (int i = 0; i < f->np; i++)
            f->pt[i] = rand_scalar_type(g);
    }
    for (int k = 0; k < g->nfn && !g->oom; k++) {
        /* the table can only name functions defined before it: keep it
         * behind the last fp function, and let only later ones use it */
        if (g->nfp) {
            int last = -1;
            for (int j = 0; j < g->nfn; j++)
                if (g->fn[j].fp)
                    last = j;
            if (k == last + 1) {
                int m[3], nm = 0;
                for (int j = 0; j < g->nfn; j++)
                    if (g->fn[j].fp)
                        m[nm++] = j;
                out(g, "static int (*const fptab[4])(int, int, int) = { fn%d, fn%d, fn%d, fn%d };\n\n",
                    m[0], m[1 % nm], m[2 % nm], m[pick(g, (unsigned)nm)]);
            }
        }
        int save = g->nfp;
        int before = 1;
        for (int j = k; j < g->nfn; j++)
            if (g->fn[j].fp)
                before = 0;
        if (!before)
            g->nfp = 0;
        gen_function(g, k);
        g->nfp = save;
    }
    if (g->nfp) {
        int last = -1;
        for (int j = 0; j < g->nfn; j++)
            if (g->fn[j].fp)
                last = j;
        if (last == g->nfn - 1) {
            int m[3], nm = 0;
            for (int j = 0; j < g->nfn; j++)
                if (g->fn[j].fp)
                    m[nm++] = j;
            out(g, "static int (*const fptab[4])(int, int, int) = { fn%d, fn%d, fn%d, fn%d };\n\n",
                m[0], m[1 % nm], m[2 % nm], m[0]);
        }
    }

    /* the entry */
    g->cur = -1;
    out(g, "unsigned long long kp_main(void)\n{\n    unsigned long long h = 0;\n    int d = %u;\n",
        1 + pick(g, 3));
    int save = g->nobj;
    gen_locals(g, 0);
    g->stmt_budget = 4 + (int)pick(g, 30);
    g->iter_mult = 1;
    gen_block(g, 1, 100);
    /* every function at least once, so each one's code runs */
    for (int k = 0; k < g->nfn; k++) {
        int trap = 0;
        out(g, "    h = h * 31 + ");
        if (g->fn[k].ret < 0) {
            out(g, "1;\n    fn%d", k);
            gen_call_args(g, k, 2, &trap);
            out(g, ";\n");
            continue;
        }
        const char *e = conv_begin(g, g->fn[k].ret, T_U64);
        out(g, "fn%d", k);
        gen_call_args(g, k, 2, &trap);
        out(g, "%s;\n", e);
    }
    out(g, "    return h;\n}\n\n");
    g->nobj = save;

    /* where the globals are, for the host; the same bytes natively */
    pf_prog *p = g->prog;
    p->nglobals = 0;
    out(g, "#ifndef KP_NATIVE\nunsigned kp_gaddr(int i)\n{\n    switch (i) {\n");
    for (int i = 0; i < g->nglob && i < PF_MAX_GLOBALS; i++) {
        const pf_obj *o = &g->obj[i];
        int sz = o->kind == K_SCALAR ? tsize[o->ty]
               : o->kind == K_ARRAY ? tsize[o->ty] * o->n
               : o->kind == K_STRUCT ? g->ssize : g->ssize * o->n;
        p->gsize[p->nglobals++] = (unsigned)sz;
        out(g, "    case %d: return (unsigned)(unsigned long)&%s;\n", i, o->name);
    }
    out(g, "    }\n    return 0;\n}\n#else\nstatic void n_hex(int i, const void *p, unsigned n)\n{\n"
           "    printf(\"g%%d \", i);\n    for (unsigned k = 0; k < n; k++)\n"
           "        printf(\"%%02x\", ((const unsigned char *)p)[k]);\n    printf(\"\\n\");\n}\n"
           "static void n_dump(void)\n{\n");
    for (int i = 0; i < p->nglobals; i++)
        out(g, "    n_hex(%d, &%s, sizeof %s);\n", i, g->obj[i].name, g->obj[i].name);
    out(g, "}\nint main(void)\n{\n    unsigned long long r = kp_main();\n"
           "    printf(\"result %%llx\\n\", r);\n    n_dump();\n    return 0;\n}\n#endif\n");
    p->call_depth = 64;
}

int pf_generate(const uint8_t *data, size_t size, int native_safe, pf_prog *out_prog)
{
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return -1;
    memset(out_prog, 0, sizeof *out_prog);
    g->d = data;
    g->n = size;
    g->native = native_safe;
    g->prog = out_prog;
    gen_program(g);
    if (g->oom) {
        free(g->buf);
        free(g);
        return -1;
    }
    out_prog->src = g->buf;
    out_prog->len = g->len;
    free(g);
    return 0;
}

void pf_free(pf_prog *p)
{
    free(p->src);
    p->src = NULL;
}

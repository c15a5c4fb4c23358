/*
 * lower.h — internals of the lowering (AST -> IR), shared by
 *   lower.c       the driver, emission, values and folding, conversions,
 *                 the data image, globals, imports, block clean-up
 *   lower_expr.c  lvalues, loads/stores, bit-fields, operators, conditions,
 *                 calls, expressions, initializers of locals
 *   lower_stmt.c  statements and loops
 * See lower.c for the conventions of the generated IR.
 */
#ifndef KP_LOWER_H
#define KP_LOWER_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../include/kplug.h"
#include "ast.h"

/* ---- small maps: (bytes, len) -> u32, open addressing in the ctx arena ---- */

typedef struct lw_ent {
    const char *k;
    uint32_t n, v;
} lw_ent;

typedef struct lw_map {
    lw_ent *e;
    uint32_t cap, cnt;
} lw_map;

/* ---- the lowering context ---------------------------------------------- */

typedef struct lw_loop {
    const ast_stmt *s;
    uint32_t brk, cont;
} lw_loop;

enum { LOC_NONE, LOC_REG, LOC_FRAME, LOC_IND };            /* SYM_LOCAL lw_done */
enum { FN_NONE, FN_LOCAL, FN_IMPORT, FN_RTLIB, FN_BAD };    /* SYM_FUNC lw_done */

/* A pure instruction of the current block whose result is still valid
 * (local value numbering: addresses and index arithmetic recur a lot). */
typedef struct lw_cse {
    uint64_t key;     /* cse_key: op, type, stype and a in one word; 0: free */
    ir_reg b, dst;
    int64_t imm;
} lw_cse;

#define LW_CSE 32

typedef struct lw {
    fe_ctx *cx;
    const ast_unit *u;
    ir_module *m;
    int stop;
    /* data image: globals [0, gsize), then from lbase the literals and
       constant images met while lowering (built apart, joined at the end) */
    uint32_t gsize, lbase, dalign;
    uint8_t *lit;
    uint32_t lsize, lcap;
    uint8_t *img;           /* the final image, while globals are written */
    ir_reloc *rel;
    uint32_t nrel, relcap;
    ir_import *imp;
    uint32_t nimp, impcap;
    lw_map lits, fnames, gnames, inames;
    /* current function */
    ir_func *f;
    const ast_func *af;
    uint32_t cur;
    int dead;               /* no open block: the next insn starts a fresh one */
    uint32_t *seq;          /* blocks in the order they were started */
    uint32_t nseq, seqcap;
    uint8_t *started;       /* per block: placed yet? */
    uint8_t *priv;          /* per block: only the branch made with it targets it */
    uint32_t *npred, *lastpred; /* per block: edges into it so far, and the last source */
    uint32_t startcap, privcap, npredcap, lastcap;
    ir_reg sret;
    const ctype *ret;
    lw_loop *loops;
    uint32_t nloops, loopcap;
    uint8_t file;
    uint32_t line, col;
    lw_cse cse[LW_CSE];
    uint32_t cse_next;      /* entries [0, min(cse_next, LW_CSE)) are in use */
    ir_reg cse_hi;          /* no entry mentions a register above this one */
    ir_reg cse_pinned;      /* handed out again by value numbering: keep its def */
} lw;

typedef struct val {
    ir_reg r;
    uint8_t t;      /* ir_type (IR_VOID for no value) */
    uint8_t k;      /* constant, not materialized */
    uint8_t fresh;  /* r is a single-use temp defined by the last insn */
    int64_t i;
    double f;
} val;

enum { LV_REG = 1, LV_MEM = 2 };

typedef struct lval {
    int k;
    ir_reg r;        /* LV_REG: the variable; LV_MEM: the base address */
    int64_t disp;
    const ctype *ty;
    uint8_t bfw, bfo; /* bit-field width (0: none) and LSB offset */
} lval;

typedef struct tcls {
    uint8_t t;     /* ir_type of the register */
    uint8_t bits;  /* value bits: 1 (_Bool), 8, 16, 32, 64 */
    uint8_t uns;
    uint8_t flt;
} tcls;

/* ---- small helpers ---------------------------------------------------- */

static inline int64_t wrap(int t, int64_t x) { return t == IR_I32 ? (int64_t)(int32_t)(uint32_t)x : x; }

static inline val vk_i(int t, int64_t i)
{
    val v = {0};
    v.t = (uint8_t)t;
    v.k = 1;
    v.i = t == IR_I32 ? (int64_t)(int32_t)(uint32_t)i : i;
    return v;
}

static inline val vk_f(int t, double f)
{
    val v = {0};
    v.t = (uint8_t)t;
    v.k = 1;
    v.f = t == IR_F32 ? (double)(float)f : f;
    return v;
}

static inline val vk_zero(int t)
{
    return (t == IR_F32 || t == IR_F64) ? vk_f(t, 0.0) : vk_i(t ? t : IR_I32, 0);
}

static inline val vr(ir_reg r, int t)
{
    val v = {0};
    v.r = r;
    v.t = (uint8_t)t;
    return v;
}

static inline val vvoid(void)
{
    val v = {0};
    return v;
}

static inline int is_cmp(int op) { return op >= IR_EQ && op <= IR_GEU; }

static inline tcls tc(const ctype *ty)
{
    tcls c = {IR_I32, 32, 0, 0};
    if (!ty)
        return c;
    switch (ty->kind) {
    case TY_VOID: c.t = IR_VOID; break;
    case TY_BOOL: c.bits = 1; c.uns = 1; break;
    case TY_CHAR: case TY_SCHAR: c.bits = 8; break;
    case TY_UCHAR: c.bits = 8; c.uns = 1; break;
    case TY_SHORT: c.bits = 16; break;
    case TY_USHORT: c.bits = 16; c.uns = 1; break;
    case TY_INT: case TY_ENUM: break;
    case TY_UINT: c.uns = 1; break;
    case TY_LONG: case TY_LLONG: c.t = IR_I64; c.bits = 64; break;
    case TY_ULONG: case TY_ULLONG: c.t = IR_I64; c.bits = 64; c.uns = 1; break;
    case TY_FLOAT: c.t = IR_F32; c.flt = 1; break;
    case TY_DOUBLE: case TY_LDOUBLE: c.t = IR_F64; c.bits = 64; c.flt = 1; break;
    default: c.uns = 1; break; /* pointers, and addresses of aggregates/functions */
    }
    return c;
}

static inline int is_aggr(const ctype *t)
{
    return t && (t->kind == TY_STRUCT || t->kind == TY_UNION || t->kind == TY_ARRAY);
}

static inline int is_su(const ctype *t) { return t && (t->kind == TY_STRUCT || t->kind == TY_UNION); }

static inline int is_fnty(const ctype *t)
{
    return t && (t->kind == TY_FUNC || (t->kind == TY_PTR && t->base && t->base->kind == TY_FUNC));
}

static inline const ctype *fn_type(const ctype *t)
{
    if (t && t->kind == TY_PTR)
        t = t->base;
    return t && t->kind == TY_FUNC ? t : NULL;
}

/* fe_enter/fe_leave with the common case inline (once per expression) */
static inline int lw_enter(fe_ctx *cx, unsigned file, int line, int col)
{
    unsigned max = cx->opts.max_nesting ? cx->opts.max_nesting : 256;
    if (cx->depth < max && !fe_stack_low(cx) && --cx->poll_left) {
        cx->depth++;
        return 1;
    }
    return fe_enter(cx, file, line, col);
}

static inline void lw_leave(fe_ctx *cx)
{
    if (cx->depth)
        cx->depth--;
}

/* lower.c */
ir_reg lw_regof_slow(lw *L, val v);
/* The register of v: inline when it already has one (most values). */
static inline ir_reg lw_regof(lw *L, val v)
{
    return !v.k && v.r ? v.r : lw_regof_slow(L, v);
}
uint32_t lw_blk_new(lw *L);
uint32_t lw_blk_priv(lw *L);
void lw_blk_start(lw *L, uint32_t b);
val lw_conv(lw *L, val v, const ctype *from, const ctype *to);
void lw_cse_kill(lw *L, ir_reg r);
ir_insn *lw_emit(lw *L, ir_insn *in);
val lw_emit_dst(lw *L, ir_insn *in, int t);
void lw_emit_jmp(lw *L, uint32_t b);
int64_t lw_f2i_s(double x, int t);
int64_t lw_f2i_u(double x, int t);
int lw_func_ref(lw *L, csym *s);
uint32_t lw_global_off(lw *L, csym *s);
void *lw_grow_slow(lw *L, void *p, uint32_t *cap, uint32_t need, size_t elt);
/* p (of *cap elements of elt bytes) with room for `need`; NULL on failure */
static inline void *lw_grow(lw *L, void *p, uint32_t *cap, uint32_t need, size_t elt)
{
    return need <= *cap ? p : lw_grow_slow(L, p, cap, need, elt);
}
/* "internal error: ..." at the current position; lowering stops. */
void lw_ierr(lw *L, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void lw_img_scalar(uint8_t *buf, uint32_t off, const ctype *ty, uint8_t bw, uint8_t bo,
                   int64_t iv, double fv, int isf);
uint32_t lw_lit_intern(lw *L, const char *bytes, uint32_t n, uint32_t align);
val lw_narrow(lw *L, val v, tcls d);
void lw_nomem(lw *L);
ir_reg lw_newreg_slow(lw *L, int t);
/* A fresh register of ir_type t (1 once stopped). Inline: one per value. */
static inline ir_reg lw_newreg(lw *L, int t)
{
    ir_func *f = L->f;
    if (!f || L->stop)
        return lw_newreg_slow(L, t);
    ir_reg r = ir_reg_new(L->m, f, (ir_type)t);
    if (!r) {
        lw_nomem(L);
        return 1;
    }
    return r;
}
val lw_op1(lw *L, int op, int t, int st, val a);
val lw_op2(lw *L, int op, int t, val a, val b);
int lw_sig_of(lw *L, const ctype *ft, ir_sig *s, int *sret);
val lw_truth(lw *L, val v);
void lw_write_reg(lw *L, ir_reg var, val v);
/* lower_expr.c */
void lw_cond(lw *L, const ast_expr *e, uint32_t T, uint32_t F);
void lw_emit_copy(lw *L, ir_reg dst, ir_reg src, uint32_t size);
ir_reg lw_frame_addr(lw *L, uint32_t off);
uint32_t lw_frame_alloc(lw *L, uint32_t size, uint32_t align);
void lw_init_local(lw *L, csym *s);
void lw_local_storage(lw *L, csym *s, int force_mem);
val lw_lower_expr(lw *L, const ast_expr *e);
void lw_lower_void(lw *L, const ast_expr *e);
val lw_store(lw *L, const lval *lv, val v, int need);
/* lower_stmt.c */
void lw_default_ret(lw *L);
void lw_lower_stmt(lw *L, const ast_stmt *s);

#endif /* KP_LOWER_H */

/*
 * lower.c — the checked, typed AST (ast.h) -> an ir_module (ir.h).
 *
 *   fe_lower
 *     declare_funcs    one ir_func per definition, created up front so that a
 *                      call to a later function already has its index
 *     layout_globals   offsets of every defined global (source order); the
 *                      string literals and constant images of local
 *                      initializers go after them, deduplicated
 *     lower_func       per function: parameters, statements, expressions
 *       reorder_blocks blocks renumbered in the order code was placed: the
 *                      layout follows the source
 *       simplify_cfg   jumps to jump-only blocks threaded, a block that is
 *                      the only successor-and-predecessor pair merged,
 *                      unreachable blocks dropped
 *     finish           the data image (written once, at its final size),
 *                      relocations and imports, into the module's arena
 *
 * Values. lower_expr returns a `val`: either a constant that is not yet in
 * a register, or a register. Operations on constants fold (exactly the IR
 * semantics; a division that would trap is left for run time), constants
 * go to the right of commutative operations, and a constant becomes a
 * CONST right before the instruction that uses it, which is where a
 * single-pass JIT looks to fuse it as an immediate. Pure instructions are
 * value-numbered within a block and into the blocks it alone branches to
 * (addresses like &p[i] recur in conditions and bodies). Conditions
 * branch directly (no 0/1 is made for if/while/?:/&&/||), member offsets
 * and constant indices become load/store displacements, and a value
 * assigned to a register variable is computed straight into it.
 *
 * Loops: while and for test at the top and again in the latch, which
 * branches back to the body (a back-edge): one branch per iteration. The
 * repeated test is small (see small_cond); other loops jump back to the
 * test. Every cycle has a back-edge in any case (ir.h).
 *
 * Invariant: a register holding a C value of a type narrower than int is
 * normalized (char/short sign-extended, unsigned char/short/_Bool
 * zero-extended), so loads, stores and register locals always agree.
 * Parameters and results of calls leaving the module are normalized again
 * on arrival, since a host need not have done it.
 *
 * Locals. A scalar local whose address is never taken is one register;
 * everything else gets a frame slot. An uninitialized register local is set
 * to 0 where it is declared, so that both engines are deterministic.
 * A struct/union parameter is used in place: its register points to the
 * caller's copy. Aggregates with at least three constant initializer
 * entries are copied from a constant image in the data.
 */
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
    uint8_t op, type, stype;
    ir_reg a, b, dst; /* dst 0: free entry */
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
    uint32_t cse_next;
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

static const ctype ty_int = {.kind = TY_INT, .size = 4, .align = 4};

/* ---- errors --------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void ierr(lw *L, const char *fmt, ...)
{
    if (L->stop)
        return;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
             "internal error: %s", buf);
    L->stop = 1;
}

static void nomem(lw *L)
{
    if (!L->stop)
        fe_nomem(L->cx);
    L->stop = 1;
}

static int failed(lw *L)
{
    if (!L->stop && (L->cx->arena.failed || L->m->arena.failed))
        nomem(L);
    if (!L->stop && fe_should_stop(L->cx))
        L->stop = 1;
    return L->stop;
}

static void *grow(lw *L, void *p, uint32_t *cap, uint32_t need, size_t elt)
{
    if (need <= *cap)
        return p;
    uint32_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > UINT32_MAX / 2) {
            nomem(L);
            return NULL;
        }
        nc *= 2;
    }
    void *q = kp_arena_realloc(&L->cx->arena, p, (size_t)*cap * elt, (size_t)nc * elt);
    if (!q) {
        nomem(L);
        return NULL;
    }
    *cap = nc;
    return q;
}

/* ---- maps ------------------------------------------------------------------ */

static uint32_t hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int map_get(const lw_map *m, const char *k, uint32_t n, uint32_t *v)
{
    if (!m->cap)
        return 0;
    for (uint32_t i = hash(k, n) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const lw_ent *e = &m->e[i];
        if (!e->k)
            return 0;
        if (e->n == n && memcmp(e->k, k, n) == 0) {
            *v = e->v;
            return 1;
        }
    }
}

static void map_put(lw *L, lw_map *m, const char *k, uint32_t n, uint32_t v)
{
    if ((m->cnt + 1) * 2 > m->cap) {
        uint32_t nc = m->cap ? m->cap * 2 : 64;
        lw_ent *ne = kp_arena_alloc(&L->cx->arena, (size_t)nc * sizeof *ne);
        if (!ne) {
            nomem(L);
            return;
        }
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->e[i].k)
                continue;
            uint32_t j = hash(m->e[i].k, m->e[i].n) & (nc - 1);
            while (ne[j].k)
                j = (j + 1) & (nc - 1);
            ne[j] = m->e[i];
        }
        m->e = ne;
        m->cap = nc;
    }
    uint32_t i = hash(k, n) & (m->cap - 1);
    while (m->e[i].k) {
        if (m->e[i].n == n && memcmp(m->e[i].k, k, n) == 0) {
            m->e[i].v = v;
            return;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->e[i].k = k;
    m->e[i].n = n;
    m->e[i].v = v;
    m->cnt++;
}

/* ---- type classes ------------------------------------------------------ */

typedef struct tcls {
    uint8_t t;     /* ir_type of the register */
    uint8_t bits;  /* value bits: 1 (_Bool), 8, 16, 32, 64 */
    uint8_t uns;
    uint8_t flt;
} tcls;

static tcls tc(const ctype *ty)
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

static int is_aggr(const ctype *t)
{
    return t && (t->kind == TY_STRUCT || t->kind == TY_UNION || t->kind == TY_ARRAY);
}

static int is_su(const ctype *t) { return t && (t->kind == TY_STRUCT || t->kind == TY_UNION); }

static int is_fnty(const ctype *t)
{
    return t && (t->kind == TY_FUNC || (t->kind == TY_PTR && t->base && t->base->kind == TY_FUNC));
}

static const ctype *fn_type(const ctype *t)
{
    if (t && t->kind == TY_PTR)
        t = t->base;
    return t && t->kind == TY_FUNC ? t : NULL;
}

/* ---- blocks and emission ---------------------------------------------- */

static uint32_t blk_new(lw *L)
{
    uint32_t b = ir_block_new(L->m, L->f);
    if (b == (uint32_t)-1) {
        nomem(L);
        return 0;
    }
    uint8_t *s = grow(L, L->started, &L->startcap, b + 1, 1);
    uint8_t *pv = s ? grow(L, L->priv, &L->privcap, b + 1, 1) : NULL;
    uint32_t *np = pv ? grow(L, L->npred, &L->npredcap, b + 1, sizeof *np) : NULL;
    uint32_t *lp = np ? grow(L, L->lastpred, &L->lastcap, b + 1, sizeof *lp) : NULL;
    if (!lp)
        return 0;
    L->started = s;
    L->priv = pv;
    L->npred = np;
    L->lastpred = lp;
    s[b] = 0;
    pv[b] = 0;
    np[b] = 0;
    lp[b] = 0;
    return b;
}

/* A block that no code but the branch being built will target: when it
 * is placed right after that branch, values of the block before stay
 * available in it (it is dominated by it). */
static uint32_t blk_priv(lw *L)
{
    uint32_t b = blk_new(L);
    if (!L->stop)
        L->priv[b] = 1;
    return b;
}

static void add_edge(lw *L, uint32_t t)
{
    if (t < L->f->nblocks) {
        L->npred[t]++;
        L->lastpred[t] = L->cur;
    }
}

static ir_insn lw_dummy;

static ir_insn *emit(lw *L, ir_insn *in);

/* Place block b here: code falls through into it from the open block. */
static void blk_start(lw *L, uint32_t b)
{
    if (L->stop)
        return;
    uint32_t prev = L->cur;
    if (!L->dead && !ir_block_terminated(L->f, L->cur)) {
        ir_insn j = {.op = IR_JMP, .t1 = b};
        emit(L, &j);
    }
    if (b >= L->f->nblocks || L->started[b]) {
        ierr(L, "block b%u started twice", b);
        return;
    }
    uint32_t *s = grow(L, L->seq, &L->seqcap, L->nseq + 1, sizeof *s);
    if (!s)
        return;
    L->seq = s;
    s[L->nseq++] = b;
    L->started[b] = 1;
    int keep = L->priv[b] && L->npred[b] == 1 && L->lastpred[b] == prev && L->nseq > 1;
    L->cur = b;
    L->dead = 0;
    if (!keep)
        memset(L->cse, 0, sizeof L->cse);
}

static int cse_pure(int op)
{
    return (op >= IR_ADD && op <= IR_BITCAST && op != IR_DIVS && op != IR_DIVU &&
            op != IR_REMS && op != IR_REMU) ||
           op == IR_FRAME || op == IR_GADDR || op == IR_FADDR;
}

/* Register r was (re)defined: forget what depended on it. */
static void cse_kill(lw *L, ir_reg r)
{
    for (int i = 0; i < LW_CSE; i++) {
        lw_cse *c = &L->cse[i];
        if (c->dst && (c->dst == r || c->a == r || c->b == r))
            c->dst = 0;
    }
}

static void cse_add(lw *L, const ir_insn *in)
{
    if (!cse_pure(in->op) || in->a == in->dst || in->b == in->dst)
        return;
    lw_cse *c = &L->cse[L->cse_next++ % LW_CSE];
    c->op = in->op;
    c->type = in->type;
    c->stype = in->stype;
    c->a = in->a;
    c->b = in->b;
    c->imm = in->imm;
    c->dst = in->dst;
}

static ir_reg cse_find(const lw *L, const ir_insn *in)
{
    for (int i = 0; i < LW_CSE; i++) {
        const lw_cse *c = &L->cse[i];
        if (c->dst && c->op == in->op && c->type == in->type && c->stype == in->stype &&
            c->a == in->a && c->b == in->b && c->imm == in->imm)
            return c->dst;
    }
    return 0;
}

static ir_insn *emit(lw *L, ir_insn *in)
{
    if (!L->f)
        ierr(L, "code outside a function");
    if (L->stop)
        return &lw_dummy;
    if (L->dead)
        blk_start(L, blk_new(L)); /* unreachable code still gets a well-formed block */
    if (L->stop)
        return &lw_dummy;
    if (!in->line) {
        in->line = L->line;
        in->col = L->col;
    }
    ir_insn *p = ir_emit(L->m, L->f, L->cur, in);
    if (!p) {
        nomem(L);
        return &lw_dummy;
    }
    if (in->dst) {
        cse_kill(L, in->dst);
        cse_add(L, in);
    }
    if (ir_is_terminator(in->op)) {
        L->dead = 1;
        if (in->op == IR_JMP) {
            add_edge(L, in->t1);
        } else if (in->op == IR_BR) {
            add_edge(L, in->t1);
            add_edge(L, in->t2);
        } else if (in->op == IR_SWITCH) {
            add_edge(L, in->t1);
            for (uint32_t i = 0; i < in->nargs; i++)
                add_edge(L, in->cases[i].block);
        }
    }
    return p;
}

static ir_reg newreg(lw *L, int t)
{
    if (!L->f)
        ierr(L, "register outside a function");
    if (L->stop)
        return 1;
    ir_reg r = ir_reg_new(L->m, L->f, (ir_type)t);
    if (!r) {
        nomem(L);
        return 1;
    }
    return r;
}

static void emit_jmp(lw *L, uint32_t b)
{
    ir_insn j = {.op = IR_JMP, .t1 = b};
    emit(L, &j);
}

/* ---- values ------------------------------------------------------------ */

static val vk_i(int t, int64_t i)
{
    val v = {0};
    v.t = (uint8_t)t;
    v.k = 1;
    v.i = t == IR_I32 ? (int64_t)(int32_t)(uint32_t)i : i;
    return v;
}

static val vk_f(int t, double f)
{
    val v = {0};
    v.t = (uint8_t)t;
    v.k = 1;
    v.f = t == IR_F32 ? (double)(float)f : f;
    return v;
}

static val vk_zero(int t)
{
    return (t == IR_F32 || t == IR_F64) ? vk_f(t, 0.0) : vk_i(t ? t : IR_I32, 0);
}

static val vr(ir_reg r, int t)
{
    val v = {0};
    v.r = r;
    v.t = (uint8_t)t;
    return v;
}

static val vvoid(void)
{
    val v = {0};
    return v;
}

/* The register of v, emitting the CONST of a constant here. */
static ir_reg R(lw *L, val v)
{
    if (!v.k)
        return v.r ? v.r : newreg(L, v.t ? v.t : IR_I32);
    int t = v.t ? v.t : IR_I32;
    ir_insn in = {.op = IR_CONST, .type = (uint8_t)t, .dst = newreg(L, t)};
    if (t == IR_F32 || t == IR_F64)
        in.fimm = v.f;
    else
        in.imm = v.i;
    emit(L, &in);
    return in.dst;
}

/* Emit `in` with a fresh destination of type t and return it as a value. */
static val emit_dst(lw *L, ir_insn *in, int t)
{
    if (cse_pure(in->op) && !L->dead && !L->stop) {
        ir_reg r = cse_find(L, in);
        if (r) {
            L->cse_pinned = r;
            return vr(r, t);
        }
    }
    in->dst = newreg(L, t);
    emit(L, in);
    val v = vr(in->dst, t);
    v.fresh = 1;
    return v;
}

/* Assign v to register var (of the same type), avoiding a MOV when v was
 * just computed into a temp. */
static void write_reg(lw *L, ir_reg var, val v)
{
    if (L->stop)
        return;
    int t = L->f->reg_types[var];
    if (v.k) {
        ir_insn in = {.op = IR_CONST, .type = (uint8_t)t, .dst = var};
        if (t == IR_F32 || t == IR_F64)
            in.fimm = t == v.t ? v.f : (double)v.i;
        else
            in.imm = v.i;
        emit(L, &in);
        return;
    }
    if (v.r == var)
        return;
    if (v.t != t) {
        ierr(L, "register assignment of %s to %s", ir_type_name(v.t), ir_type_name(t));
        return;
    }
    ir_block *b = &L->f->blocks[L->cur];
    if (v.fresh && !L->dead && b->ninsns && b->insns[b->ninsns - 1].dst == v.r &&
        v.r != L->cse_pinned &&
        v.r == L->f->nregs - 1 && !ir_is_terminator(b->insns[b->ninsns - 1].op)) {
        ir_insn *last = &b->insns[b->ninsns - 1];
        last->dst = var;
        L->f->nregs--; /* the temp was the last register made, and is now unused */
        cse_kill(L, v.r);
        cse_kill(L, var);
        cse_add(L, last);
        return;
    }
    ir_insn in = {.op = IR_MOV, .type = (uint8_t)t, .dst = var, .a = v.r};
    emit(L, &in);
}

/* ---- constant folding (exactly the IR semantics) ---------------------- */

static int64_t wrap(int t, int64_t x) { return t == IR_I32 ? (int64_t)(int32_t)(uint32_t)x : x; }

static int64_t f2i_s(double x, int t)
{
    if (t == IR_I32) {
        if (!(x > -2147483649.0 && x < 2147483648.0))
            return INT32_MIN;
        return (int32_t)x;
    }
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)x;
}

static int64_t f2i_u(double x, int t)
{
    if (t == IR_I32)
        return (int32_t)(uint32_t)(uint64_t)f2i_s(x, IR_I64);
    if (x < 9223372036854775808.0)
        return f2i_s(x, IR_I64);
    return (int64_t)((uint64_t)f2i_s(x - 9223372036854775808.0, IR_I64) ^ 0x8000000000000000ull);
}

static int is_cmp(int op) { return op >= IR_EQ && op <= IR_GEU; }

/* Fold a binary op; 0 if it must be left to run time. */
static int fold2(int op, int t, val a, val b, val *r)
{
    if (t == IR_F32 || t == IR_F64) {
        double x = a.f, y = b.f, z;
        int c;
        if (t == IR_F32) {
            float fx = (float)x, fy = (float)y;
            switch (op) {
            case IR_ADD: *r = vk_f(t, fx + fy); return 1;
            case IR_SUB: *r = vk_f(t, fx - fy); return 1;
            case IR_MUL: *r = vk_f(t, fx * fy); return 1;
            case IR_DIVS: *r = vk_f(t, fx / fy); return 1;
            default: break;
            }
        }
        switch (op) {
        case IR_ADD: z = x + y; break;
        case IR_SUB: z = x - y; break;
        case IR_MUL: z = x * y; break;
        case IR_DIVS: z = x / y; break;
        case IR_EQ: c = x == y; goto cmp;
        case IR_NE: c = x != y; goto cmp;
        case IR_LTS: case IR_LTU: c = x < y; goto cmp;
        case IR_LES: case IR_LEU: c = x <= y; goto cmp;
        case IR_GTS: case IR_GTU: c = x > y; goto cmp;
        case IR_GES: case IR_GEU: c = x >= y; goto cmp;
        default: return 0;
        }
        *r = vk_f(t, z);
        return 1;
    cmp:
        *r = vk_i(IR_I32, c);
        return 1;
    }
    int w = t == IR_I32 ? 32 : 64;
    int64_t x = wrap(t, a.i), y = wrap(t, b.i);
    uint64_t ux = t == IR_I32 ? (uint32_t)x : (uint64_t)x;
    uint64_t uy = t == IR_I32 ? (uint32_t)y : (uint64_t)y;
    int64_t mn = t == IR_I32 ? INT32_MIN : INT64_MIN;
    uint64_t z;
    switch (op) {
    case IR_ADD: z = ux + uy; break;
    case IR_SUB: z = ux - uy; break;
    case IR_MUL: z = ux * uy; break;
    case IR_DIVS:
        if (y == 0 || (x == mn && y == -1))
            return 0;
        z = (uint64_t)(x / y);
        break;
    case IR_REMS:
        if (y == 0 || (x == mn && y == -1))
            return 0;
        z = (uint64_t)(x % y);
        break;
    case IR_DIVU:
        if (uy == 0)
            return 0;
        z = ux / uy;
        break;
    case IR_REMU:
        if (uy == 0)
            return 0;
        z = ux % uy;
        break;
    case IR_AND: z = ux & uy; break;
    case IR_OR: z = ux | uy; break;
    case IR_XOR: z = ux ^ uy; break;
    case IR_SHL: z = ux << (uy & (uint64_t)(w - 1)); break;
    case IR_SHRU: z = ux >> (uy & (uint64_t)(w - 1)); break;
    case IR_SHRS: z = (uint64_t)(x >> (uy & (uint64_t)(w - 1))); break;
    case IR_EQ: *r = vk_i(IR_I32, x == y); return 1;
    case IR_NE: *r = vk_i(IR_I32, x != y); return 1;
    case IR_LTS: *r = vk_i(IR_I32, x < y); return 1;
    case IR_LES: *r = vk_i(IR_I32, x <= y); return 1;
    case IR_GTS: *r = vk_i(IR_I32, x > y); return 1;
    case IR_GES: *r = vk_i(IR_I32, x >= y); return 1;
    case IR_LTU: *r = vk_i(IR_I32, ux < uy); return 1;
    case IR_LEU: *r = vk_i(IR_I32, ux <= uy); return 1;
    case IR_GTU: *r = vk_i(IR_I32, ux > uy); return 1;
    case IR_GEU: *r = vk_i(IR_I32, ux >= uy); return 1;
    default: return 0;
    }
    *r = vk_i(t, (int64_t)z);
    return 1;
}

static int fold1(int op, int t, int st, val a, val *r)
{
    int64_t x = a.i;
    switch (op) {
    case IR_NEG:
        if (t == IR_F32 || t == IR_F64)
            *r = vk_f(t, -a.f);
        else
            *r = vk_i(t, (int64_t)(0 - (uint64_t)x));
        return 1;
    case IR_NOT: *r = vk_i(t, ~x); return 1;
    case IR_SEXT8: *r = vk_i(t, (int8_t)x); return 1;
    case IR_ZEXT8: *r = vk_i(t, (uint8_t)x); return 1;
    case IR_SEXT16: *r = vk_i(t, (int16_t)x); return 1;
    case IR_ZEXT16: *r = vk_i(t, (uint16_t)x); return 1;
    case IR_SEXT32: *r = vk_i(t, (int32_t)x); return 1;
    case IR_ZEXT32: *r = vk_i(t, (uint32_t)x); return 1;
    case IR_TRUNC: *r = vk_i(t, (int32_t)(uint32_t)x); return 1;
    case IR_SITOF:
        if (st == IR_I32)
            *r = t == IR_F32 ? vk_f(t, (float)(int32_t)x) : vk_f(t, (double)(int32_t)x);
        else
            *r = t == IR_F32 ? vk_f(t, (float)x) : vk_f(t, (double)x);
        return 1;
    case IR_UITOF:
        if (st == IR_I32)
            *r = t == IR_F32 ? vk_f(t, (float)(uint32_t)x) : vk_f(t, (double)(uint32_t)x);
        else
            *r = t == IR_F32 ? vk_f(t, (float)(uint64_t)x) : vk_f(t, (double)(uint64_t)x);
        return 1;
    case IR_FTOSI: *r = vk_i(t, f2i_s(a.f, t)); return 1;
    case IR_FTOUI: *r = vk_i(t, f2i_u(a.f, t)); return 1;
    case IR_FCVT: *r = vk_f(t, a.f); return 1;
    default: return 0;
    }
}

/* a op b in type t (comparisons: t is the operand type, result I32). */
static val op2(lw *L, int op, int t, val a, val b)
{
    val r;
    if (a.k && b.k && fold2(op, t, a, b, &r))
        return r;
    int ints = t == IR_I32 || t == IR_I64;
    /* identities that keep the other operand as is */
    if (ints && b.k) {
        int64_t y = wrap(t, b.i);
        if (y == 0 && (op == IR_ADD || op == IR_SUB || op == IR_OR || op == IR_XOR ||
                       op == IR_SHL || op == IR_SHRS || op == IR_SHRU))
            return a;
        if (y == 1 && (op == IR_MUL || op == IR_DIVS || op == IR_DIVU))
            return a;
    }
    if (ints && a.k && wrap(t, a.i) == 0 && (op == IR_ADD || op == IR_OR || op == IR_XOR))
        return b;
    /* constants go right, where the engines take immediates */
    if (a.k && !b.k) {
        int sw = 0;
        switch (op) {
        case IR_ADD: case IR_MUL: case IR_AND: case IR_OR: case IR_XOR:
        case IR_EQ: case IR_NE:
            sw = 1;
            break;
        case IR_LTS: op = IR_GTS; sw = 1; break;
        case IR_GTS: op = IR_LTS; sw = 1; break;
        case IR_LES: op = IR_GES; sw = 1; break;
        case IR_GES: op = IR_LES; sw = 1; break;
        case IR_LTU: op = IR_GTU; sw = 1; break;
        case IR_GTU: op = IR_LTU; sw = 1; break;
        case IR_LEU: op = IR_GEU; sw = 1; break;
        case IR_GEU: op = IR_LEU; sw = 1; break;
        default: break;
        }
        if (sw) {
            val x = a;
            a = b;
            b = x;
        }
    }
    int rt = is_cmp(op) ? IR_I32 : t;
    if (!a.k && b.k && cse_pure(op) && !L->dead && !L->stop) {
        /* value-number "a op constant" by the constant, not its register */
        ir_insn key = {.op = (uint8_t)op, .type = (uint8_t)t, .stype = 0xff, .a = a.r};
        if (t == IR_F32 || t == IR_F64)
            memcpy(&key.imm, &b.f, sizeof key.imm);
        else
            key.imm = b.i;
        ir_reg hit = cse_find(L, &key);
        if (hit) {
            L->cse_pinned = hit;
            return vr(hit, rt);
        }
        ir_insn in = {.op = (uint8_t)op, .type = (uint8_t)t, .a = a.r};
        in.b = R(L, b);
        val v = emit_dst(L, &in, rt);
        if (in.dst == v.r && !L->dead) {
            key.dst = v.r;
            cse_add(L, &key);
        }
        return v;
    }
    ir_insn in = {.op = (uint8_t)op, .type = (uint8_t)t};
    in.a = R(L, a);
    in.b = R(L, b);
    return emit_dst(L, &in, rt);
}

static val op1(lw *L, int op, int t, int st, val a)
{
    val r;
    if (a.k && fold1(op, t, st, a, &r))
        return r;
    ir_insn in = {.op = (uint8_t)op, .type = (uint8_t)t, .stype = (uint8_t)st};
    in.a = R(L, a);
    return emit_dst(L, &in, t);
}

/* ---- conversions ------------------------------------------------------ */

/* v != 0 as an I32 0/1 (v of any value type). */
static val truth(lw *L, val v)
{
    if (v.t == IR_I32 && !v.k)
        return op2(L, IR_NE, IR_I32, v, vk_i(IR_I32, 0));
    return op2(L, IR_NE, v.t, v, vk_zero(v.t));
}

/* Normalize an I32/I64 value for a class narrower than 32 bits. */
static val narrow(lw *L, val v, tcls d)
{
    int t = v.t;
    switch (d.bits) {
    case 1: return op2(L, IR_NE, t, v, vk_i(t, 0));
    case 8: return op1(L, d.uns ? IR_ZEXT8 : IR_SEXT8, t, t, v);
    case 16: return op1(L, d.uns ? IR_ZEXT16 : IR_SEXT16, t, t, v);
    default: return v;
    }
}

/* Is every value of class s representable unchanged in narrow class d? */
static int fits(tcls s, tcls d)
{
    if (s.bits == 1)
        return 1;
    if (s.uns)
        return d.uns ? s.bits <= d.bits : s.bits < d.bits;
    return !d.uns && s.bits <= d.bits;
}

static val conv(lw *L, val v, const ctype *from, const ctype *to)
{
    if (!to || to->kind == TY_VOID)
        return vvoid();
    if (!from || is_aggr(to) || to->kind == TY_FUNC)
        return v;
    tcls s = tc(from), d = tc(to);
    if (v.t == IR_VOID) {
        ierr(L, "conversion of a void value");
        return vk_zero(d.t);
    }
    if (d.bits == 1 && !d.flt) { /* to _Bool */
        if (s.bits == 1 && !s.flt)
            return v;
        return truth(L, v);
    }
    if (d.flt) {
        if (s.flt)
            return s.t == d.t ? v : op1(L, IR_FCVT, d.t, s.t, v);
        int uns = s.uns && s.bits >= 32; /* narrower unsigned values are non-negative */
        return op1(L, uns ? IR_UITOF : IR_SITOF, d.t, s.t, v);
    }
    if (s.flt) {
        if (d.t == IR_I64)
            return op1(L, d.uns ? IR_FTOUI : IR_FTOSI, IR_I64, s.t, v);
        if (d.bits == 32)
            return op1(L, d.uns ? IR_FTOUI : IR_FTOSI, IR_I32, s.t, v);
        return narrow(L, op1(L, IR_FTOSI, IR_I32, s.t, v), d);
    }
    /* integer (or pointer) to integer (or pointer) */
    if (s.t == IR_I64 && d.t == IR_I64)
        return v;
    if (s.t == IR_I32 && d.t == IR_I64)
        return op1(L, s.uns ? IR_ZEXT32 : IR_SEXT32, IR_I64, IR_I32, v);
    if (s.t == IR_I64) {
        v = op1(L, IR_TRUNC, IR_I32, IR_I64, v);
        return d.bits >= 32 ? v : narrow(L, v, d);
    }
    if (d.bits >= 32 || fits(s, d))
        return v;
    return narrow(L, v, d);
}

/* ---- data image --------------------------------------------------------- */

static int data_limit(lw *L, uint64_t end)
{
    if (end <= 0x7fffffffu)
        return 0;
    if (!L->stop)
        fe_error(L->cx, KP_ERR_LIMIT, L->file, (int)L->line, (int)L->col,
                 "the plugin's static data exceeds 2 GiB");
    L->stop = 1;
    return -1;
}

/* Place a global of the given size: its offset in the data. */
static uint32_t data_alloc(lw *L, uint64_t size, uint32_t align)
{
    if (align == 0)
        align = 1;
    if (align > 16)
        align = 16;
    uint64_t off = ((uint64_t)L->gsize + align - 1) & ~(uint64_t)(align - 1);
    if (data_limit(L, off + size))
        return 0;
    L->gsize = (uint32_t)(off + size);
    if (align > L->dalign)
        L->dalign = align;
    return (uint32_t)off;
}

/* Offset of a copy of bytes[0..n) in the data (identical contents share). */
static uint32_t lit_intern(lw *L, const char *bytes, uint32_t n, uint32_t align)
{
    uint32_t off;
    if (map_get(&L->lits, bytes, n, &off))
        return off;
    if (align == 0)
        align = 1;
    uint64_t o = ((uint64_t)L->lsize + align - 1) & ~(uint64_t)(align - 1);
    uint64_t end = o + (n ? n : 1);
    if (data_limit(L, L->lbase + end))
        return 0;
    uint8_t *d = grow(L, L->lit, &L->lcap, (uint32_t)end, 1);
    if (!d)
        return 0;
    L->lit = d;
    memset(d + L->lsize, 0, (size_t)(end - L->lsize));
    memcpy(d + o, bytes, n);
    L->lsize = (uint32_t)end;
    if (align > L->dalign)
        L->dalign = align;
    off = L->lbase + (uint32_t)o;
    map_put(L, &L->lits, bytes, n, off);
    return off;
}

static void add_reloc(lw *L, uint32_t off, uint32_t kind, uint32_t target)
{
    ir_reloc *r = grow(L, L->rel, &L->relcap, L->nrel + 1, sizeof *r);
    if (!r)
        return;
    L->rel = r;
    r[L->nrel].offset = off;
    r[L->nrel].kind = kind;
    r[L->nrel].target = target;
    L->nrel++;
}

static void put_le(uint8_t *p, uint64_t v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Store a constant scalar of type ty (bit-field if bw) into buf[off..). */
static void img_scalar(uint8_t *buf, uint32_t off, const ctype *ty, uint8_t bw, uint8_t bo,
                       int64_t iv, double fv, int isf)
{
    uint32_t n = ty->size;
    if (n > 8)
        n = 8;
    if (ty_is_float(ty)) {
        double x = isf ? fv : (double)iv;
        if (ty->kind == TY_FLOAT) {
            float f = (float)x;
            uint32_t u;
            memcpy(&u, &f, 4);
            put_le(buf + off, u, 4);
        } else {
            uint64_t u;
            memcpy(&u, &x, 8);
            put_le(buf + off, u, 8);
        }
        return;
    }
    if (isf) /* a float constant for an integer object: convert like C */
        iv = tc(ty).uns ? f2i_u(fv, IR_I64) : f2i_s(fv, IR_I64);
    if (ty->kind == TY_BOOL && !bw)
        iv = iv != 0;
    if (bw) {
        uint64_t mask = bw >= 64 ? ~0ull : ((1ull << bw) - 1);
        uint64_t u = get_le(buf + off, n);
        u = (u & ~(mask << bo)) | (((uint64_t)iv & mask) << bo);
        put_le(buf + off, u, n);
        return;
    }
    put_le(buf + off, (uint64_t)iv, n);
}

/* ---- functions, imports ------------------------------------------------ */

static int sig_of(lw *L, const ctype *ft, ir_sig *s, int *sret)
{
    memset(s, 0, sizeof *s);
    int n = 0;
    *sret = 0;
    const ctype *rt = ft->base;
    if (is_su(rt)) {
        s->ret = IR_PTR;
        s->params[n++] = IR_PTR;
        *sret = 1;
    } else {
        s->ret = (uint8_t)(!rt || rt->kind == TY_VOID ? IR_VOID : ty_sig_type(rt));
    }
    for (uint32_t i = 0; i < ft->nparams; i++) {
        if (n >= IR_MAX_PARAMS) {
            fe_error(L->cx, KP_ERR_LIMIT, L->file, (int)L->line, (int)L->col,
                     "more than %d parameters", IR_MAX_PARAMS);
            L->stop = 1;
            return -1;
        }
        const ctype *p = ft->params[i];
        s->params[n++] = (uint8_t)(is_su(p) ? IR_PTR : ty_sig_type(p));
    }
    s->nparams = (uint8_t)n;
    s->variadic = ft->variadic ? 1 : 0;
    return 0;
}

/* Resolve a function symbol: a function of this module, a runtime library
 * function, or an import. Diagnostics use the current position. */
static int func_ref(lw *L, csym *s)
{
    if (s->lw_done)
        return s->lw_done;
    const char *name = s->name ? s->name : "";
    uint32_t n = (uint32_t)strlen(name), idx;
    if (map_get(&L->fnames, name, n, &idx)) {
        s->lw_index = idx;
        return s->lw_done = FN_LOCAL;
    }
    int rt = ir_rtlib_lookup(name);
    ir_sig sig;
    int sret;
    if (rt >= 0) {
        if (!s->type || s->type->kind != TY_FUNC || sig_of(L, s->type, &sig, &sret) ||
            !ir_sig_equal(&sig, ir_rtlib_sig(rt))) {
            fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
                     "conflicting types for runtime function '%s'", name);
            return s->lw_done = FN_BAD;
        }
        s->lw_index = (uint32_t)rt;
        return s->lw_done = FN_RTLIB;
    }
    if (s->is_static) {
        fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
                 "static function '%s' is used but never defined", name);
        return s->lw_done = FN_BAD;
    }
    if (map_get(&L->inames, name, n, &idx)) {
        s->lw_index = idx;
        return s->lw_done = FN_IMPORT;
    }
    if (!s->type || s->type->kind != TY_FUNC) {
        ierr(L, "function '%s' without a function type", name);
        return s->lw_done = FN_BAD;
    }
    if (sig_of(L, s->type, &sig, &sret))
        return s->lw_done = FN_BAD;
    ir_import *im = grow(L, L->imp, &L->impcap, L->nimp + 1, sizeof *im);
    if (!im)
        return s->lw_done = FN_BAD;
    L->imp = im;
    im[L->nimp].name = kp_arena_strdup(&L->m->arena, name);
    im[L->nimp].sig = sig;
    map_put(L, &L->inames, name, n, L->nimp);
    s->lw_index = L->nimp++;
    return s->lw_done = FN_IMPORT;
}

/* ---- globals -------------------------------------------------------------- */

static uint32_t global_off(lw *L, csym *s)
{
    if (s->lw_done)
        return s->lw_offset;
    uint32_t off;
    if (s->name && map_get(&L->gnames, s->name, (uint32_t)strlen(s->name), &off)) {
        s->lw_done = 1;
        s->lw_offset = off;
        return off;
    }
    fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
             "'%s' is declared but never defined in this plugin", s->name ? s->name : "?");
    L->stop = 1;
    return 0;
}

/* Write the initializer of global s (at data offset base) into L->img. */
static void data_init(lw *L, uint32_t base, const csym *s)
{
    uint64_t lim = (uint64_t)base + (s->type ? s->type->size : 0);
    for (uint32_t i = 0; i < s->ninit && !L->stop; i++) {
        const ast_init *in = &s->init[i];
        uint64_t off = (uint64_t)base + in->offset;
        const ctype *ty = in->type;
        uint32_t sz = ty ? ty->size : 0;
        if (in->kind == INIT_BYTES) {
            if (off + in->nbytes > lim) {
                ierr(L, "initializer of '%s' out of bounds", s->name ? s->name : "?");
                return;
            }
            memcpy(L->img + off, in->bytes, in->nbytes);
            continue;
        }
        if (!ty || off + (sz > 8 ? 8 : sz) > lim || sz == 0) {
            ierr(L, "initializer of '%s' out of bounds", s->name ? s->name : "?");
            return;
        }
        switch (in->kind) {
        case INIT_INT:
            img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                       in->bit_offset, in->ival, 0, 0);
            break;
        case INIT_FLOAT:
            img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                       in->bit_offset, 0, in->fval, 1);
            break;
        case INIT_EXPR: {
            const ast_expr *e = in->expr;
            while (e && e->kind == EX_CAST && e->lhs && e->type && ty_is_arith(e->type) &&
                   (e->lhs->kind == EX_INT || e->lhs->kind == EX_FLOAT || e->lhs->kind == EX_CAST))
                e = e->lhs; /* constants only; img_scalar converts */
            if (e && e->kind == EX_INT)
                img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                           in->bit_offset, e->ival, 0, 0);
            else if (e && e->kind == EX_FLOAT)
                img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                           in->bit_offset, 0, e->fval, 1);
            else
                ierr(L, "non-constant initializer of '%s'", s->name ? s->name : "?");
            break;
        }
        case INIT_ADDR: {
            if (sz < 4) {
                ierr(L, "address stored in a %u-byte object", sz);
                return;
            }
            uint32_t word = 0, kind = IR_R_DATA, target = 0;
            if (!in->sym) {
                word = lit_intern(L, in->str, in->str_len, 1) + (uint32_t)in->addend;
            } else if (in->sym->kind == SYM_FUNC) {
                int k = func_ref(L, in->sym);
                if (k == FN_LOCAL) {
                    kind = IR_R_FUNC;
                    target = in->sym->lw_index;
                } else if (k == FN_IMPORT) {
                    kind = IR_R_IMPORT;
                    target = in->sym->lw_index;
                } else {
                    if (k == FN_RTLIB)
                        fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
                                 "cannot take the address of runtime function '%s'",
                                 in->sym->name);
                    return;
                }
            } else {
                word = global_off(L, in->sym) + (uint32_t)in->addend;
            }
            if (L->stop)
                return;
            uint8_t *p = L->img + off;
            put_le(p, word, 4);
            if (sz > 4)
                memset(p + 4, 0, sz - 4);
            add_reloc(L, (uint32_t)off, kind, target);
            break;
        }
        default:
            ierr(L, "unknown initializer kind %d", in->kind);
        }
    }
}

static void layout_globals(lw *L)
{
    const ast_unit *u = L->u;
    for (uint32_t i = 0; i < u->nglobals && !L->stop; i++) {
        csym *s = u->globals[i];
        if (!s || s->is_extern_decl || s->lw_done)
            continue;
        uint32_t off;
        if (s->name && map_get(&L->gnames, s->name, (uint32_t)strlen(s->name), &off)) {
            s->lw_done = 1; /* another declaration of an object already laid out */
            s->lw_offset = off;
            continue;
        }
        const ctype *t = s->type;
        L->file = s->file;
        L->line = s->line;
        L->col = s->col;
        off = data_alloc(L, t ? t->size : 0, t ? t->align : 1);
        s->lw_done = 1;
        s->lw_offset = off;
        if (s->name)
            map_put(L, &L->gnames, s->name, (uint32_t)strlen(s->name), off);
    }
    L->lbase = (L->gsize + 15u) & ~15u;
    if (data_limit(L, L->lbase))
        return;
    /* literals of the initializers now: the image is made once, at the end */
    for (uint32_t i = 0; i < u->nglobals && !L->stop; i++) {
        csym *s = u->globals[i];
        if (!s || s->is_extern_decl)
            continue;
        for (uint32_t j = 0; j < s->ninit; j++)
            if (s->init[j].kind == INIT_ADDR && !s->init[j].sym)
                lit_intern(L, s->init[j].str, s->init[j].str_len, 1);
    }
}

/* ---- frame, addresses ---------------------------------------------------- */

static uint32_t frame_alloc(lw *L, uint32_t size, uint32_t align)
{
    ir_func *f = L->f;
    if (!f) {
        ierr(L, "frame object outside a function");
        return 0;
    }
    if (align == 0)
        align = 1;
    if (align > 16)
        align = 16;
    uint64_t off = ((uint64_t)f->frame_size + align - 1) & ~(uint64_t)(align - 1);
    if (off + size > (1u << 30)) {
        if (!L->stop)
            fe_error(L->cx, KP_ERR_LIMIT, L->file, (int)L->line, (int)L->col,
                     "the local variables of '%s' exceed 1 GiB", f->name);
        L->stop = 1;
        return 0;
    }
    f->frame_size = (uint32_t)(off + size);
    if (align > f->frame_align)
        f->frame_align = align;
    return (uint32_t)off;
}

static ir_reg frame_addr(lw *L, uint32_t off)
{
    ir_insn in = {.op = IR_FRAME, .type = IR_I32, .imm = off};
    return emit_dst(L, &in, IR_I32).r;
}

static ir_reg gaddr(lw *L, uint32_t off)
{
    ir_insn in = {.op = IR_GADDR, .type = IR_I32, .imm = off};
    return emit_dst(L, &in, IR_I32).r;
}

static void emit_copy(lw *L, ir_reg dst, ir_reg src, uint32_t size)
{
    ir_insn in = {.op = IR_COPY, .a = dst, .b = src, .imm = size};
    emit(L, &in);
}

static void local_storage(lw *L, csym *s, int force_mem)
{
    if (s->lw_done)
        return;
    const ctype *t = s->type;
    if (!t) {
        ierr(L, "local '%s' without a type", s->name ? s->name : "?");
        return;
    }
    if (!force_mem && ty_is_scalar(t) && !s->addr_taken) {
        s->lw_done = LOC_REG;
        s->lw_reg = newreg(L, tc(t).t);
    } else {
        s->lw_done = LOC_FRAME;
        s->lw_offset = frame_alloc(L, t->size, t->align);
    }
}

/* lv->disp += d, keeping |disp| within IR_MAX_DISP. */
static void lv_add(lw *L, lval *lv, int64_t d)
{
    int64_t nd = (int64_t)((uint64_t)lv->disp + (uint64_t)d);
    if (nd > IR_MAX_DISP || nd < -IR_MAX_DISP) {
        lv->r = R(L, op2(L, IR_ADD, IR_I32, vr(lv->r, IR_I32), vk_i(IR_I32, nd)));
        lv->disp = 0;
    } else {
        lv->disp = nd;
    }
}

static ir_reg lv_addr(lw *L, const lval *lv)
{
    if (lv->k != LV_MEM) {
        ierr(L, "address of a register variable");
        return 1;
    }
    if (!lv->disp)
        return lv->r;
    return R(L, op2(L, IR_ADD, IR_I32, vr(lv->r, IR_I32), vk_i(IR_I32, lv->disp)));
}

static val lower_expr(lw *L, const ast_expr *e);
static void lower_void(lw *L, const ast_expr *e);
static void lower_lval(lw *L, const ast_expr *e, lval *lv);
static void init_local(lw *L, csym *s);

static val faddr(lw *L, csym *s)
{
    int k = func_ref(L, s);
    if (k == FN_RTLIB) {
        fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
                 "cannot take the address of runtime function '%s'", s->name);
        s->lw_done = FN_BAD;
    }
    if (k != FN_LOCAL && k != FN_IMPORT)
        return vk_i(IR_I32, 0);
    ir_insn in = {.op = IR_FADDR, .type = IR_I32, .imm = s->lw_index,
                  .flags = k == FN_IMPORT ? IR_F_IMPORT : 0};
    return emit_dst(L, &in, IR_I32);
}

/* The index i (I32 or I64) times scale, as an I32 byte offset. */
static val scaled(lw *L, val i, uint32_t scale)
{
    if (i.t == IR_I64)
        i = op1(L, IR_TRUNC, IR_I32, IR_I64, i);
    return op2(L, IR_MUL, IR_I32, i, vk_i(IR_I32, scale));
}

static val ptr_add(lw *L, val p, val i, uint32_t scale)
{
    return op2(L, IR_ADD, IR_I32, p, scaled(L, i, scale));
}

/* Split an index expression into rest + c when it is i + c / i - c / c + i,
 * looking through conversions that keep the low 32 bits: the scaled index
 * is only used modulo 2^32, so (i + c) * s == i * s + c * s there. */
static const ast_expr *split_index(const ast_expr *e, int64_t *c)
{
    *c = 0;
    for (int n = 0; n < 8; n++) {
        const ast_expr *x = e;
        while (x->kind == EX_CAST && x->lhs && x->type && x->lhs->type &&
               ty_is_integer(x->type) && ty_is_integer(x->lhs->type) &&
               x->type->size >= 4 && x->lhs->type->size >= 4)
            x = x->lhs;
        if ((x->kind == EX_ADD || x->kind == EX_SUB) && x->lhs && x->rhs && x->type &&
            ty_is_integer(x->type) && x->type->size >= 4) {
            if (x->rhs->kind == EX_INT) {
                *c = (int64_t)((uint64_t)*c + (x->kind == EX_ADD ? (uint64_t)x->rhs->ival
                                                                  : 0 - (uint64_t)x->rhs->ival));
                e = x->lhs;
                continue;
            }
            if (x->kind == EX_ADD && x->lhs->kind == EX_INT) {
                *c = (int64_t)((uint64_t)*c + (uint64_t)x->lhs->ival);
                e = x->rhs;
                continue;
            }
        }
        break;
    }
    return e;
}

/* Address of what pointer expression e points to, as base + disp, folding
 * member offsets and constant indices into the displacement. */
static void ptr_addr(lw *L, const ast_expr *e, lval *lv)
{
    switch (e->kind) {
    case EX_DECAY:
    case EX_ADDR:
        if (e->lhs && e->lhs->type && e->lhs->type->kind != TY_FUNC) {
            lower_lval(L, e->lhs, lv);
            if (lv->k == LV_MEM && !lv->bfw)
                return;
            ierr(L, "address of a register or a bit-field");
            return;
        }
        break;
    case EX_PTR_ADD: {
        ptr_addr(L, e->lhs, lv);
        int64_t c;
        const ast_expr *ix = split_index(e->rhs, &c);
        val i = lower_expr(L, ix);
        if (i.k) {
            c = (int64_t)((uint64_t)c + (uint64_t)i.i);
        } else {
            lv->r = R(L, op2(L, IR_ADD, IR_I32, vr(lv->r, IR_I32), scaled(L, i, e->scale)));
        }
        /* wraps like the I32 arithmetic it replaces */
        lv_add(L, lv, (int64_t)(int32_t)(uint32_t)((uint64_t)c * e->scale));
        return;
    }
    case EX_CAST:
        if (e->lhs && e->lhs->type && e->lhs->type->kind == TY_PTR && e->type &&
            e->type->kind == TY_PTR) {
            ptr_addr(L, e->lhs, lv);
            return;
        }
        break;
    default:
        break;
    }
    val v = lower_expr(L, e);
    lv->k = LV_MEM;
    lv->r = R(L, v);
    lv->disp = 0;
}

static void lower_lval(lw *L, const ast_expr *e, lval *lv)
{
    memset(lv, 0, sizeof *lv);
    lv->k = LV_MEM;
    lv->ty = e->type;
    lv->r = 1;
    if (L->stop)
        return;
    if (!fe_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return;
    }
    switch (e->kind) {
    case EX_VAR: {
        csym *s = e->sym;
        if (!s) {
            ierr(L, "variable without a symbol");
        } else if (s->kind == SYM_LOCAL) {
            local_storage(L, s, 0);
            if (s->lw_done == LOC_REG) {
                lv->k = LV_REG;
                lv->r = s->lw_reg;
            } else if (s->lw_done == LOC_FRAME) {
                lv->r = frame_addr(L, s->lw_offset);
            } else {
                lv->r = s->lw_reg;
            }
        } else if (s->kind == SYM_GLOBAL) {
            lv->r = gaddr(L, global_off(L, s));
        } else {
            ierr(L, "function '%s' used as an object", s->name ? s->name : "?");
        }
        break;
    }
    case EX_DEREF:
        ptr_addr(L, e->lhs, lv);
        lv->ty = e->type;
        break;
    case EX_MEMBER: {
        lower_lval(L, e->lhs, lv);
        if (lv->k != LV_MEM || !e->field) {
            ierr(L, "member of a non-object");
            break;
        }
        lv->ty = e->field->is_bitfield ? e->field->type : e->type;
        lv_add(L, lv, e->field->offset);
        if (e->field->is_bitfield) {
            lv->bfw = e->field->bit_width;
            lv->bfo = e->field->bit_offset;
        }
        break;
    }
    case EX_STR:
        lv->r = gaddr(L, lit_intern(L, e->str, e->str_len, 1));
        break;
    case EX_COMPOUND: {
        csym *s = e->sym;
        if (!s) {
            ierr(L, "compound literal without an object");
        } else if (s->kind == SYM_GLOBAL) {
            lv->r = gaddr(L, global_off(L, s));
        } else {
            local_storage(L, s, 1);
            init_local(L, s);
            if (s->lw_done == LOC_REG) {
                lv->k = LV_REG;
                lv->r = s->lw_reg;
            } else {
                lv->r = frame_addr(L, s->lw_offset);
            }
        }
        break;
    }
    default:
        if (is_aggr(e->type)) { /* an rvalue struct: call result, assignment, ?: */
            lv->r = R(L, lower_expr(L, e));
        } else {
            ierr(L, "expression kind %d is not an lvalue", e->kind);
        }
        break;
    }
    fe_leave(L->cx);
}

/* ---- loads and stores, bit-fields ---------------------------------------- */

static int bf_ldkind(const ctype *t, int rt)
{
    switch (t->size) {
    case 1: return IR_M_U8;
    case 2: return IR_M_U16;
    case 4: return rt == IR_I64 ? IR_M_U32 : IR_M_I32;
    default: return IR_M_I64;
    }
}

static uint64_t bmask(int w) { return w >= 64 ? ~0ull : ((1ull << w) - 1); }

static val bf_read(lw *L, const lval *lv)
{
    tcls c = tc(lv->ty);
    int t = c.t, W = t == IR_I64 ? 64 : 32, w = lv->bfw, o = lv->bfo;
    ir_insn in = {.op = IR_LOAD, .type = (uint8_t)t, .stype = (uint8_t)bf_ldkind(lv->ty, t),
                  .a = lv->r, .imm = lv->disp};
    val x = emit_dst(L, &in, t);
    if (!c.uns) {
        x = op2(L, IR_SHL, t, x, vk_i(t, W - o - w));
        return op2(L, IR_SHRS, t, x, vk_i(t, W - w));
    }
    x = op2(L, IR_SHRU, t, x, vk_i(t, o));
    return w < W ? op2(L, IR_AND, t, x, vk_i(t, (int64_t)bmask(w))) : x;
}

static val bf_write(lw *L, const lval *lv, val v, int need)
{
    tcls c = tc(lv->ty);
    int t = c.t, W = t == IR_I64 ? 64 : 32, w = lv->bfw, o = lv->bfo;
    uint64_t mask = bmask(w);
    ir_insn ld = {.op = IR_LOAD, .type = (uint8_t)t, .stype = (uint8_t)bf_ldkind(lv->ty, t),
                  .a = lv->r, .imm = lv->disp};
    val old = emit_dst(L, &ld, t);
    val part = op2(L, IR_SHL, t, op2(L, IR_AND, t, v, vk_i(t, (int64_t)mask)), vk_i(t, o));
    val kept = op2(L, IR_AND, t, old, vk_i(t, (int64_t)~(mask << o)));
    val n = op2(L, IR_OR, t, kept, part);
    ir_insn st = {.op = IR_STORE, .type = (uint8_t)t, .stype = (uint8_t)ty_ir_mem(lv->ty),
                  .a = lv->r, .imm = lv->disp};
    st.b = R(L, n);
    emit(L, &st);
    if (!need)
        return v;
    if (!c.uns)
        return op2(L, IR_SHRS, t, op2(L, IR_SHL, t, v, vk_i(t, W - w)), vk_i(t, W - w));
    return op2(L, IR_AND, t, v, vk_i(t, (int64_t)mask));
}

static val load(lw *L, const lval *lv)
{
    if (L->stop)
        return vk_zero(tc(lv->ty).t);
    if (lv->k == LV_REG)
        return vr(lv->r, L->f->reg_types[lv->r]);
    const ctype *t = lv->ty;
    if (!t || t->kind == TY_VOID)
        return vvoid();
    if (is_aggr(t) || t->kind == TY_FUNC)
        return vr(lv_addr(L, lv), IR_I32);
    if (lv->bfw)
        return bf_read(L, lv);
    int rt = tc(t).t;
    ir_insn in = {.op = IR_LOAD, .type = (uint8_t)rt, .stype = (uint8_t)ty_ir_mem(t),
                  .a = lv->r, .imm = lv->disp};
    return emit_dst(L, &in, rt);
}

/* Store v into lv; returns the value the object now holds (for bit-fields
 * only computed when `need`). */
static val store(lw *L, const lval *lv, val v, int need)
{
    if (L->stop)
        return v;
    if (lv->k == LV_REG) {
        write_reg(L, lv->r, v);
        return vr(lv->r, L->f->reg_types[lv->r]);
    }
    const ctype *t = lv->ty;
    if (is_aggr(t)) {
        ir_reg d = lv_addr(L, lv);
        emit_copy(L, d, R(L, v), t->size);
        return vr(d, IR_I32);
    }
    int rt = tc(t).t;
    if (v.t != rt) {
        ierr(L, "store of %s into a %s object", ir_type_name(v.t), ir_type_name(rt));
        return v;
    }
    if (lv->bfw)
        return bf_write(L, lv, v, need);
    while (!need && v.fresh && t->size <= 2 && !L->dead && v.r == L->f->nregs - 1 &&
           v.r != L->cse_pinned) {
        /* a narrow store truncates: extensions just before it are dead */
        ir_block *b = &L->f->blocks[L->cur];
        ir_insn *last = b->ninsns ? &b->insns[b->ninsns - 1] : NULL;
        if (!last || last->dst != v.r ||
            !(last->op == IR_SEXT16 || last->op == IR_ZEXT16 ||
              (t->size == 1 && (last->op == IR_SEXT8 || last->op == IR_ZEXT8))))
            break;
        ir_reg a = last->a;
        b->ninsns--;
        L->f->nregs--;
        cse_kill(L, v.r);
        /* a may be a variable's register: stop here */
        v = vr(a, v.t);
    }
    ir_insn in = {.op = IR_STORE, .type = (uint8_t)rt, .stype = (uint8_t)ty_ir_mem(t),
                  .a = lv->r, .imm = lv->disp};
    in.b = R(L, v);
    emit(L, &in);
    return v;
}

/* ---- operators ------------------------------------------------------------ */

static val arith(lw *L, int kind, const ctype *ty, val a, val b)
{
    tcls c = tc(ty);
    int t = c.t, op;
    switch (kind) {
    case EX_ADD: op = IR_ADD; break;
    case EX_SUB: op = IR_SUB; break;
    case EX_MUL: op = IR_MUL; break;
    case EX_DIV: op = c.flt ? IR_DIVS : c.uns ? IR_DIVU : IR_DIVS; break;
    case EX_MOD: op = c.uns ? IR_REMU : IR_REMS; break;
    case EX_SHL: op = IR_SHL; break;
    case EX_SHR: op = c.uns ? IR_SHRU : IR_SHRS; break;
    case EX_BITAND: op = IR_AND; break;
    case EX_BITOR: op = IR_OR; break;
    case EX_BITXOR: op = IR_XOR; break;
    default:
        ierr(L, "bad arithmetic operator %d", kind);
        return vk_zero(t);
    }
    if ((kind == EX_SHL || kind == EX_SHR) && b.t != t) {
        /* the count is masked to width-1: only its low bits matter */
        if (b.t == IR_I64 && t == IR_I32)
            b = op1(L, IR_TRUNC, IR_I32, IR_I64, b);
        else if (b.t == IR_I32 && t == IR_I64)
            b = op1(L, IR_ZEXT32, IR_I64, IR_I32, b);
    }
    if (a.t != t || b.t != t || (c.flt && op != IR_ADD && op != IR_SUB && op != IR_MUL &&
                                 op != IR_DIVS)) {
        ierr(L, "operands of operator %d do not match its type", kind);
        return vk_zero(t);
    }
    val r = op2(L, op, t, a, b);
    return c.bits < 32 && !c.flt ? narrow(L, r, c) : r;
}

static int is_arith_kind(int k) { return k >= EX_ADD && k <= EX_BITXOR; }
static int is_cmp_kind(int k) { return k >= EX_EQ && k <= EX_GE; }

static val compare(lw *L, const ast_expr *e)
{
    const ctype *ct = e->cmp_type ? e->cmp_type : e->lhs->type;
    tcls c = tc(ct);
    val a = lower_expr(L, e->lhs);
    val b = lower_expr(L, e->rhs);
    if (a.t != b.t || a.t == IR_VOID) {
        ierr(L, "comparison of %s and %s", ir_type_name(a.t), ir_type_name(b.t));
        return vk_i(IR_I32, 0);
    }
    int u = c.uns && !c.flt, op;
    switch (e->kind) {
    case EX_EQ: op = IR_EQ; break;
    case EX_NE: op = IR_NE; break;
    case EX_LT: op = u ? IR_LTU : IR_LTS; break;
    case EX_LE: op = u ? IR_LEU : IR_LES; break;
    case EX_GT: op = u ? IR_GTU : IR_GTS; break;
    default: op = u ? IR_GEU : IR_GES; break;
    }
    return op2(L, op, a.t, a, b);
}

/* Branch to T if e is true, else to F; no 0/1 is materialized. */
static void cond(lw *L, const ast_expr *e, uint32_t T, uint32_t F)
{
    if (L->stop)
        return;
    if (!fe_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return;
    }
    uint32_t sl = L->line, sc = L->col;
    L->line = e->line;
    L->col = e->col;
    switch (e->kind) {
    case EX_LOGAND:
    case EX_LOGOR: {
        /* a && b && c is left-deep: walk its spine without recursion */
        ex_kind k = e->kind;
        uint32_t n = 0;
        const ast_expr *x = e;
        while (x->kind == k && x->lhs) {
            n++;
            x = x->lhs;
        }
        const ast_expr **sp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *sp);
        if (!sp) {
            nomem(L);
            break;
        }
        x = e;
        for (uint32_t i = n; i-- > 0; x = x->lhs)
            sp[i] = x;
        const ast_expr *leaf = x; /* leftmost operand */
        for (uint32_t i = 0; i < n && !L->stop; i++) {
            uint32_t M = blk_priv(L);
            if (k == EX_LOGAND)
                cond(L, leaf, M, F);
            else
                cond(L, leaf, T, M);
            blk_start(L, M);
            leaf = sp[i]->rhs;
        }
        cond(L, leaf, T, F);
        break;
    }
    case EX_LOGNOT:
        cond(L, e->lhs, F, T);
        break;
    case EX_COMMA:
        lower_void(L, e->lhs);
        cond(L, e->rhs, T, F);
        break;
    default: {
        val v = is_cmp_kind(e->kind) ? compare(L, e) : lower_expr(L, e);
        if (v.t == IR_VOID) {
            ierr(L, "condition without a value");
            break;
        }
        if (!is_cmp_kind(e->kind) && !(v.t == IR_I32 && !v.k))
            v = truth(L, v);
        if (v.k) {
            emit_jmp(L, v.i ? T : F);
        } else {
            ir_insn br = {.op = IR_BR, .a = v.r, .t1 = T, .t2 = F};
            emit(L, &br);
        }
        break;
    }
    }
    L->line = sl;
    L->col = sc;
    fe_leave(L->cx);
}

static void lower_into(lw *L, const ast_expr *e, ir_reg var);

/* The 0/1 value of && / || (into r, or a new register if r is 0). */
static val logical(lw *L, const ast_expr *e, ir_reg r)
{
    if (!r)
        r = newreg(L, IR_I32);
    uint32_t T = blk_priv(L), F = blk_priv(L), J = blk_new(L);
    cond(L, e, T, F);
    blk_start(L, T);
    write_reg(L, r, vk_i(IR_I32, 1));
    emit_jmp(L, J);
    blk_start(L, F);
    write_reg(L, r, vk_i(IR_I32, 0));
    blk_start(L, J);
    return vr(r, IR_I32);
}

static val condexpr(lw *L, const ast_expr *e, int need, ir_reg dst)
{
    const ast_expr *c = e->cond;
    int t = tc(e->type).t;
    if (!c) {
        ierr(L, "?: without a condition");
        return vk_zero(t);
    }
    if (c->kind == EX_INT) {
        const ast_expr *x = c->ival ? e->lhs : e->rhs;
        if (!need || t == IR_VOID) {
            lower_void(L, x);
            return vvoid();
        }
        return lower_expr(L, x);
    }
    uint32_t T = blk_priv(L), F = blk_priv(L), J = blk_new(L);
    cond(L, c, T, F);
    if (!need || t == IR_VOID) {
        blk_start(L, T);
        lower_void(L, e->lhs);
        emit_jmp(L, J);
        blk_start(L, F);
        lower_void(L, e->rhs);
        blk_start(L, J);
        return vvoid();
    }
    ir_reg r = dst ? dst : newreg(L, t);
    blk_start(L, T);
    lower_into(L, e->lhs, r);
    emit_jmp(L, J);
    blk_start(L, F);
    lower_into(L, e->rhs, r);
    blk_start(L, J);
    return vr(r, t);
}

/* The value of e into register var (of e's register type). ?:, && and ||
 * write their arms straight into it: each path writes var once, at its end,
 * after everything that path reads. */
static void lower_into(lw *L, const ast_expr *e, ir_reg var)
{
    if (L->stop)
        return;
    int t = L->f->reg_types[var];
    if ((e->kind == EX_LOGAND || e->kind == EX_LOGOR) && t == IR_I32) {
        logical(L, e, var);
        return;
    }
    if (e->kind == EX_COND && e->cond && e->cond->kind != EX_INT && tc(e->type).t == t &&
        e->type->kind != TY_VOID) {
        if (!fe_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
            L->stop = 1;
            return;
        }
        condexpr(L, e, 1, var);
        fe_leave(L->cx);
        return;
    }
    write_reg(L, var, lower_expr(L, e));
}

static val assign(lw *L, const ast_expr *e, int need)
{
    lval lv;
    lower_lval(L, e->lhs, &lv);
    if (lv.k == LV_REG && !L->stop) {
        lower_into(L, e->rhs, lv.r);
        return vr(lv.r, L->f->reg_types[lv.r]);
    }
    val v = lower_expr(L, e->rhs);
    return store(L, &lv, v, need);
}

static val opassign(lw *L, const ast_expr *e, int need)
{
    lval lv;
    lower_lval(L, e->lhs, &lv);
    val b = lower_expr(L, e->rhs);
    val old = load(L, &lv);
    val r;
    if (e->binop == EX_PTR_ADD) {
        r = ptr_add(L, old, b, e->scale);
    } else {
        const ctype *ot = e->op_type ? e->op_type : e->lhs->type;
        val a = conv(L, old, e->lhs->type, ot);
        r = arith(L, e->binop, ot, a, b);
        r = conv(L, r, ot, e->lhs->type);
    }
    return store(L, &lv, r, need);
}

static val incdec(lw *L, const ast_expr *e, int need)
{
    int post = e->kind == EX_POSTINC || e->kind == EX_POSTDEC;
    int op = e->kind == EX_PREDEC || e->kind == EX_POSTDEC ? IR_SUB : IR_ADD;
    const ctype *ty = e->lhs->type;
    lval lv;
    lower_lval(L, e->lhs, &lv);
    val old = load(L, &lv);
    if (post && need && lv.k == LV_REG) {
        ir_insn mv = {.op = IR_MOV, .type = old.t, .a = old.r};
        old = emit_dst(L, &mv, old.t);
        old.fresh = 0;
    }
    tcls c = tc(ty);
    val nv;
    if (ty->kind == TY_PTR)
        nv = op2(L, op, IR_I32, old, vk_i(IR_I32, e->scale));
    else if (c.flt)
        nv = op2(L, op, c.t, old, vk_f(c.t, 1.0));
    else if (c.t == IR_I64)
        nv = op2(L, op, IR_I64, old, vk_i(IR_I64, 1));
    else
        nv = conv(L, op2(L, op, IR_I32, old, vk_i(IR_I32, 1)), &ty_int, ty);
    nv = store(L, &lv, nv, need && !post);
    return post ? old : nv;
}

static val call(lw *L, const ast_expr *e, int need)
{
    (void)need;
    const ast_expr *c = e->lhs;
    while (c && (c->kind == EX_DECAY || c->kind == EX_ADDR || c->kind == EX_DEREF) &&
           c->lhs && is_fnty(c->lhs->type) && is_fnty(c->type))
        c = c->lhs;
    const ctype *ft = c ? fn_type(c->type) : NULL;
    if (!ft) {
        ierr(L, "call of a non-function");
        return vvoid();
    }
    int direct = c->kind == EX_VAR && c->sym && c->sym->kind == SYM_FUNC;
    int k = 0;
    ir_sig sig;
    int sret = 0;
    ir_reg handle = 0;
    if (direct) {
        k = func_ref(L, c->sym);
        if (k == FN_LOCAL && c->sym->lw_index < L->m->nfuncs)
            sig = L->m->funcs[c->sym->lw_index]->sig;
        else if (k == FN_IMPORT)
            sig = L->imp[c->sym->lw_index].sig;
        else if (k == FN_RTLIB)
            sig = *ir_rtlib_sig((int)c->sym->lw_index);
        else
            return vk_zero(tc(ft->base).t);
        sret = is_su(ft->base);
    } else {
        handle = R(L, lower_expr(L, c));
        if (sig_of(L, ft, &sig, &sret))
            return vvoid();
    }
    if (e->nargs < ft->nparams || (e->nargs > ft->nparams && !ft->variadic)) {
        ierr(L, "call with %u arguments for %u parameters", e->nargs, ft->nparams);
        return vvoid();
    }
    uint32_t nargs = e->nargs + (uint32_t)sret;
    if ((uint32_t)sig.nparams + (uint32_t)(nargs - sig.nparams) != nargs ||
        nargs < sig.nparams) {
        ierr(L, "call does not match the prototype");
        return vvoid();
    }
    ir_reg *args = NULL;
    if (nargs) {
        args = kp_arena_alloc(&L->m->arena, nargs * sizeof *args);
        if (!args) {
            nomem(L);
            return vvoid();
        }
    }
    ir_reg sr = 0;
    uint32_t j = 0;
    if (sret) {
        sr = frame_addr(L, frame_alloc(L, ft->base->size, ft->base->align));
        args[j++] = sr;
    }
    for (uint32_t i = 0; i < e->nargs && !L->stop; i++) {
        const ast_expr *a = e->args[i];
        val v = lower_expr(L, a);
        if (is_su(a->type)) { /* the callee gets a pointer to a copy */
            ir_reg t = frame_addr(L, frame_alloc(L, a->type->size, a->type->align));
            emit_copy(L, t, R(L, v), a->type->size);
            args[j++] = t;
        } else {
            if (v.t == IR_VOID) {
                ierr(L, "void argument");
                return vvoid();
            }
            args[j++] = R(L, v);
        }
    }
    ir_insn in = {.op = IR_CALL, .nargs = nargs, .args = args};
    if (direct) {
        in.op = k == FN_LOCAL ? IR_CALL : k == FN_IMPORT ? IR_CALLI : IR_CALLR;
        in.imm = c->sym->lw_index;
    } else {
        ir_sig *ps = kp_arena_alloc(&L->m->arena, sizeof *ps);
        if (!ps) {
            nomem(L);
            return vvoid();
        }
        *ps = sig;
        in.op = IR_CALLP;
        in.a = handle;
        in.sig = ps;
    }
    L->line = e->line;
    L->col = e->col;
    if (sig.ret == IR_VOID) {
        emit(L, &in);
        return vvoid();
    }
    int rt = ir_sig_regtype(sig.ret);
    in.type = (uint8_t)rt;
    val v = emit_dst(L, &in, rt);
    if (sret)
        return vr(sr, IR_I32);
    tcls rc = tc(ft->base);
    if (k != FN_LOCAL && rc.bits < 32 && !rc.flt) /* the host may not have normalized it */
        v = narrow(L, v, rc);
    return v;
}

/* ---- expressions ---------------------------------------------------------- */

static val expr_inner(lw *L, const ast_expr *e)
{
    tcls c = tc(e->type);
    switch (e->kind) {
    case EX_INT:
        if (c.flt)
            return vk_f(c.t, (double)e->ival);
        return vk_i(c.t ? c.t : IR_I32, e->ival);
    case EX_FLOAT:
        if (!c.flt)
            return vk_i(c.t ? c.t : IR_I32, (int64_t)e->fval);
        return vk_f(c.t, e->fval);
    case EX_VAR:
        if (e->sym && e->sym->kind == SYM_FUNC)
            return faddr(L, e->sym);
        /* fallthrough */
    case EX_STR:
    case EX_MEMBER:
    case EX_COMPOUND: {
        lval lv;
        lower_lval(L, e, &lv);
        return load(L, &lv);
    }
    case EX_DEREF:
        if (e->type && e->type->kind == TY_FUNC) /* *fp is the function: its handle */
            return lower_expr(L, e->lhs);
        {
            lval lv;
            lower_lval(L, e, &lv);
            return load(L, &lv);
        }
    case EX_DECAY:
    case EX_ADDR: {
        if (e->lhs->type && e->lhs->type->kind == TY_FUNC)
            return lower_expr(L, e->lhs);
        lval lv;
        ptr_addr(L, e, &lv);
        if (!lv.disp)
            return vr(lv.r, IR_I32);
        return op2(L, IR_ADD, IR_I32, vr(lv.r, IR_I32), vk_i(IR_I32, lv.disp));
    }
    case EX_CAST:
        if (!e->type || e->type->kind == TY_VOID) {
            lower_void(L, e->lhs);
            return vvoid();
        }
        return conv(L, lower_expr(L, e->lhs), e->lhs->type, e->type);
    case EX_NEG:
        return op1(L, IR_NEG, c.t, c.t, lower_expr(L, e->lhs));
    case EX_BITNOT:
        return op1(L, IR_NOT, c.t, c.t, lower_expr(L, e->lhs));
    case EX_LOGNOT: {
        val v = lower_expr(L, e->lhs);
        return op2(L, IR_EQ, v.t, v, vk_zero(v.t));
    }
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_MOD:
    case EX_SHL: case EX_SHR: case EX_BITAND: case EX_BITOR: case EX_BITXOR: {
        /* left-deep chains (a + b + c + ...) without recursion on the spine */
        uint32_t n = 0;
        const ast_expr *x = e;
        while (is_arith_kind(x->kind) && x->lhs) {
            n++;
            x = x->lhs;
        }
        const ast_expr **sp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *sp);
        if (!sp) {
            nomem(L);
            return vk_zero(c.t);
        }
        x = e;
        for (uint32_t i = n; i-- > 0; x = x->lhs)
            sp[i] = x;
        val acc = lower_expr(L, x);
        for (uint32_t i = 0; i < n && !L->stop; i++) {
            val b = lower_expr(L, sp[i]->rhs);
            L->line = sp[i]->line;
            L->col = sp[i]->col;
            acc = arith(L, sp[i]->kind, sp[i]->type, acc, b);
        }
        return acc;
    }
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
        return compare(L, e);
    case EX_LOGAND:
    case EX_LOGOR:
        return logical(L, e, 0);
    case EX_PTR_ADD: {
        val p = lower_expr(L, e->lhs);
        val i = lower_expr(L, e->rhs);
        return ptr_add(L, p, i, e->scale);
    }
    case EX_PTR_DIFF: {
        val a = lower_expr(L, e->lhs);
        val b = lower_expr(L, e->rhs);
        val d = op2(L, IR_SUB, IR_I32, a, b);
        uint32_t s = e->scale;
        if (s > 1) {
            if ((s & (s - 1)) == 0) { /* exact division: a shift is the same */
                int sh = 0;
                while ((1u << sh) != s)
                    sh++;
                d = op2(L, IR_SHRS, IR_I32, d, vk_i(IR_I32, sh));
            } else {
                d = op2(L, IR_DIVS, IR_I32, d, vk_i(IR_I32, s));
            }
        }
        return c.t == IR_I64 ? op1(L, IR_SEXT32, IR_I64, IR_I32, d) : d;
    }
    case EX_ASSIGN:
        return assign(L, e, 1);
    case EX_OPASSIGN:
        return opassign(L, e, 1);
    case EX_PREINC: case EX_PREDEC: case EX_POSTINC: case EX_POSTDEC:
        return incdec(L, e, 1);
    case EX_COND:
        return condexpr(L, e, 1, 0);
    case EX_COMMA:
        lower_void(L, e->lhs);
        return lower_expr(L, e->rhs);
    case EX_CALL:
        return call(L, e, 1);
    }
    ierr(L, "unknown expression kind %d", e->kind);
    return vk_zero(c.t);
}

static val lower_expr(lw *L, const ast_expr *e)
{
    if (L->stop || !e) {
        if (!e)
            ierr(L, "missing expression");
        return vk_i(IR_I32, 0);
    }
    if (!fe_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return vk_i(IR_I32, 0);
    }
    uint8_t sf = L->file;
    uint32_t sl = L->line, sc = L->col;
    L->file = e->file;
    L->line = e->line;
    L->col = e->col;
    val v = expr_inner(L, e);
    L->file = sf;
    L->line = sl;
    L->col = sc;
    fe_leave(L->cx);
    return v;
}

/* e evaluated for its side effects only. */
static void lower_void(lw *L, const ast_expr *e)
{
    if (L->stop || !e)
        return;
    if (!fe_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return;
    }
    uint8_t sf = L->file;
    uint32_t sl = L->line, sc = L->col;
    L->file = e->file;
    L->line = e->line;
    L->col = e->col;
    switch (e->kind) {
    case EX_ASSIGN: assign(L, e, 0); break;
    case EX_OPASSIGN: opassign(L, e, 0); break;
    case EX_PREINC: case EX_PREDEC: case EX_POSTINC: case EX_POSTDEC: incdec(L, e, 0); break;
    case EX_COND: condexpr(L, e, 0, 0); break;
    case EX_CALL: call(L, e, 0); break;
    case EX_COMMA: {
        /* a, b, c is left-deep */
        const ast_expr *x = e;
        uint32_t n = 0;
        while (x->kind == EX_COMMA && x->lhs) {
            n++;
            x = x->lhs;
        }
        const ast_expr **sp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *sp);
        if (!sp) {
            nomem(L);
            break;
        }
        x = e;
        for (uint32_t i = n; i-- > 0; x = x->lhs)
            sp[i] = x;
        lower_void(L, x);
        for (uint32_t i = 0; i < n; i++)
            lower_void(L, sp[i]->rhs);
        break;
    }
    case EX_CAST:
        lower_void(L, e->lhs);
        break;
    case EX_LOGAND:
    case EX_LOGOR: {
        uint32_t J = blk_new(L);
        cond(L, e, J, J);
        blk_start(L, J);
        break;
    }
    default:
        lower_expr(L, e); /* loads stay: they may trap */
        break;
    }
    L->file = sf;
    L->line = sl;
    L->col = sc;
    fe_leave(L->cx);
}

/* ---- initializers of locals ------------------------------------------- */

/* Does e always fold to a constant (no instruction, no trap)? */
static int const_tree(const ast_expr *e, int depth)
{
    if (!e || depth > 64)
        return 0;
    switch (e->kind) {
    case EX_INT:
    case EX_FLOAT:
        return 1;
    case EX_CAST:
        return e->type && e->lhs && e->lhs->type && ty_is_arith(e->type) &&
               ty_is_arith(e->lhs->type) && const_tree(e->lhs, depth + 1);
    case EX_NEG:
    case EX_BITNOT:
        return const_tree(e->lhs, depth + 1);
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_SHL: case EX_SHR:
    case EX_BITAND: case EX_BITOR: case EX_BITXOR:
        return e->type && ty_is_arith(e->type) && const_tree(e->lhs, depth + 1) &&
               const_tree(e->rhs, depth + 1);
    default:
        return 0;
    }
}

static int init_const(const ast_init *in)
{
    switch (in->kind) {
    case INIT_INT:
    case INIT_FLOAT:
    case INIT_BYTES:
        return 1;
    case INIT_EXPR:
        return in->type && ty_is_arith(in->type) && const_tree(in->expr, 0);
    default:
        return 0;
    }
}

/* Write one constant entry into an image of the object. */
static void img_entry(lw *L, uint8_t *buf, uint32_t size, const ast_init *in)
{
    const ctype *ty = in->type;
    uint8_t bw = in->is_bitfield ? in->bit_width : 0;
    if (in->kind == INIT_BYTES) {
        if ((uint64_t)in->offset + in->nbytes > size) {
            ierr(L, "initializer out of bounds");
            return;
        }
        memcpy(buf + in->offset, in->bytes, in->nbytes);
        return;
    }
    if (!ty || !ty->size || (uint64_t)in->offset + (ty->size > 8 ? 8 : ty->size) > size) {
        ierr(L, "initializer out of bounds");
        return;
    }
    if (in->kind == INIT_INT) {
        img_scalar(buf, in->offset, ty, bw, in->bit_offset, in->ival, 0, 0);
    } else if (in->kind == INIT_FLOAT) {
        img_scalar(buf, in->offset, ty, bw, in->bit_offset, 0, in->fval, 1);
    } else {
        val v = lower_expr(L, in->expr);
        if (!v.k) {
            ierr(L, "constant initializer did not fold");
            return;
        }
        if (v.t == IR_F32 || v.t == IR_F64)
            img_scalar(buf, in->offset, ty, bw, in->bit_offset, 0, v.f, 1);
        else
            img_scalar(buf, in->offset, ty, bw, in->bit_offset, v.i, 0, 0);
    }
}

static val addr_init(lw *L, const ast_init *in)
{
    val v;
    if (!in->sym) {
        v = vr(gaddr(L, lit_intern(L, in->str, in->str_len, 1)), IR_I32);
    } else if (in->sym->kind == SYM_FUNC) {
        return faddr(L, in->sym);
    } else if (in->sym->kind == SYM_GLOBAL) {
        v = vr(gaddr(L, global_off(L, in->sym)), IR_I32);
    } else {
        lval lv;
        ast_expr tmp = {.kind = EX_VAR, .sym = in->sym, .type = in->sym->type,
                        .line = L->line, .col = L->col, .file = L->file};
        lower_lval(L, &tmp, &lv);
        v = vr(lv_addr(L, &lv), IR_I32);
    }
    return op2(L, IR_ADD, IR_I32, v, vk_i(IR_I32, in->addend));
}

static void store_init(lw *L, ir_reg base, const ast_init *in)
{
    const ctype *ty = in->type;
    if (!ty) {
        ierr(L, "initializer without a type");
        return;
    }
    lval lv = {.k = LV_MEM, .r = base, .ty = ty};
    if (in->is_bitfield) {
        lv.bfw = in->bit_width;
        lv.bfo = in->bit_offset;
    }
    lv_add(L, &lv, in->offset);
    tcls c = tc(ty);
    val v;
    switch (in->kind) {
    case INIT_EXPR:
        v = lower_expr(L, in->expr);
        if (is_aggr(ty)) {
            emit_copy(L, lv_addr(L, &lv), R(L, v), ty->size);
            return;
        }
        break;
    case INIT_INT:
        v = c.flt ? vk_f(c.t, (double)in->ival) : vk_i(c.t, in->ival);
        break;
    case INIT_FLOAT:
        v = c.flt ? vk_f(c.t, in->fval) : vk_i(c.t, c.uns ? f2i_u(in->fval, c.t) : f2i_s(in->fval, c.t));
        break;
    case INIT_ADDR:
        v = addr_init(L, in);
        if (c.t == IR_I64)
            v = op1(L, IR_ZEXT32, IR_I64, IR_I32, v);
        break;
    case INIT_BYTES: {
        ir_reg src = gaddr(L, lit_intern(L, in->bytes, in->nbytes, 1));
        emit_copy(L, lv_addr(L, &lv), src, in->nbytes);
        return;
    }
    default:
        ierr(L, "unknown initializer kind %d", in->kind);
        return;
    }
    store(L, &lv, v, 0);
}

/* Run the initializer of local s (its storage already chosen). */
static void init_local(lw *L, csym *s)
{
    const ctype *t = s->type;
    if (L->stop || !t)
        return;
    if (s->lw_done == LOC_REG) {
        tcls c = tc(t);
        val v = vk_zero(c.t);
        if (s->ninit) {
            const ast_init *in = &s->init[0];
            switch (in->kind) {
            case INIT_EXPR: lower_into(L, in->expr, s->lw_reg); return;
            case INIT_INT: v = c.flt ? vk_f(c.t, (double)in->ival) : vk_i(c.t, in->ival); break;
            case INIT_FLOAT: v = c.flt ? vk_f(c.t, in->fval) : vk_i(c.t, f2i_s(in->fval, c.t)); break;
            case INIT_ADDR:
                v = addr_init(L, in);
                if (c.t == IR_I64)
                    v = op1(L, IR_ZEXT32, IR_I64, IR_I32, v);
                break;
            default: ierr(L, "bad initializer of a register local"); return;
            }
        }
        write_reg(L, s->lw_reg, v);
        return;
    }
    if (s->lw_done != LOC_FRAME) {
        ierr(L, "initializer of a parameter");
        return;
    }
    if (!s->ninit)
        return;
    /* Mostly-constant aggregates: one COPY from an image in the data. */
    int allconst = s->ninit >= 3 && t->size <= 65536;
    uint64_t covered = 0;
    int bitf = 0;
    for (uint32_t i = 0; i < s->ninit; i++) {
        const ast_init *in = &s->init[i];
        if (allconst && !init_const(in))
            allconst = 0;
        if (in->is_bitfield)
            bitf = 1;
        covered += in->kind == INIT_BYTES ? in->nbytes : in->type ? in->type->size : 0;
    }
    ir_reg base = frame_addr(L, s->lw_offset);
    if (allconst) {
        uint8_t *img = kp_arena_alloc(&L->cx->arena, t->size ? t->size : 1);
        if (!img) {
            nomem(L);
            return;
        }
        for (uint32_t i = 0; i < s->ninit && !L->stop; i++)
            img_entry(L, img, t->size, &s->init[i]);
        uint32_t align = t->align > 8 ? 8 : t->align ? t->align : 1;
        ir_reg src = gaddr(L, lit_intern(L, (const char *)img, t->size, align));
        emit_copy(L, base, src, t->size);
        return;
    }
    if (bitf || covered != t->size) {
        ir_insn z = {.op = IR_ZERO, .a = base, .imm = t->size};
        emit(L, &z);
    }
    for (uint32_t i = 0; i < s->ninit && !L->stop; i++)
        store_init(L, base, &s->init[i]);
}

/* ---- statements ------------------------------------------------------------ */

static void default_ret(lw *L)
{
    ir_insn r = {.op = IR_RET};
    if (L->sret) {
        r.a = L->sret;
        r.type = IR_I32;
    } else if (L->f->sig.ret != IR_VOID) {
        int t = ir_sig_regtype(L->f->sig.ret);
        r.type = (uint8_t)t;
        r.a = R(L, vk_zero(t));
    }
    emit(L, &r);
}

static void push_loop(lw *L, const ast_stmt *s, uint32_t brk, uint32_t cont)
{
    lw_loop *l = grow(L, L->loops, &L->loopcap, L->nloops + 1, sizeof *l);
    if (!l)
        return;
    L->loops = l;
    l[L->nloops].s = s;
    l[L->nloops].brk = brk;
    l[L->nloops].cont = cont;
    L->nloops++;
}

static const lw_loop *find_loop(lw *L, const ast_stmt *target)
{
    for (uint32_t i = L->nloops; i-- > 0;)
        if (L->loops[i].s == target)
            return &L->loops[i];
    return NULL;
}

static uint32_t label_block(lw *L, ast_stmt *lab)
{
    if (!lab->lw_done) {
        lab->lw_block = blk_new(L);
        lab->lw_done = 1;
    }
    return lab->lw_block;
}

static void lower_stmt(lw *L, const ast_stmt *s);

static void stmt_return(lw *L, const ast_stmt *s)
{
    if (!s->expr) {
        default_ret(L);
        return;
    }
    if (L->sret) {
        val v = lower_expr(L, s->expr);
        emit_copy(L, L->sret, R(L, v), L->ret->size);
        ir_insn r = {.op = IR_RET, .type = IR_I32, .a = L->sret};
        emit(L, &r);
        return;
    }
    if (L->f->sig.ret == IR_VOID) {
        lower_void(L, s->expr);
        default_ret(L);
        return;
    }
    val v = lower_expr(L, s->expr);
    int t = ir_sig_regtype(L->f->sig.ret);
    if (v.t != t) {
        ierr(L, "return of %s from a function returning %s", ir_type_name(v.t), ir_type_name(t));
        return;
    }
    ir_insn r = {.op = IR_RET, .type = (uint8_t)t};
    r.a = R(L, v);
    emit(L, &r);
}

static void stmt_switch(lw *L, const ast_stmt *s)
{
    val v = lower_expr(L, s->expr);
    if (v.t != IR_I32 && v.t != IR_I64) {
        ierr(L, "switch on a non-integer");
        return;
    }
    ir_reg a = R(L, v);
    uint32_t X = blk_new(L);
    ir_case *cs = NULL;
    if (s->ncases) {
        cs = kp_arena_alloc(&L->m->arena, (size_t)s->ncases * sizeof *cs);
        if (!cs) {
            nomem(L);
            return;
        }
    }
    for (uint32_t i = 0; i < s->ncases; i++) {
        ast_stmt *c = s->cases[i];
        c->lw_block = blk_new(L);
        c->lw_done = 1;
        cs[i].block = c->lw_block;
        cs[i].value = v.t == IR_I32 ? (int64_t)(int32_t)(uint32_t)c->ival : c->ival;
    }
    uint32_t D = X;
    if (s->default_case) {
        s->default_case->lw_block = D = blk_new(L);
        s->default_case->lw_done = 1;
    }
    ir_insn sw = {.op = IR_SWITCH, .type = v.t, .a = a, .t1 = D, .nargs = s->ncases,
                  .cases = cs};
    emit(L, &sw);
    const lw_loop *outer = L->nloops ? &L->loops[L->nloops - 1] : NULL;
    push_loop(L, s, X, outer ? outer->cont : X);
    lower_stmt(L, s->then);
    L->nloops--;
    blk_start(L, X);
}

static uint32_t expr_nodes(const ast_expr *e, uint32_t budget)
{
    if (!e || budget == 0)
        return 0;
    uint32_t n = 1;
    const ast_expr *kids[3] = {e->lhs, e->rhs, e->cond};
    for (int i = 0; i < 3 && n < budget; i++)
        n += expr_nodes(kids[i], budget - n);
    if (e->kind == EX_CALL)
        n = budget; /* keep calls out of duplicated tests */
    return n;
}

/* Is a loop test small enough to be emitted twice (at the top and in the
 * latch)? Constant tests need no repeat. */
static int small_cond(const ast_expr *e)
{
    return e && e->kind != EX_INT && expr_nodes(e, 24) < 24;
}

static void lower_stmt(lw *L, const ast_stmt *s)
{
    if (!s || L->stop)
        return;
    if (!fe_enter(L->cx, s->file, (int)s->line, (int)s->col)) {
        L->stop = 1;
        return;
    }
    L->file = s->file;
    L->line = s->line;
    L->col = s->col;
    switch (s->kind) {
    case ST_EMPTY:
        break;
    case ST_EXPR:
        lower_void(L, s->expr);
        break;
    case ST_DECL:
        if (s->sym && s->sym->kind == SYM_LOCAL) {
            local_storage(L, s->sym, 0);
            if (s->sym->lw_done == LOC_REG || s->sym->ninit)
                init_local(L, s->sym);
        }
        break;
    case ST_BLOCK:
        for (uint32_t i = 0; i < s->nbody && !L->stop; i++)
            lower_stmt(L, s->body[i]);
        break;
    case ST_IF: {
        /* else-if chains iterate instead of nesting */
        uint32_t J = blk_new(L);
        for (const ast_stmt *x = s;;) {
            uint32_t T = blk_priv(L), E = x->els ? blk_priv(L) : J;
            cond(L, x->expr, T, E);
            blk_start(L, T);
            lower_stmt(L, x->then);
            if (!x->els)
                break;
            emit_jmp(L, J);
            blk_start(L, E);
            if (x->els->kind != ST_IF) {
                lower_stmt(L, x->els);
                break;
            }
            x = x->els;
            L->line = x->line;
            L->col = x->col;
        }
        blk_start(L, J);
        break;
    }
    case ST_WHILE: {
        /* H: test; B: body; C: the test again, branching back to B: one
         * branch per iteration instead of a test and a jump */
        int dup = small_cond(s->expr);
        uint32_t H = blk_new(L), B = blk_new(L), X = blk_new(L);
        uint32_t C = dup ? blk_new(L) : H;
        blk_start(L, H);
        cond(L, s->expr, B, X);
        push_loop(L, s, X, C);
        blk_start(L, B);
        lower_stmt(L, s->then);
        L->nloops--;
        if (dup) {
            blk_start(L, C);
            L->line = s->line;
            L->col = s->col;
            cond(L, s->expr, B, X);
        } else {
            emit_jmp(L, H);
        }
        blk_start(L, X);
        break;
    }
    case ST_DO: {
        uint32_t B = blk_new(L), C = blk_new(L), X = blk_new(L);
        blk_start(L, B);
        push_loop(L, s, X, C);
        lower_stmt(L, s->then);
        L->nloops--;
        blk_start(L, C);
        L->line = s->line;
        L->col = s->col;
        cond(L, s->expr, B, X);
        blk_start(L, X);
        break;
    }
    case ST_FOR: {
        lower_stmt(L, s->init);
        /* like while: the latch S runs the step and repeats the test */
        int dup = s->expr && small_cond(s->expr);
        uint32_t H = blk_new(L), X = blk_new(L);
        uint32_t B = s->expr ? blk_new(L) : H;
        uint32_t S = s->step || dup ? blk_new(L) : H;
        blk_start(L, H);
        if (s->expr) {
            L->line = s->line;
            L->col = s->col;
            cond(L, s->expr, B, X);
            blk_start(L, B);
        }
        push_loop(L, s, X, S);
        lower_stmt(L, s->then);
        L->nloops--;
        if (S != H) {
            blk_start(L, S);
            lower_void(L, s->step);
        }
        if (dup) {
            L->line = s->line;
            L->col = s->col;
            cond(L, s->expr, B, X);
        } else {
            emit_jmp(L, H);
        }
        blk_start(L, X);
        break;
    }
    case ST_SWITCH:
        stmt_switch(L, s);
        break;
    case ST_CASE:
    case ST_DEFAULT:
        if (!s->lw_done) {
            ierr(L, "case label outside a switch");
            break;
        }
        blk_start(L, s->lw_block);
        break;
    case ST_BREAK:
    case ST_CONTINUE: {
        const lw_loop *l = s->target ? find_loop(L, s->target) : NULL;
        if (!l) {
            ierr(L, "break/continue without a target");
            break;
        }
        emit_jmp(L, s->kind == ST_BREAK ? l->brk : l->cont);
        break;
    }
    case ST_GOTO:
        if (!s->target) {
            ierr(L, "goto without a label");
            break;
        }
        emit_jmp(L, label_block(L, s->target));
        break;
    case ST_LABEL:
        blk_start(L, label_block(L, (ast_stmt *)s));
        break;
    case ST_RETURN:
        stmt_return(L, s);
        break;
    default:
        ierr(L, "unknown statement kind %d", s->kind);
    }
    fe_leave(L->cx);
}

/* ---- functions ---------------------------------------------------------- */

static void retarget(ir_insn *in, const uint32_t *map);

/* Renumber blocks in the order they were started (source order). */
static void reorder_blocks(lw *L)
{
    ir_func *f = L->f;
    uint32_t n = f->nblocks;
    uint32_t *map = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *map);
    ir_block *tmp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *tmp);
    if (!map || !tmp) {
        nomem(L);
        return;
    }
    for (uint32_t b = 0; b < n; b++)
        map[b] = UINT32_MAX;
    uint32_t k = 0;
    for (uint32_t i = 0; i < L->nseq; i++)
        map[L->seq[i]] = k++;
    for (uint32_t b = 0; b < n && !L->stop; b++) {
        if (map[b] != UINT32_MAX)
            continue;
        /* created but never placed (not expected): keep it well-formed */
        L->cur = b;
        L->dead = 0;
        default_ret(L);
        map[b] = k++;
    }
    if (L->stop)
        return;
    memcpy(tmp, f->blocks, (size_t)n * sizeof *tmp);
    for (uint32_t b = 0; b < n; b++)
        f->blocks[map[b]] = tmp[b];
    for (uint32_t b = 0; b < n; b++)
        for (uint32_t i = 0; i < f->blocks[b].ninsns; i++)
            retarget(&f->blocks[b].insns[i], map);
}

static void retarget(ir_insn *in, const uint32_t *map)
{
    switch (in->op) {
    case IR_JMP:
        in->t1 = map[in->t1];
        break;
    case IR_BR:
        in->t1 = map[in->t1];
        in->t2 = map[in->t2];
        break;
    case IR_SWITCH:
        in->t1 = map[in->t1];
        for (uint32_t j = 0; j < in->nargs; j++)
            in->cases[j].block = map[in->cases[j].block];
        break;
    default:
        break;
    }
}

/* Branches to a block that only jumps on go straight to its target, and
 * blocks nothing reaches (code after return/break/goto, emptied jump
 * blocks) are dropped; the order of the others is kept. */
static void simplify_cfg(lw *L)
{
    ir_func *f = L->f;
    uint32_t n = f->nblocks;
    uint32_t *fwd = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *fwd);
    uint32_t *stack = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *stack);
    if (!fwd || !stack) {
        nomem(L);
        return;
    }
    for (uint32_t b = 0; b < n; b++) {
        uint32_t t = b;
        for (int hops = 0; hops < 16; hops++) { /* bounded: cycles of jumps stay */
            const ir_block *bl = &f->blocks[t];
            if (bl->ninsns != 1 || bl->insns[0].op != IR_JMP || bl->insns[0].t1 == t)
                break;
            t = bl->insns[0].t1;
        }
        fwd[b] = t;
    }
    for (uint32_t b = 0; b < n; b++)
        for (uint32_t i = 0; i < f->blocks[b].ninsns; i++)
            retarget(&f->blocks[b].insns[i], fwd);
    /* A block that ends by jumping to a block with no other predecessor
     * absorbs it: one dispatch less per pass. */
    memset(fwd, 0, (size_t)n * sizeof *fwd); /* predecessor counts */
    for (uint32_t b = 0; b < n; b++) {
        const ir_block *bl = &f->blocks[b];
        const ir_insn *in = &bl->insns[bl->ninsns - 1];
        if (in->op == IR_JMP) {
            fwd[in->t1]++;
        } else if (in->op == IR_BR) {
            fwd[in->t1]++;
            fwd[in->t2]++;
        } else if (in->op == IR_SWITCH) {
            fwd[in->t1]++;
            for (uint32_t j = 0; j < in->nargs; j++)
                fwd[in->cases[j].block]++;
        }
    }
    for (uint32_t b = 0; b < n && !L->stop; b++) {
        for (;;) {
            ir_block *bl = &f->blocks[b];
            if (!bl->ninsns)
                break;
            const ir_insn *last = &bl->insns[bl->ninsns - 1];
            uint32_t t = last->t1;
            if (last->op != IR_JMP || t == b || t == 0 || fwd[t] != 1)
                break;
            ir_block tb = f->blocks[t];
            bl->ninsns--;
            for (uint32_t i = 0; i < tb.ninsns; i++)
                if (!ir_emit(L->m, f, b, &tb.insns[i])) {
                    nomem(L);
                    return;
                }
            f->blocks[t].ninsns = 0;
            fwd[t] = 0;
        }
    }
    /* reachability from the entry; fwd becomes the new numbering */
    memset(fwd, 0xff, (size_t)n * sizeof *fwd);
    uint32_t sp = 0;
    stack[sp++] = 0;
    fwd[0] = 0;
    while (sp) {
        const ir_block *bl = &f->blocks[stack[--sp]];
        if (!bl->ninsns) {
            ierr(L, "empty block reached");
            return;
        }
        const ir_insn *in = &bl->insns[bl->ninsns - 1];
        uint32_t nt = in->op == IR_JMP ? 1 : in->op == IR_BR ? 2 :
                      in->op == IR_SWITCH ? 1 + in->nargs : 0;
        for (uint32_t j = 0; j < nt; j++) {
            uint32_t t = j == 0 ? in->t1 : in->op == IR_BR ? in->t2 : in->cases[j - 1].block;
            if (fwd[t] == UINT32_MAX) {
                fwd[t] = 0;
                stack[sp++] = t;
            }
        }
    }
    uint32_t k = 0;
    for (uint32_t b = 0; b < n; b++)
        if (fwd[b] != UINT32_MAX) {
            fwd[b] = k;
            f->blocks[k++] = f->blocks[b];
        }
    f->nblocks = k;
    for (uint32_t b = 0; b < k; b++)
        for (uint32_t i = 0; i < f->blocks[b].ninsns; i++)
            retarget(&f->blocks[b].insns[i], fwd);
}

static void lower_func(lw *L, uint32_t fi)
{
    const ast_func *af = L->u->funcs[fi];
    ir_func *f = L->m->funcs[fi];
    csym *fs = af->sym;
    L->f = f;
    L->af = af;
    L->nseq = 0;
    L->nloops = 0;
    L->dead = 1;
    L->sret = 0;
    L->ret = fs->type->base;
    L->file = fs->file;
    L->line = af->line;
    L->col = af->col;
    f->line = af->line;
    snprintf(L->cx->cur_function, sizeof L->cx->cur_function, "%s", fs->name ? fs->name : "");
    blk_start(L, blk_new(L));
    ir_reg r = 1;
    if (is_su(L->ret))
        L->sret = r++;
    if (r - 1 + af->nparams != f->sig.nparams) {
        ierr(L, "parameter count of '%s' does not match its type", f->name);
        return;
    }
    for (uint32_t i = 0; i < af->nparams && !L->stop; i++, r++) {
        csym *p = af->params[i];
        const ctype *t = p->type;
        if (!t) {
            ierr(L, "parameter without a type");
            return;
        }
        if (is_su(t)) {
            p->lw_done = LOC_IND;
            p->lw_reg = r;
            continue;
        }
        tcls c = tc(t);
        val v = vr(r, c.t);
        if (c.bits < 32 && !c.flt) /* normalize what a host caller passed */
            v = narrow(L, v, c);
        if (p->addr_taken) {
            p->lw_done = LOC_FRAME;
            p->lw_offset = frame_alloc(L, t->size, t->align);
            lval lv = {.k = LV_MEM, .r = frame_addr(L, p->lw_offset), .ty = t};
            store(L, &lv, v, 0);
        } else {
            p->lw_done = LOC_REG;
            p->lw_reg = r;
            write_reg(L, r, v);
        }
    }
    lower_stmt(L, af->body);
    if (!L->dead) {
        L->line = af->line;
        L->col = af->col;
        default_ret(L);
    }
    if (!L->stop)
        reorder_blocks(L);
    if (!L->stop)
        simplify_cfg(L);
}

static void declare_funcs(lw *L)
{
    const ast_unit *u = L->u;
    for (uint32_t i = 0; i < u->nfuncs && !L->stop; i++) {
        const ast_func *af = u->funcs[i];
        csym *s = af ? af->sym : NULL;
        if (!s || !s->type || s->type->kind != TY_FUNC || !s->name) {
            ierr(L, "malformed function definition");
            return;
        }
        L->file = s->file;
        L->line = af->line;
        L->col = af->col;
        ir_sig sig;
        int sret;
        if (sig_of(L, s->type, &sig, &sret))
            return;
        ir_func *f = ir_func_new(L->m, s->name, &sig);
        if (!f) {
            nomem(L);
            return;
        }
        f->is_static = s->is_static;
        uint32_t idx;
        if (map_get(&L->fnames, s->name, (uint32_t)strlen(s->name), &idx)) {
            ierr(L, "function '%s' defined twice", s->name);
            return;
        }
        map_put(L, &L->fnames, s->name, (uint32_t)strlen(s->name), i);
        s->lw_done = FN_LOCAL;
        s->lw_index = i;
    }
}

static void finish(lw *L)
{
    ir_module *m = L->m;
    kp_arena *a = &m->arena;
    const ast_unit *u = L->u;
    uint32_t size = L->lsize ? L->lbase + L->lsize : L->gsize;
    if (size) {
        L->img = m->data = kp_arena_alloc(a, size); /* zeroed */
        if (!m->data) {
            nomem(L);
            return;
        }
        for (uint32_t i = 0; i < u->nglobals && !L->stop; i++) {
            csym *s = u->globals[i];
            if (!s || s->is_extern_decl || !s->ninit || s->lw_done != 1)
                continue;
            L->file = s->file;
            L->line = s->line;
            L->col = s->col;
            data_init(L, s->lw_offset, s);
        }
        if (L->lsize)
            memcpy(m->data + L->lbase, L->lit, L->lsize);
    }
    m->data_size = size;
    m->data_align = L->dalign ? L->dalign : 1;
    if (L->nrel) {
        m->relocs = kp_arena_alloc(a, (size_t)L->nrel * sizeof *m->relocs);
        if (m->relocs)
            memcpy(m->relocs, L->rel, (size_t)L->nrel * sizeof *m->relocs);
    }
    m->nrelocs = L->nrel;
    if (L->nimp) {
        m->imports = kp_arena_alloc(a, (size_t)L->nimp * sizeof *m->imports);
        if (m->imports)
            memcpy(m->imports, L->imp, (size_t)L->nimp * sizeof *m->imports);
    }
    m->nimports = L->nimp;
}

ir_module *fe_lower(fe_ctx *cx, const ast_unit *u)
{
    if (!u)
        return NULL;
    ir_module *m = ir_module_new();
    if (!m) {
        fe_nomem(cx);
        return NULL;
    }
    lw L0;
    memset(&L0, 0, sizeof L0);
    lw *L = &L0;
    L->cx = cx;
    L->u = u;
    L->m = m;
    L->dalign = 1;
    unsigned depth0 = cx->depth, nest0 = cx->opts.max_nesting;
    /* The parser bounds the nesting of the source; an AST level costs the
     * lowering a few hundred bytes of stack, so allow twice that depth. */
    cx->opts.max_nesting = (nest0 ? nest0 : 256) * 2;
    declare_funcs(L);
    layout_globals(L);
    for (uint32_t i = 0; i < u->nfuncs && !failed(L); i++)
        lower_func(L, i);
    L->f = NULL;
    cx->cur_function[0] = 0;
    cx->depth = depth0;
    cx->opts.max_nesting = nest0;
    if (!failed(L))
        finish(L);
    if (failed(L) || cx->nerrors) {
        ir_module_free(m);
        return NULL;
    }
    return m;
}

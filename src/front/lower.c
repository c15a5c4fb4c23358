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
#include "lower.h"

/* ---- errors --------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void lw_ierr(lw *L, const char *fmt, ...)
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

void lw_nomem(lw *L)
{
    if (!L->stop)
        fe_nomem(L->cx);
    L->stop = 1;
}

static int failed(lw *L)
{
    if (!L->stop && (L->cx->arena.failed || L->m->arena.failed))
        lw_nomem(L);
    if (!L->stop && fe_should_stop(L->cx))
        L->stop = 1;
    return L->stop;
}

void *lw_grow_slow(lw *L, void *p, uint32_t *cap, uint32_t need, size_t elt)
{
    uint32_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > UINT32_MAX / 2) {
            lw_nomem(L);
            return NULL;
        }
        nc *= 2;
    }
    void *q = kp_arena_realloc(&L->cx->arena, p, (size_t)*cap * elt, (size_t)nc * elt);
    if (!q) {
        lw_nomem(L);
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
            lw_nomem(L);
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












/* ---- blocks and emission ---------------------------------------------- */

uint32_t lw_blk_new(lw *L)
{
    uint32_t b = ir_block_new(L->m, L->f);
    if (b == (uint32_t)-1) {
        lw_nomem(L);
        return 0;
    }
    uint8_t *s = lw_grow(L, L->started, &L->startcap, b + 1, 1);
    uint8_t *pv = s ? lw_grow(L, L->priv, &L->privcap, b + 1, 1) : NULL;
    uint32_t *np = pv ? lw_grow(L, L->npred, &L->npredcap, b + 1, sizeof *np) : NULL;
    uint32_t *lp = np ? lw_grow(L, L->lastpred, &L->lastcap, b + 1, sizeof *lp) : NULL;
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
uint32_t lw_blk_priv(lw *L)
{
    uint32_t b = lw_blk_new(L);
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


/* Place block b here: code falls through into it from the open block. */
void lw_blk_start(lw *L, uint32_t b)
{
    if (L->stop)
        return;
    uint32_t prev = L->cur;
    if (!L->dead && !ir_block_terminated(L->f, L->cur)) {
        ir_insn j = {.op = IR_JMP, .t1 = b};
        lw_emit(L, &j);
    }
    if (b >= L->f->nblocks || L->started[b]) {
        lw_ierr(L, "block b%u started twice", b);
        return;
    }
    uint32_t *s = lw_grow(L, L->seq, &L->seqcap, L->nseq + 1, sizeof *s);
    if (!s)
        return;
    L->seq = s;
    s[L->nseq++] = b;
    L->started[b] = 1;
    int keep = L->priv[b] && L->npred[b] == 1 && L->lastpred[b] == prev && L->nseq > 1;
    L->cur = b;
    L->dead = 0;
    if (!keep) {
        L->cse_next = 0;
        L->cse_hi = 0;
    }
    /* the block's instruction array now, as ir_emit would make it for
     * the first instruction: then every lw_emit takes its inline path */
    ir_block *bl = &L->f->blocks[b];
    if (!bl->cap) {
        ir_insn *ni = kp_arena_realloc_raw(&L->m->arena, NULL, 0, IR_BLOCK_CAP0 * sizeof *ni);
        if (!ni) {
            lw_nomem(L);
            return;
        }
        bl->insns = ni;
        bl->cap = IR_BLOCK_CAP0;
    }
}

/* Pure operations as a bit mask: asked on every emitted instruction. */
#define CSE_BIT(op) ((uint64_t)1 << (op))
_Static_assert(IR_NUM_OPS <= 64, "cse_pure's mask holds every operation");
static const uint64_t cse_pure_ops =
    ((CSE_BIT(IR_BITCAST) | (CSE_BIT(IR_BITCAST) - 1)) & ~(CSE_BIT(IR_ADD) - 1) &
     ~(CSE_BIT(IR_DIVS) | CSE_BIT(IR_DIVU) | CSE_BIT(IR_REMS) | CSE_BIT(IR_REMU))) |
    CSE_BIT(IR_FRAME) | CSE_BIT(IR_GADDR) | CSE_BIT(IR_FADDR);

static inline int cse_pure(int op)
{
    return (unsigned)op < 64 && (cse_pure_ops >> op & 1);
}

/* Register r was (re)defined: forget what depended on it. */
void lw_cse_kill(lw *L, ir_reg r)
{
    /* most definitions are of a fresh temp, newer than everything known */
    if (r > L->cse_hi)
        return;
    uint32_t n = L->cse_next < LW_CSE ? L->cse_next : LW_CSE;
    for (uint32_t i = 0; i < n; i++) {
        lw_cse *c = &L->cse[i];
        if (c->key && (c->dst == r || (ir_reg)(c->key >> 32) == r || c->b == r))
            c->key = 0;
    }
}

/* The fields a lookup compares first, in one word: a lookup scans up to
 * LW_CSE entries. Never 0 for a pure operation (op >= IR_ADD). */
static inline uint64_t cse_key(const ir_insn *in)
{
    return in->op | (uint32_t)in->type << 8 | (uint32_t)in->stype << 16 | (uint64_t)in->a << 32;
}

static inline void cse_add(lw *L, const ir_insn *in)
{
    if (!cse_pure(in->op) || in->a == in->dst || in->b == in->dst)
        return;
    lw_cse *c = &L->cse[L->cse_next++ % LW_CSE];
    c->key = cse_key(in);
    c->b = in->b;
    c->imm = in->imm;
    c->dst = in->dst;
    ir_reg hi = in->dst > in->a ? in->dst : in->a;
    hi = hi > in->b ? hi : in->b;
    if (hi > L->cse_hi)
        L->cse_hi = hi;
}

static inline ir_reg cse_find(const lw *L, const ir_insn *in)
{
    /* an operand newer than every register the table mentions (a temp
     * just made, often a constant's) matches no entry: no scan */
    if (in->a > L->cse_hi || in->b > L->cse_hi)
        return 0;
    uint32_t n = L->cse_next < LW_CSE ? L->cse_next : LW_CSE;
    uint64_t k = cse_key(in);
    for (uint32_t i = 0; i < n; i++) {
        const lw_cse *c = &L->cse[i];
        if (c->key == k && c->b == in->b && c->imm == in->imm)
            return c->dst;
    }
    return 0;
}

ir_insn *lw_emit(lw *L, ir_insn *in)
{
    if (__builtin_expect(!L->f || L->stop || L->dead, 0)) {
        if (!L->f)
            lw_ierr(L, "code outside a function");
        if (L->stop)
            return &lw_dummy;
        if (L->dead)
            lw_blk_start(L, lw_blk_new(L)); /* unreachable code still gets a well-formed block */
        if (L->stop)
            return &lw_dummy;
    }
    if (!in->line) {
        in->line = L->line;
        in->col = L->col;
    }
    ir_insn *p;
    ir_block *bl = L->cur < L->f->nblocks ? &L->f->blocks[L->cur] : NULL;
    if (__builtin_expect(bl && bl->ninsns < bl->cap, 1)) { /* ir_emit's common case, inline */
        p = &bl->insns[bl->ninsns++];
        *p = *in;
    } else {
        p = ir_emit(L->m, L->f, L->cur, in);
    }
    if (!p) {
        lw_nomem(L);
        return &lw_dummy;
    }
    if (in->dst) {
        lw_cse_kill(L, in->dst);
        cse_add(L, in);
    }
    if (in->op == IR_JMP || in->op == IR_BR || in->op == IR_SWITCH || in->op == IR_RET) {
        L->dead = 1; /* ir_is_terminator, without a call per instruction */
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

ir_reg lw_newreg_slow(lw *L, int t)
{
    if (!L->f)
        lw_ierr(L, "register outside a function");
    if (L->stop)
        return 1;
    ir_reg r = ir_reg_new(L->m, L->f, (ir_type)t);
    if (!r) {
        lw_nomem(L);
        return 1;
    }
    return r;
}

void lw_emit_jmp(lw *L, uint32_t b)
{
    ir_insn j = {.op = IR_JMP, .t1 = b};
    lw_emit(L, &j);
}

/* ---- values ------------------------------------------------------------ */











/* The register of v, emitting the CONST of a constant here. */
ir_reg lw_regof_slow(lw *L, val v)
{
    if (!v.k)
        return v.r ? v.r : lw_newreg(L, v.t ? v.t : IR_I32);
    int t = v.t ? v.t : IR_I32;
    ir_insn in = {.op = IR_CONST, .type = (uint8_t)t, .dst = lw_newreg(L, t)};
    if (t == IR_F32 || t == IR_F64)
        in.fimm = v.f;
    else
        in.imm = v.i;
    lw_emit(L, &in);
    return in.dst;
}

/* Emit `in` with a fresh destination of type t and return it as a value. */
val lw_emit_dst(lw *L, ir_insn *in, int t)
{
    if (cse_pure(in->op) && !L->dead && !L->stop) {
        ir_reg r = cse_find(L, in);
        if (r) {
            L->cse_pinned = r;
            return vr(r, t);
        }
    }
    in->dst = lw_newreg(L, t);
    lw_emit(L, in);
    val v = vr(in->dst, t);
    v.fresh = 1;
    return v;
}

/* Assign v to register var (of the same type), avoiding a MOV when v was
 * just computed into a temp. */
void lw_write_reg(lw *L, ir_reg var, val v)
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
        lw_emit(L, &in);
        return;
    }
    if (v.r == var)
        return;
    if (v.t != t) {
        lw_ierr(L, "register assignment of %s to %s", ir_type_name(v.t), ir_type_name(t));
        return;
    }
    ir_block *b = &L->f->blocks[L->cur];
    if (v.fresh && !L->dead && b->ninsns && b->insns[b->ninsns - 1].dst == v.r &&
        v.r != L->cse_pinned &&
        v.r == L->f->nregs - 1 && !ir_is_terminator(b->insns[b->ninsns - 1].op)) {
        ir_insn *last = &b->insns[b->ninsns - 1];
        last->dst = var;
        L->f->nregs--; /* the temp was the last register made, and is now unused */
        lw_cse_kill(L, v.r);
        lw_cse_kill(L, var);
        cse_add(L, last);
        return;
    }
    ir_insn in = {.op = IR_MOV, .type = (uint8_t)t, .dst = var, .a = v.r};
    lw_emit(L, &in);
}

/* ---- constant folding (exactly the IR semantics) ---------------------- */



int64_t lw_f2i_s(double x, int t)
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

int64_t lw_f2i_u(double x, int t)
{
    if (t == IR_I32)
        return (int32_t)(uint32_t)(uint64_t)lw_f2i_s(x, IR_I64);
    if (x < 9223372036854775808.0)
        return lw_f2i_s(x, IR_I64);
    return (int64_t)((uint64_t)lw_f2i_s(x - 9223372036854775808.0, IR_I64) ^ 0x8000000000000000ull);
}



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
    case IR_FTOSI: *r = vk_i(t, lw_f2i_s(a.f, t)); return 1;
    case IR_FTOUI: *r = vk_i(t, lw_f2i_u(a.f, t)); return 1;
    case IR_FCVT: *r = vk_f(t, a.f); return 1;
    default: return 0;
    }
}

/* a op b in type t (comparisons: t is the operand type, result I32). */
val lw_op2(lw *L, int op, int t, val a, val b)
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
        in.b = lw_regof(L, b);
        val v = lw_emit_dst(L, &in, rt);
        if (in.dst == v.r && !L->dead) {
            key.dst = v.r;
            cse_add(L, &key);
        }
        return v;
    }
    ir_insn in = {.op = (uint8_t)op, .type = (uint8_t)t};
    in.a = lw_regof(L, a);
    in.b = lw_regof(L, b);
    return lw_emit_dst(L, &in, rt);
}

val lw_op1(lw *L, int op, int t, int st, val a)
{
    val r;
    if (a.k && fold1(op, t, st, a, &r))
        return r;
    ir_insn in = {.op = (uint8_t)op, .type = (uint8_t)t, .stype = (uint8_t)st};
    in.a = lw_regof(L, a);
    return lw_emit_dst(L, &in, t);
}

/* ---- conversions ------------------------------------------------------ */

/* v != 0 as an I32 0/1 (v of any value type). */
val lw_truth(lw *L, val v)
{
    if (v.t == IR_I32 && !v.k)
        return lw_op2(L, IR_NE, IR_I32, v, vk_i(IR_I32, 0));
    return lw_op2(L, IR_NE, v.t, v, vk_zero(v.t));
}

/* Normalize an I32/I64 value for a class narrower than 32 bits. */
val lw_narrow(lw *L, val v, tcls d)
{
    int t = v.t;
    switch (d.bits) {
    case 1: return lw_op2(L, IR_NE, t, v, vk_i(t, 0));
    case 8: return lw_op1(L, d.uns ? IR_ZEXT8 : IR_SEXT8, t, t, v);
    case 16: return lw_op1(L, d.uns ? IR_ZEXT16 : IR_SEXT16, t, t, v);
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

val lw_conv(lw *L, val v, const ctype *from, const ctype *to)
{
    if (!to || to->kind == TY_VOID)
        return vvoid();
    if (!from || is_aggr(to) || to->kind == TY_FUNC)
        return v;
    tcls s = tc(from), d = tc(to);
    if (v.t == IR_VOID) {
        lw_ierr(L, "conversion of a void value");
        return vk_zero(d.t);
    }
    if (d.bits == 1 && !d.flt) { /* to _Bool */
        if (s.bits == 1 && !s.flt)
            return v;
        return lw_truth(L, v);
    }
    if (d.flt) {
        if (s.flt)
            return s.t == d.t ? v : lw_op1(L, IR_FCVT, d.t, s.t, v);
        int uns = s.uns && s.bits >= 32; /* narrower unsigned values are non-negative */
        return lw_op1(L, uns ? IR_UITOF : IR_SITOF, d.t, s.t, v);
    }
    if (s.flt) {
        if (d.t == IR_I64)
            return lw_op1(L, d.uns ? IR_FTOUI : IR_FTOSI, IR_I64, s.t, v);
        if (d.bits == 32)
            return lw_op1(L, d.uns ? IR_FTOUI : IR_FTOSI, IR_I32, s.t, v);
        return lw_narrow(L, lw_op1(L, IR_FTOSI, IR_I32, s.t, v), d);
    }
    /* integer (or pointer) to integer (or pointer) */
    if (s.t == IR_I64 && d.t == IR_I64)
        return v;
    if (s.t == IR_I32 && d.t == IR_I64)
        return lw_op1(L, s.uns ? IR_ZEXT32 : IR_SEXT32, IR_I64, IR_I32, v);
    if (s.t == IR_I64) {
        v = lw_op1(L, IR_TRUNC, IR_I32, IR_I64, v);
        return d.bits >= 32 ? v : lw_narrow(L, v, d);
    }
    if (d.bits >= 32 || fits(s, d))
        return v;
    return lw_narrow(L, v, d);
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
uint32_t lw_lit_intern(lw *L, const char *bytes, uint32_t n, uint32_t align)
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
    uint8_t *d = lw_grow(L, L->lit, &L->lcap, (uint32_t)end, 1);
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
    ir_reloc *r = lw_grow(L, L->rel, &L->relcap, L->nrel + 1, sizeof *r);
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
void lw_img_scalar(uint8_t *buf, uint32_t off, const ctype *ty, uint8_t bw, uint8_t bo,
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
        iv = tc(ty).uns ? lw_f2i_u(fv, IR_I64) : lw_f2i_s(fv, IR_I64);
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

int lw_sig_of(lw *L, const ctype *ft, ir_sig *s, int *sret)
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
int lw_func_ref(lw *L, csym *s)
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
        if (!s->type || s->type->kind != TY_FUNC || lw_sig_of(L, s->type, &sig, &sret) ||
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
        lw_ierr(L, "function '%s' without a function type", name);
        return s->lw_done = FN_BAD;
    }
    if (lw_sig_of(L, s->type, &sig, &sret))
        return s->lw_done = FN_BAD;
    ir_import *im = lw_grow(L, L->imp, &L->impcap, L->nimp + 1, sizeof *im);
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

uint32_t lw_global_off(lw *L, csym *s)
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
                lw_ierr(L, "initializer of '%s' out of bounds", s->name ? s->name : "?");
                return;
            }
            memcpy(L->img + off, in->bytes, in->nbytes);
            continue;
        }
        if (!ty || off + (sz > 8 ? 8 : sz) > lim || sz == 0) {
            lw_ierr(L, "initializer of '%s' out of bounds", s->name ? s->name : "?");
            return;
        }
        switch (in->kind) {
        case INIT_INT:
            lw_img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                       in->bit_offset, in->ival, 0, 0);
            break;
        case INIT_FLOAT:
            lw_img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                       in->bit_offset, 0, in->fval, 1);
            break;
        case INIT_EXPR: {
            const ast_expr *e = in->expr;
            while (e && e->kind == EX_CAST && e->lhs && e->type && ty_is_arith(e->type) &&
                   (e->lhs->kind == EX_INT || e->lhs->kind == EX_FLOAT || e->lhs->kind == EX_CAST))
                e = e->lhs; /* constants only; img_scalar converts */
            if (e && e->kind == EX_INT)
                lw_img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                           in->bit_offset, e->ival, 0, 0);
            else if (e && e->kind == EX_FLOAT)
                lw_img_scalar(L->img, (uint32_t)off, ty, in->is_bitfield ? in->bit_width : 0,
                           in->bit_offset, 0, e->fval, 1);
            else
                lw_ierr(L, "non-constant initializer of '%s'", s->name ? s->name : "?");
            break;
        }
        case INIT_ADDR: {
            if (sz < 4) {
                lw_ierr(L, "address stored in a %u-byte object", sz);
                return;
            }
            uint32_t word = 0, kind = IR_R_DATA, target = 0;
            if (!in->sym) {
                word = lw_lit_intern(L, in->str, in->str_len, 1) + (uint32_t)in->addend;
            } else if (in->sym->kind == SYM_FUNC) {
                int k = lw_func_ref(L, in->sym);
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
                word = lw_global_off(L, in->sym) + (uint32_t)in->addend;
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
            lw_ierr(L, "unknown initializer kind %d", in->kind);
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
                lw_lit_intern(L, s->init[j].str, s->init[j].str_len, 1);
    }
}

/* ---- functions ---------------------------------------------------------- */

static void retarget(ir_insn *in, const uint32_t *map);

/* Only a block's last instruction can branch (lw_emit ends the block at
 * a terminator, and merging blocks keeps that). */
static void retarget_block(ir_block *bl, const uint32_t *map)
{
    if (bl->ninsns)
        retarget(&bl->insns[bl->ninsns - 1], map);
}

/* Renumber blocks in the order they were started (source order). */
static void reorder_blocks(lw *L)
{
    ir_func *f = L->f;
    uint32_t n = f->nblocks;
    uint32_t *map = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *map);
    ir_block *tmp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *tmp);
    if (!map || !tmp) {
        lw_nomem(L);
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
        lw_default_ret(L);
        map[b] = k++;
    }
    if (L->stop)
        return;
    memcpy(tmp, f->blocks, (size_t)n * sizeof *tmp);
    for (uint32_t b = 0; b < n; b++)
        f->blocks[map[b]] = tmp[b];
    for (uint32_t b = 0; b < n; b++)
        retarget_block(&f->blocks[b], map);
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
        lw_nomem(L);
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
        retarget_block(&f->blocks[b], fwd);
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
                    lw_nomem(L);
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
            lw_ierr(L, "empty block reached");
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
        retarget_block(&f->blocks[b], fwd);
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
    {
        const char *nm = fs->name ? fs->name : "";
        size_t k = 0;
        for (; nm[k] && k + 1 < sizeof L->cx->cur_function; k++)
            L->cx->cur_function[k] = nm[k];
        L->cx->cur_function[k] = 0;
    }
    lw_blk_start(L, lw_blk_new(L));
    ir_reg r = 1;
    if (is_su(L->ret))
        L->sret = r++;
    if (r - 1 + af->nparams != f->sig.nparams) {
        lw_ierr(L, "parameter count of '%s' does not match its type", f->name);
        return;
    }
    for (uint32_t i = 0; i < af->nparams && !L->stop; i++, r++) {
        csym *p = af->params[i];
        const ctype *t = p->type;
        if (!t) {
            lw_ierr(L, "parameter without a type");
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
            v = lw_narrow(L, v, c);
        if (p->addr_taken) {
            p->lw_done = LOC_FRAME;
            p->lw_offset = lw_frame_alloc(L, t->size, t->align);
            lval lv = {.k = LV_MEM, .r = lw_frame_addr(L, p->lw_offset), .ty = t};
            lw_store(L, &lv, v, 0);
        } else {
            p->lw_done = LOC_REG;
            p->lw_reg = r;
            lw_write_reg(L, r, v);
        }
    }
    lw_lower_stmt(L, af->body);
    if (!L->dead) {
        L->line = af->line;
        L->col = af->col;
        lw_default_ret(L);
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
            lw_ierr(L, "malformed function definition");
            return;
        }
        L->file = s->file;
        L->line = af->line;
        L->col = af->col;
        ir_sig sig;
        int sret;
        if (lw_sig_of(L, s->type, &sig, &sret))
            return;
        ir_func *f = ir_func_new(L->m, s->name, &sig);
        if (!f) {
            lw_nomem(L);
            return;
        }
        f->is_static = s->is_static;
        uint32_t idx;
        if (map_get(&L->fnames, s->name, (uint32_t)strlen(s->name), &idx)) {
            lw_ierr(L, "function '%s' defined twice", s->name);
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
            lw_nomem(L);
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

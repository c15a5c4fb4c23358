/*
 * opt.c — cheap optimizations on a private copy of a function's IR (the
 * module's IR is shared and stays untouched), in this order: inlining of
 * small leaf functions (inline_calls), constant folding of what that
 * leaves (fold_constants), local CSE, post-increment rewriting, store-
 * address sinking.
 *
 * Then post-increment rewriting (below, post_increment).
 *
 * Local common-subexpression elimination: inside a block, a pure
 * operation (arithmetic without traps, comparisons, conversions, FRAME)
 * whose operands and previous result register were not redefined since an
 * identical earlier one becomes `dst = MOV earlier_dst`. Registers are not
 * SSA, so every definition invalidates the expressions that read or
 * produced that register. Loads are never merged (stores and calls may
 * change memory).
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <stdlib.h>
#include <string.h>

#define CSE_MAX 64

static int pure(int op)
{
    switch (op) {
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_AND: case IR_OR: case IR_XOR:
    case IR_SHL: case IR_SHRS: case IR_SHRU: case IR_NEG: case IR_NOT:
    case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS: case IR_GES:
    case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU:
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16: case IR_SEXT32:
    case IR_ZEXT32: case IR_TRUNC: case IR_SITOF: case IR_UITOF: case IR_FTOSI:
    case IR_FTOUI: case IR_FCVT: case IR_BITCAST: case IR_FRAME:
        return 1;
    }
    return 0;
}

typedef struct avail {
    uint8_t op, type, stype;
    ir_reg a, b, dst;
    int64_t imm;
} avail;

/* Operations that can be moved later in a block: no trap, no memory. */
static int movable(int op)
{
    switch (op) {
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR:
    case IR_SHL: case IR_SHRS: case IR_SHRU: case IR_MUL:
        return 1;
    }
    return 0;
}

/* Is r among the first 8 registers `in` reads (jit_insn_regs' order)? */
static inline int reads(const ir_insn *in, ir_reg r)
{
    if (!r)
        return 0;
    unsigned sh = jit_op_shape(in->op);
    uint32_t n = 0;
    if ((sh & JIT_RD_A) && in->a) {
        if (in->a == r)
            return 1;
        n++;
    }
    if ((sh & JIT_RD_B) && in->b) {
        if (in->b == r)
            return 1;
        n++;
    }
    if (sh & JIT_RD_ARGS)
        for (uint32_t i = 0; i < in->nargs && n < 8; i++)
            if (in->args[i]) {
                if (in->args[i] == r)
                    return 1;
                n++;
            }
    return 0;
}

/* The register `in` writes (0: none). */
static inline ir_reg writes(const ir_insn *in)
{
    return (jit_op_shape(in->op) & JIT_WR_DST) ? in->dst : 0;
}

static void replace_reads(ir_insn *in, ir_reg from, ir_reg to)
{
    if (in->op == IR_CONST || in->op == IR_FRAME || in->op == IR_GADDR || in->op == IR_FADDR ||
        in->op == IR_JMP)
        return;
    if (in->a == from)
        in->a = to;
    if (in->b == from && in->op != IR_LOAD && in->op != IR_MOV)
        in->b = to;
    /* call arguments live in the shared IR: callers copy before editing */
}

/*
 * Post-increment: `t = mov x; ...; x = x' op c` where x' is t, followed by
 * further reads of t (the shape of `out[o++]`, `*p++`). Moving the update
 * of x after the last read of t and reading x instead of t removes the
 * copy and lets both values share x's register. Only within a block, for
 * a t defined once and read only there, and only when nothing in between
 * reads or writes x or redefines c; the moved operation cannot trap and
 * touches no memory, so traps and polls are where they were.
 */
static void post_increment(ir_func *c, ir_block *bl, const uint32_t *ndef, const uint32_t *nuse)
{
    for (uint32_t i = 0; i + 1 < bl->ninsns; i++) {
        ir_insn *mv = &bl->insns[i];
        if (mv->op != IR_MOV || !mv->dst || !mv->a || mv->dst == mv->a)
            continue;
        ir_reg t = mv->dst, x = mv->a;
        if (t >= c->nregs || ndef[t] != 1)
            continue;
        /* j: x = op t, k */
        uint32_t j = i + 1, last = 0, uses_after = 0;
        int ok = 1;
        for (; j < bl->ninsns; j++) {
            ir_insn *in = &bl->insns[j];
            ir_reg d = writes(in);
            if (d == x)
                break;
            if (d == t || in->nargs > 6 || in->op == IR_SWITCH) {
                ok = 0;
                break;
            }
        }
        if (!ok || j >= bl->ninsns)
            continue;
        ir_insn *up = &bl->insns[j];
        if (!movable(up->op) || up->a != t || up->b == t || up->b == x || ir_is_terminator(up->op))
            continue;
        /* reads of t: all in this block, between i and the terminator */
        uint32_t k;
        for (k = i + 1; k < bl->ninsns; k++) {
            if (k == j)
                continue;
            ir_insn *in = &bl->insns[k];
            if (in->nargs > 6) {
                ok = 0;
                break;
            }
            if (reads(in, t)) {
                uses_after++;
                last = k;
                if (in->op == IR_CALL || in->op == IR_CALLI || in->op == IR_CALLR ||
                    in->op == IR_CALLP || in->op == IR_SWITCH)
                    ok = 0; /* arguments are shared with the module's IR */
            }
        }
        if (!ok || uses_after + 1 != nuse[t] || last <= j)
            continue;
        /* between j and last: no read or write of x, no write of up->b */
        for (k = j + 1; k <= last && ok; k++) {
            ir_insn *in = &bl->insns[k];
            ir_reg d = writes(in);
            if (d == x || (up->b && d == up->b) || reads(in, x) || ir_is_terminator(in->op))
                ok = 0;
        }
        if (!ok)
            continue;
        /* rewrite: reads of t become reads of x, the update moves after last */
        ir_insn moved = *up;
        moved.a = x;
        for (k = i + 1; k <= last; k++)
            if (k != j)
                replace_reads(&bl->insns[k], t, x);
        memmove(&bl->insns[j], &bl->insns[j + 1], (last - j) * sizeof *bl->insns);
        bl->insns[last] = moved;
        /* the copy is dead: drop it */
        memmove(&bl->insns[i], &bl->insns[i + 1], (bl->ninsns - i - 1) * sizeof *bl->insns);
        bl->ninsns--;
        i--; /* look again at the instruction now at i (wraps to 0 via i++) */
    }
}

/*
 * Store-address sinking: `d = op a, b` whose one read is the address of a
 * later STORE in the block moves to just before that store, together with
 * an update of one of its operands right after it (`out[o++]` lowers to
 * `d = add out, o; o = add o, 1; ... ; store [d]`). Measured on gray.c's
 * loop (bench/RESULTS.md, branch grayloop): with the address and the
 * update at the head of the body, Zen 4 ran it at 1.4-1.6x gcc -O2 at most
 * code alignments; next to the store, at about 1.0x at most alignments.
 * Only pure, non-trapping operations move, past instructions that neither
 * read nor write what they define nor write what they read, so results,
 * traps and polls are unchanged (a trap in between leaves registers only).
 * An operation whose scaled operand (MUL, SHL) was computed just before
 * it for it alone stays (emit.c fuses such pairs into one lea).
 */
static void sink_store_address(ir_block *bl, const uint32_t *ndef, const uint32_t *nuse,
                               uint32_t nregs)
{
    ir_reg buf[8];
    for (uint32_t i = 0; i + 2 < bl->ninsns; i++) {
        const ir_insn *in = &bl->insns[i];
        ir_reg d = in->dst;
        if (!movable(in->op) || !d || d >= nregs || ndef[d] != 1 || nuse[d] != 1)
            continue;
        uint32_t k = i + 1;
        while (k < bl->ninsns && !reads(&bl->insns[k], d))
            k++;
        if (k >= bl->ninsns || bl->insns[k].op != IR_STORE || bl->insns[k].a != d ||
            bl->insns[k].b == d)
            continue;
        /* a scaled operand computed right before (constants emit nothing)
         * and read only here fuses with it (`lea d, [y + x*s]`): keep them
         * together */
        uint32_t p = i;
        while (p > 0 && bl->insns[p - 1].op == IR_CONST)
            p--;
        if (p > 0) {
            const ir_insn *pv = &bl->insns[p - 1];
            if ((pv->op == IR_MUL || pv->op == IR_SHL) && pv->dst && pv->dst < nregs &&
                (pv->dst == in->a || pv->dst == in->b) && nuse[pv->dst] == 1)
                continue;
        }
        /* the run [i, e]: the operation, and the update of an operand of it */
        uint32_t e = i;
        const ir_insn *nx = &bl->insns[i + 1];
        if (i + 1 < k && movable(nx->op) && nx->dst && nx->dst != d &&
            (nx->dst == in->a || nx->dst == in->b))
            e = i + 1;
        if (e + 1 >= k)
            continue;
        int ok = 1;
        for (uint32_t m = e + 1; m < k && ok; m++) {
            const ir_insn *mi = &bl->insns[m];
            ir_reg md = 0;
            uint32_t n = jit_insn_regs(mi, buf, 8, &md);
            if (n > 8 || ir_is_terminator(mi->op)) {
                ok = 0;
                break;
            }
            for (uint32_t r = i; r <= e && ok; r++) {
                const ir_insn *ri = &bl->insns[r];
                if (md && (md == ri->dst || md == ri->a || md == ri->b))
                    ok = 0;
                for (uint32_t q = 0; q < n && ok; q++)
                    if (buf[q] == ri->dst)
                        ok = 0;
            }
        }
        if (!ok)
            continue;
        ir_insn run[2];
        uint32_t len = e - i + 1;
        memcpy(run, &bl->insns[i], len * sizeof *run);
        memmove(&bl->insns[i], &bl->insns[e + 1], (k - e - 1) * sizeof *bl->insns);
        memcpy(&bl->insns[k - len], run, len * sizeof *run);
        i = k; /* past the store */
    }
}

/* ---- inlining ---- */

#define INL_MAX_INSNS 16  /* callee size, RET included */
#define INL_MAX_SITES 64  /* per caller */

/* Can g be expanded in its callers? One block ending in RET, no frame, no
 * calls or memory, nothing that can trap (so the only traps of an inlined
 * body are its entry's, located by JIT_OP_ENTRY), and no register read
 * before its definition except the parameters (the copy does not zero
 * registers as a call's prologue does). */
static int inlinable(const ir_func *g)
{
    if (g->nblocks != 1 || g->frame_size || g->sig.variadic || !g->nregs)
        return 0;
    const ir_block *bl = &g->blocks[0];
    if (!bl->ninsns || bl->ninsns > INL_MAX_INSNS || bl->insns[bl->ninsns - 1].op != IR_RET)
        return 0;
    uint8_t def[64];
    if (g->nregs > sizeof def)
        return 0;
    memset(def, 0, sizeof def);
    for (uint32_t p = 1; p <= g->sig.nparams && p < g->nregs; p++)
        def[p] = 1;
    for (uint32_t i = 0; i < bl->ninsns; i++) {
        const ir_insn *in = &bl->insns[i];
        switch (in->op) {
        case IR_CONST: case IR_MOV: case IR_ADD: case IR_SUB: case IR_MUL: case IR_AND:
        case IR_OR: case IR_XOR: case IR_SHL: case IR_SHRS: case IR_SHRU: case IR_NEG:
        case IR_NOT: case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS:
        case IR_GES: case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU: case IR_SEXT8:
        case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16: case IR_SEXT32: case IR_ZEXT32:
        case IR_TRUNC: case IR_SITOF: case IR_UITOF: case IR_FTOSI: case IR_FTOUI:
        case IR_FCVT: case IR_BITCAST: case IR_GADDR: case IR_FADDR: case IR_RET:
            break;
        default:
            return 0;
        }
        ir_reg r[3], d = 0;
        uint32_t n = jit_insn_regs(in, r, 3, &d);
        for (uint32_t k = 0; k < n && k < 3; k++)
            if (r[k] >= g->nregs || !def[r[k]])
                return 0;
        if (d >= g->nregs)
            return 0;
        if (d)
            def[d] = 1;
    }
    return 1;
}

/* The single definition of r in f if it is a CONST/GADDR/FADDR, else NULL. */
static const ir_insn *const_def(const ir_func *f, ir_reg r)
{
    const ir_insn *k = NULL;
    if (r <= f->sig.nparams)
        return NULL;
    for (uint32_t bi = 0; bi < f->nblocks; bi++)
        for (uint32_t j = 0; j < f->blocks[bi].ninsns; j++) {
            const ir_insn *q = &f->blocks[bi].insns[j];
            ir_reg d = 0, tmp[1];
            jit_insn_regs(q, tmp, 1, &d);
            if (d == r) {
                if (k)
                    return NULL;
                k = q;
            }
        }
    return k && (k->op == IR_CONST || k->op == IR_GADDR || k->op == IR_FADDR) ? k : NULL;
}

/* Replace, in c (a copy of f), calls to inlinable functions of m by their
 * bodies: JIT_OP_ENTRY (the callee's entry checks: call depth, poll; at
 * the call's position), the parameters (a constant argument is copied as
 * a constant), the body on fresh registers, the result moved to the
 * call's destination. Only in blocks of more than 4 instructions: the
 * block stays too big to be copied at jumps (docs/jit.md, polls), as it
 * was. Returns -1 if out of memory. */
static int inline_calls(kp_arena *a, const ir_module *m, const ir_func *f, ir_func *c)
{
    uint32_t sites = 0;
    for (uint32_t bi = 0; m && bi < c->nblocks && sites < INL_MAX_SITES; bi++) {
        ir_block *bl = &c->blocks[bi];
        if (bl->ninsns <= 4)
            continue;
        for (uint32_t i = 0; i < bl->ninsns && sites < INL_MAX_SITES; i++) {
            const ir_insn *call = &bl->insns[i];
            if (call->op != IR_CALL || call->imm < 0 || (uint64_t)call->imm >= m->nfuncs)
                continue;
            const ir_func *g = m->funcs[call->imm];
            if (g == f || !inlinable(g) || call->nargs != g->sig.nparams)
                continue;
            int ok = 1;
            for (uint32_t p = 1; p <= g->sig.nparams; p++)
                ok &= p < g->nregs && c->reg_types[call->args[p - 1]] == g->reg_types[p];
            const ir_insn *ret = &g->blocks[0].insns[g->blocks[0].ninsns - 1];
            if (call->dst && (!ret->a || c->reg_types[call->dst] != g->reg_types[ret->a]))
                ok = 0;
            if (!ok)
                continue;
            /* g's registers 1.. become base.. */
            uint32_t base = c->nregs, add = g->nregs - 1;
            uint8_t *nt = kp_arena_alloc_raw(a, (size_t)base + add + 1);
            if (!nt)
                return -1;
            memcpy(nt, c->reg_types, base);
            c->reg_types = nt;
            if (add) /* g->reg_types is NULL when g has no registers */
                memcpy(nt + base, g->reg_types + 1, add);
            c->nregs = base + add;
#define MAPR(r) ((r) ? base + (r) - 1 : 0)
            ir_insn cl = *call;
            uint32_t nbody = g->blocks[0].ninsns - 1;
            uint32_t extra = 1 + g->sig.nparams + nbody + (cl.dst ? 1 : 0);
            ir_insn *ni = kp_arena_alloc_raw(a, ((size_t)bl->ninsns - 1 + extra) * sizeof *ni);
            if (!ni)
                return -1;
            memcpy(ni, bl->insns, i * sizeof *ni);
            uint32_t k = i;
            ir_insn x;
            memset(&x, 0, sizeof x);
            x.op = JIT_OP_ENTRY;
            x.imm = cl.imm;
            x.line = cl.line;
            x.col = cl.col;
            ni[k++] = x;
            for (uint32_t p = 1; p <= g->sig.nparams; p++) {
                const ir_insn *kd = const_def(f, cl.args[p - 1]);
                memset(&x, 0, sizeof x);
                if (kd) {
                    x = *kd;
                } else {
                    x.op = IR_MOV;
                    x.type = g->reg_types[p];
                    x.a = cl.args[p - 1];
                }
                x.dst = MAPR(p);
                x.line = cl.line;
                x.col = cl.col;
                ni[k++] = x;
            }
            for (uint32_t j = 0; j < nbody; j++) {
                x = g->blocks[0].insns[j];
                x.dst = MAPR(x.dst);
                x.a = MAPR(x.a);
                x.b = MAPR(x.b);
                ni[k++] = x;
            }
            if (cl.dst) {
                memset(&x, 0, sizeof x);
                x.op = IR_MOV;
                x.type = c->reg_types[cl.dst];
                x.dst = cl.dst;
                x.a = MAPR(ret->a);
                x.line = cl.line;
                x.col = cl.col;
                ni[k++] = x;
            }
#undef MAPR
            memcpy(ni + k, bl->insns + i + 1, (bl->ninsns - i - 1) * sizeof *ni);
            k += bl->ninsns - i - 1;
            bl->insns = ni; /* the old array stays in the arena */
            bl->ninsns = bl->cap = k;
            i += extra - 1;
            sites++;
        }
    }
    return 0;
}

/* Integer operations of two constants (single CONST definitions), as the
 * inlined bodies with constant arguments leave them (`32 - r`), become
 * constants. Only operations that cannot trap; arithmetic wraps and shift
 * counts are masked, as in the IR. ndef/kdef: definition counts and the
 * CONST definitions, kdef updated as instructions fold. */
static void fold_constant(ir_insn *in, uint32_t nr, const uint32_t *ndef, const ir_insn **kdef)
{
    switch (in->op) { /* the operations folded below, first: most are not */
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_AND: case IR_OR: case IR_XOR:
    case IR_SHL: case IR_SHRU:
        break;
    default:
        return;
    }
    int t = in->type;
    if ((t != IR_I32 && t != IR_I64) || !in->dst || in->dst >= nr || ndef[in->dst] != 1 ||
        !in->a || !in->b || in->a >= nr || in->b >= nr || ndef[in->a] != 1 ||
        ndef[in->b] != 1 || !kdef[in->a] || !kdef[in->b])
        return;
    uint64_t x = (uint64_t)kdef[in->a]->imm, y = (uint64_t)kdef[in->b]->imm, r;
    unsigned mask = t == IR_I64 ? 63 : 31;
    switch (in->op) {
    case IR_ADD: r = x + y; break;
    case IR_SUB: r = x - y; break;
    case IR_MUL: r = x * y; break;
    case IR_AND: r = x & y; break;
    case IR_OR: r = x | y; break;
    case IR_XOR: r = x ^ y; break;
    case IR_SHL: r = x << (y & mask); break;
    case IR_SHRU: r = (t == IR_I32 ? (uint32_t)x : x) >> (y & mask); break;
    default: return;
    }
    if (t == IR_I32)
        r = (uint64_t)(int64_t)(int32_t)(uint32_t)r;
    uint32_t line = in->line, col = in->col;
    ir_reg d = in->dst;
    memset(in, 0, sizeof *in);
    in->op = IR_CONST;
    in->type = (uint8_t)t;
    in->dst = d;
    in->imm = (int64_t)r;
    in->line = line;
    in->col = col;
    kdef[d] = in;
}

/* The copy lives in its own arena: its chunk comes from the thread's
 * cache, where the front end has just returned the chunks it wrote, so
 * the copy lands in memory that is still in cache (a fresh malloc block
 * was cold whenever other work ran between compiles). Inlining and
 * folding allocate from it too; nothing is freed before jit_opt_free. */
typedef struct opt_copy {
    ir_func f; /* first: jit_opt_free gets &f */
    kp_arena a;
} opt_copy;

ir_func *jit_opt_copy(const ir_module *m, const ir_func *f)
{
    kp_arena a;
    kp_arena_init(&a, 0);
    opt_copy *oc = kp_arena_alloc_raw(&a, sizeof *oc);
    if (!oc) {
        kp_arena_free(&a);
        return NULL;
    }
    ir_func *c = &oc->f;
    *c = *f;
    /* the block array, then every block's instructions */
    size_t total = 0;
    for (uint32_t bi = 0; bi < f->nblocks; bi++)
        total += f->blocks[bi].ninsns;
    size_t nbl = f->nblocks ? f->nblocks : 1;
    c->blocks = kp_arena_alloc_raw(&a, nbl * sizeof *c->blocks +
                                           (total ? total : 1) * sizeof(ir_insn));
    c->reg_types = kp_arena_alloc_raw(&a, f->nregs ? f->nregs : 1);
    if (!c->blocks || !c->reg_types) {
        kp_arena_free(&a);
        return NULL;
    }
    if (f->reg_types) /* NULL when the function has no registers (nregs <= 1) */
        memcpy(c->reg_types, f->reg_types, f->nregs);
    else
        memset(c->reg_types, 0, f->nregs ? f->nregs : 1);
    ir_insn *pool = (ir_insn *)(c->blocks + nbl);
    for (uint32_t bi = 0; bi < f->nblocks; bi++) {
        const ir_block *src = &f->blocks[bi];
        ir_insn *ins = pool;
        pool += src->ninsns;
        memcpy(ins, src->insns, src->ninsns * sizeof *ins);
        c->blocks[bi].insns = ins;
        c->blocks[bi].ninsns = c->blocks[bi].cap = src->ninsns;
    }
    if (inline_calls(&a, m, f, c) != 0) {
        kp_arena_free(&a);
        return NULL;
    }
    /* Definition counts (parameters count as defined at entry) and CONST
     * definitions first; then one walk folds, eliminates common
     * subexpressions and counts reads, each instruction final once passed
     * (folding reads only kdef, CSE only earlier instructions of the block). */
    uint32_t nr = c->nregs ? c->nregs : 1;
    uint32_t *ndef = kp_arena_alloc(&a, 2 * (size_t)nr * sizeof *ndef);
    const ir_insn **kdef = kp_arena_alloc(&a, nr * sizeof *kdef);
    if (!ndef || !kdef) {
        kp_arena_free(&a);
        return NULL;
    }
    uint32_t *nuse = ndef + nr;
    for (uint32_t p = 1; p <= c->sig.nparams && p < nr; p++)
        ndef[p] = 1;
    for (uint32_t bi = 0; bi < c->nblocks; bi++) {
        /* locals: the stores to ndef may alias the block's fields */
        const ir_insn *ins = c->blocks[bi].insns;
        uint32_t nins = c->blocks[bi].ninsns;
        for (uint32_t i = 0; i < nins; i++) {
            const ir_insn *in = &ins[i];
            ir_reg d = (jit_op_shape(in->op) & JIT_WR_DST) ? in->dst : 0;
            if (d && d < nr && ndef[d]++ == 0 && in->op == IR_CONST)
                kdef[d] = in;
        }
    }
    int big = 0;
    /* per block: 1 if it has a MOV (post_increment's start), 2 if a STORE
     * (sink_store_address's end); neither rewrite makes either */
    uint8_t *has = kp_arena_alloc(&a, c->nblocks + 1);
    if (!has) {
        kp_arena_free(&a);
        return NULL;
    }
    for (uint32_t bi = 0; bi < c->nblocks; bi++) {
        ir_insn *ins = c->blocks[bi].insns;
        uint32_t nins = c->blocks[bi].ninsns;
        avail av[CSE_MAX];
        int nav = 0;
        ir_reg hi = 0; /* no entry of av mentions a register above it */
        for (uint32_t i = 0; i < nins; i++) {
            ir_insn *in = &ins[i];
            fold_constant(in, nr, ndef, kdef);
            ir_reg d = (jit_op_shape(in->op) & JIT_WR_DST) ? in->dst : 0;
            int p = pure(in->op) && d;
            /* an operand newer than hi matches no entry: no scan */
            if (p && in->a <= hi && in->b <= hi) {
                for (int k = 0; k < nav; k++) {
                    avail *x = &av[k];
                    if (x->op == in->op && x->type == in->type && x->stype == in->stype &&
                        x->a == in->a && x->b == in->b && x->imm == in->imm &&
                        c->reg_types[x->dst] == c->reg_types[d]) {
                        uint32_t line = in->line, col = in->col;
                        memset(in, 0, sizeof *in);
                        in->op = IR_MOV;
                        in->type = c->reg_types[d];
                        in->dst = d;
                        in->a = x->dst;
                        in->line = line;
                        in->col = col;
                        p = 0;
                        break;
                    }
                }
            }
            if (d && d <= hi) { /* most definitions are of a fresh temp */
                for (int k = 0; k < nav;) {
                    if (av[k].a == d || av[k].b == d || av[k].dst == d)
                        av[k] = av[--nav];
                    else
                        k++;
                }
            }
            if (p && in->a != d && in->b != d && nav < CSE_MAX) {
                av[nav++] = (avail){in->op, in->type, in->stype, in->a, in->b, d, in->imm};
                if (d > hi)
                    hi = d;
                if (in->a > hi)
                    hi = in->a;
                if (in->b > hi)
                    hi = in->b;
            }
            has[bi] |= (uint8_t)((in->op == IR_MOV) | (in->op == IR_STORE) << 1);
            /* reads, for the block-local rewrites below */
            ir_reg buf[8];
            uint32_t n = jit_insn_regs(in, buf, 8, NULL);
            if (n > 8)
                big = 1; /* counts would be partial: skip the rewrites */
            for (uint32_t k = 0; k < n && k < 8; k++)
                if (buf[k] < nr)
                    nuse[buf[k]]++;
        }
    }
    if (!big)
        for (uint32_t bi = 0; bi < c->nblocks; bi++) {
            if (has[bi] & 1)
                post_increment(c, &c->blocks[bi], ndef, nuse);
            if (has[bi] & 2)
                sink_store_address(&c->blocks[bi], ndef, nuse, nr);
        }
    oc->a = a;
    return c;
}

void jit_opt_free(ir_func *c)
{
    if (!c)
        return;
    kp_arena a = ((opt_copy *)c)->a; /* the struct lives in its arena */
    kp_arena_free(&a);
}
#endif

/*
 * regalloc.c — register allocation for one function: liveness over the
 * CFG, one conservative live interval per IR register, linear scan.
 *
 * Instructions are numbered in block order from 1; instruction k reads its
 * operands at position 2k and writes its result at 2k+1, so an operand
 * that dies at k and the result of k may share a register (the emitter
 * handles the aliasing). A register's interval is the hull of every
 * position where it is live (from block-level liveness, so a value live
 * around a loop covers the whole loop) — conservative, never wrong.
 *
 * Registers defined exactly once, by CONST/GADDR/FADDR, are constants: no
 * register at all; the emitter folds them into immediates.
 *
 * Calls (and helper calls: COPY, ZERO; not the small ones the emitter
 * expands inline, see jit_mem_inline) clobber every allocatable register
 * but rbx rbp r12 (r13 is callee-saved too, but holds the poll countdown
 * and is never allocated): an interval crossing one gets one of those
 * three or is spilled (float values crossing a call are spilled). Spill choice:
 * the lowest use weight, uses weighted 8x per loop nesting level (a loop
 * being approximated by the block range of a back-edge).
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x64.h"

#define MAX_BITS ((size_t)1 << 29) /* liveness bitsets: 64 MiB */

static int is_call_like(int op)
{
    return op == IR_CALL || op == IR_CALLI || op == IR_CALLR || op == IR_CALLP ||
           op == IR_COPY || op == IR_ZERO;
}

/* What the allocator learns about one IR register, in one record: the
 * walk over the instructions updates several of these per operand. */
typedef struct rinfo {
    int64_t s, e; /* live interval (e < 0: never seen) */
    uint64_t w;   /* use weight (an integer: exact, and one add) */
    uint32_t uses, ndefs;
    const ir_insn *defin; /* the last definition */
} rinfo;

typedef struct itv {
    uint32_t v;
    int64_t s, e;
    uint64_t w;
    int cross;
} itv;

static int itv_cmp(const void *x, const void *y)
{
    const itv *a = x, *b = y;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;
}

/* Intervals come out of the register loop almost sorted by start (registers
 * are numbered in emission order): insertion sort, inlined, beats qsort's
 * calls there; past 8 moves per element it hands over to qsort, so a bad
 * order costs O(n log n) still. */
static void itv_sort(itv *v, size_t n)
{
    size_t moves = 0, limit = 8 * n + 64;
    for (size_t i = 1; i < n; i++) {
        itv x = v[i];
        size_t j = i;
        while (j > 0 && itv_cmp(&x, &v[j - 1]) < 0) {
            v[j] = v[j - 1];
            j--;
            if (++moves > limit) {
                v[j] = x;
                qsort(v, n, sizeof *v, itv_cmp);
                return;
            }
        }
        v[j] = x;
    }
}

/* R13 is not allocated: it holds the poll countdown (emit.c, JIT_CD) */
static const int gp_order_free[] = {RSI, RDI, R8, R9, R10, RBX, RBP, R12};
static const int gp_order_cross[] = {RBX, RBP, R12, RSI, RDI, R8, R9, R10};
/* a register's bit in the free masks of the scan: its index in the orders
 * above (GP), or its number (xmm0..13 are taken in order) */
static const uint16_t gp_bit_free[16] = {[RSI] = 1 << 0, [RDI] = 1 << 1, [R8] = 1 << 2,
                                         [R9] = 1 << 3,  [R10] = 1 << 4, [RBX] = 1 << 5,
                                         [RBP] = 1 << 6, [R12] = 1 << 7};
static const uint16_t gp_bit_cross[16] = {[RBX] = 1 << 0, [RBP] = 1 << 1, [R12] = 1 << 2,
                                          [RSI] = 1 << 3, [RDI] = 1 << 4, [R8] = 1 << 5,
                                          [R9] = 1 << 6,  [R10] = 1 << 7};
static const uint16_t x_bit[16] = {1 << 0, 1 << 1, 1 << 2,  1 << 3,  1 << 4,  1 << 5,  1 << 6,
                                   1 << 7, 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13};

static uint64_t const_bits(const ir_insn *in, const kp_module *kmod, int type)
{
    switch (in->op) {
    case IR_CONST:
        if (type == IR_F32) {
            float fl = (float)in->fimm;
            uint32_t u;
            memcpy(&u, &fl, 4);
            return u;
        }
        if (type == IR_F64) {
            uint64_t u;
            memcpy(&u, &in->fimm, 8);
            return u;
        }
        if (type == IR_I32)
            return (uint32_t)in->imm;
        return (uint64_t)in->imm;
    case IR_GADDR:
        return (uint32_t)(kmod->data_base + (uint32_t)in->imm);
    case IR_FADDR:
        return (in->flags & IR_F_IMPORT) ? kmod->import_handles[in->imm]
                                         : kmod->func_handles[in->imm];
    }
    return 0;
}

void jit_ra_free(jit_ra *ra)
{
    kp_arena_free(&ra->mem); /* the results and the allocator's scratch */
    memset(ra, 0, sizeof *ra);
}

int jit_regalloc(const ir_func *f, const kp_module *kmod, jit_ra *ra, char *err,
                 size_t errsize)
{
    memset(ra, 0, sizeof *ra);
    uint32_t nr = f->nregs ? f->nregs : 1, nb = f->nblocks;
    size_t W = (nr + 63) / 64;
    if ((size_t)nb * W * 64 > MAX_BITS) {
        snprintf(err, errsize, "function '%s' is too large for the JIT (%u blocks, %u registers)",
                 f->name, nb, nr);
        return KP_ERR_LIMIT;
    }
    int rc = KP_ERR_NOMEM;
    /* The results in one block, and the scratch after them, from one
     * arena that lives until jit_ra_free: its chunk comes from the
     * thread's cache, still in cache from the front end or the previous
     * function (a malloc of the results cost ~500 instructions). */
    size_t res_bytes = nr * (sizeof *ra->loc + sizeof *ra->s + sizeof *ra->e) +
                       nr * (sizeof *ra->uses + sizeof *ra->saved + sizeof *ra->undef);
    kp_arena_init(&ra->mem, 0);
    kp_arena *sa = &ra->mem;
    char *res = kp_arena_alloc_raw(sa, res_bytes);
    size_t bits = ((size_t)nb * W + 1) * 8;
    rinfo *R = kp_arena_alloc_raw(sa, nr * sizeof *R);
    uint64_t *use = kp_arena_alloc(sa, 4 * bits);
    uint64_t *defs = use + bits / 8, *lin = defs + bits / 8, *lout = lin + bits / 8;
    uint32_t *first = kp_arena_alloc_raw(sa, (nb + 1) * sizeof *first);
    uint32_t *depth = kp_arena_alloc(sa, (nb + 1) * sizeof *depth);
    itv *iv = kp_arena_alloc_raw(sa, nr * sizeof *iv);
    size_t ninsns = 0;
    for (uint32_t b = 0; b < nb; b++)
        ninsns += f->blocks[b].ninsns;
    int64_t *calls = kp_arena_alloc_raw(sa, (ninsns + 1) * sizeof *calls);
    const ir_insn **callin = kp_arena_alloc_raw(sa, (ninsns + 1) * sizeof *callin);
    size_t ncalls = 0;
    if (!res || !R || !use || !first || !depth || !iv || !calls || !callin)
        goto out;
    /* 8-byte members first, then the 4-byte ones */
    ra->loc = (jit_loc *)res;
    ra->s = (int64_t *)(ra->loc + nr);
    ra->e = ra->s + nr;
    ra->uses = (uint32_t *)(ra->e + nr);
    ra->saved = ra->uses + nr;
    ra->undef = ra->saved + nr;
    memset(ra->loc, 0, nr * sizeof *ra->loc);

    /* loop depth: blocks between a back-edge's target and source */
    uint8_t *btarget = kp_arena_alloc(sa, nb + 1); /* targets of back-edges */
    if (!btarget)
        goto out;
    for (uint32_t b = 0; b < nb; b++) {
        const ir_block *bl = &f->blocks[b];
        const ir_insn *t = &bl->insns[bl->ninsns - 1];
        uint32_t tg[2] = {t->t1, t->t2};
        int nt = t->op == IR_JMP ? 1 : t->op == IR_BR ? 2 : t->op == IR_SWITCH ? 1 : 0;
        for (int j = 0; j < nt; j++)
            if (tg[j] <= b) {
                btarget[tg[j]] = 1;
                for (uint32_t x = tg[j]; x <= b; x++)
                    depth[x]++;
            }
        if (t->op == IR_SWITCH)
            for (uint32_t c = 0; c < t->nargs; c++)
                if (t->cases[c].block <= b) {
                    btarget[t->cases[c].block] = 1;
                    for (uint32_t x = t->cases[c].block; x <= b; x++)
                        depth[x]++;
                }
    }

    /* definitions, uses, local use/def sets, weights */
    for (uint32_t r = 0; r < nr; r++)
        R[r] = (rinfo){.s = INT64_MAX, .e = -1};
    for (uint32_t p = 1; p <= f->sig.nparams && p < nr; p++) {
        R[p].ndefs = 2; /* parameters are never constants */
        R[p].s = 0;
        R[p].e = 0;
    }
    uint32_t k = 1;
    for (uint32_t b = 0; b < nb; b++) {
        const ir_block *bl = &f->blocks[b];
        uint64_t *U = use + (size_t)b * W, *D = defs + (size_t)b * W;
        first[b] = k;
        uint64_t wt = 1u << (depth[b] > 8 ? 24 : 3 * depth[b]);
        const ir_insn *ins = bl->insns;
        uint32_t nins = bl->ninsns;
        for (uint32_t i = 0; i < nins; i++, k++) {
            const ir_insn *in = &ins[i];
            unsigned sh = jit_op_shape(in->op);
            /* positions only grow: the first sets s, every one sets e */
            int64_t pu = 2 * (int64_t)k;
#define RA_USE(rr)                                                             \
    do {                                                                       \
        ir_reg r_ = (rr);                                                      \
        if (r_ && r_ < nr) {                                                   \
            rinfo *x_ = &R[r_];                                                \
            x_->uses++;                                                        \
            x_->w += wt;                                                       \
            if (!(D[r_ / 64] >> (r_ % 64) & 1))                                \
                U[r_ / 64] |= 1ull << (r_ % 64);                               \
            if (x_->s > pu)                                                    \
                x_->s = pu;                                                    \
            x_->e = pu;                                                        \
        }                                                                      \
    } while (0)
            if (sh & JIT_RD_A)
                RA_USE(in->a);
            if (sh & JIT_RD_B)
                RA_USE(in->b);
            if (sh & JIT_RD_ARGS)
                for (uint32_t j = 0; j < in->nargs; j++)
                    RA_USE(in->args[j]);
#undef RA_USE
            ir_reg d = (sh & JIT_WR_DST) ? in->dst : 0;
            if (d && d < nr) {
                rinfo *x = &R[d];
                x->ndefs++;
                x->defin = in;
                x->w += wt;
                D[d / 64] |= 1ull << (d % 64);
                if (x->s > pu + 1)
                    x->s = pu + 1;
                x->e = pu + 1;
            }
            if (is_call_like(in->op)) {
                callin[ncalls] = in;
                calls[ncalls++] = pu;
            }
        }
    }
    first[nb] = k;
    /* a parameter nothing reads needs no register (the prologue loads
     * only parameters that have a location) */
    for (uint32_t p = 1; p <= f->sig.nparams && p < nr; p++)
        if (!R[p].uses)
            R[p].s = INT64_MAX, R[p].e = -1;
    /* Liveness to a fixed point, blocks in reverse order: a block's live-in
     * reaches its forward predecessors (lower numbers) in the same pass,
     * so another pass is needed only when a back-edge target's changed. */
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t b = nb; b-- > 0;) {
            const ir_block *bl = &f->blocks[b];
            const ir_insn *t = &bl->insns[bl->ninsns - 1];
            uint64_t *O = lout + (size_t)b * W;
            uint32_t succ[2];
            int ns = 0;
            if (t->op == IR_JMP || t->op == IR_SWITCH)
                succ[ns++] = t->t1;
            else if (t->op == IR_BR)
                succ[ns++] = t->t1, succ[ns++] = t->t2;
            for (int j = 0; j < ns; j++) {
                const uint64_t *I = lin + (size_t)succ[j] * W;
                for (size_t x = 0; x < W; x++)
                    O[x] |= I[x];
            }
            if (t->op == IR_SWITCH)
                for (uint32_t c = 0; c < t->nargs; c++) {
                    const uint64_t *I = lin + (size_t)t->cases[c].block * W;
                    for (size_t x = 0; x < W; x++)
                        O[x] |= I[x];
                }
            uint64_t *I = lin + (size_t)b * W;
            const uint64_t *U = use + (size_t)b * W, *D = defs + (size_t)b * W;
            for (size_t x = 0; x < W; x++) {
                uint64_t nv = U[x] | (O[x] & ~D[x]);
                if (nv != I[x]) {
                    I[x] = nv;
                    changed |= btarget[b];
                }
            }
        }
    }
    /* Extend intervals over live-in/live-out blocks. Positions grow with
     * the block number (bs < be < the next block's bs), so a register's
     * start is set by the first block where it is live (bs if live-in,
     * else be) and its end by the last one (be if live-out, else bs):
     * one forward and one backward walk, each register's bits handled
     * once per walk instead of once per block it is live in. */
    uint64_t *seen = kp_arena_alloc_raw(sa, W * sizeof *seen);
    if (!seen)
        goto out;
    memset(seen, 0, W * sizeof *seen);
    for (uint32_t b = 0; b < nb; b++) {
        int64_t bs = 2 * (int64_t)first[b], be = 2 * (int64_t)first[b + 1] - 1;
        const uint64_t *I = lin + (size_t)b * W, *O = lout + (size_t)b * W;
        for (size_t x = 0; x < W; x++) {
            uint64_t m = (I[x] | O[x]) & ~seen[x];
            seen[x] |= m;
            while (m) {
                int bit = __builtin_ctzll(m);
                m &= m - 1;
                rinfo *ri = &R[x * 64 + (size_t)bit];
                int64_t v = (I[x] >> bit & 1) ? bs : be;
                if (ri->s > v)
                    ri->s = v;
            }
        }
    }
    memset(seen, 0, W * sizeof *seen);
    for (uint32_t b = nb; b-- > 0;) {
        int64_t bs = 2 * (int64_t)first[b], be = 2 * (int64_t)first[b + 1] - 1;
        const uint64_t *I = lin + (size_t)b * W, *O = lout + (size_t)b * W;
        for (size_t x = 0; x < W; x++) {
            uint64_t m = (I[x] | O[x]) & ~seen[x];
            seen[x] |= m;
            while (m) {
                int bit = __builtin_ctzll(m);
                m &= m - 1;
                rinfo *ri = &R[x * 64 + (size_t)bit];
                int64_t v = (O[x] >> bit & 1) ? be : bs;
                if (ri->e < v)
                    ri->e = v;
            }
        }
    }

    /* Constants are found in the gathering walk below; the calls' filter
     * needs them first only for the size of an inline memcpy/memset (the
     * one loc jit_mem_inline reads). */
#define RA_CONST(r)                                                                      \
    do {                                                                                 \
        const ir_insn *dn_ = R[r].defin;                                                 \
        if (R[r].ndefs == 1 && dn_ &&                                                    \
            (dn_->op == IR_CONST || dn_->op == IR_GADDR || dn_->op == IR_FADDR)) {       \
            ra->loc[r].kind = JL_CONST;                                                  \
            ra->loc[r].k = const_bits(dn_, kmod, f->reg_types[r]);                       \
        }                                                                                \
    } while (0)

    /* small copies and fills the emitter expands inline clobber nothing */
    {
        size_t nk = 0;
        for (size_t c = 0; c < ncalls; c++) {
            const ir_insn *in = callin[c];
            if (in->op == IR_CALLR && in->nargs == 3 && in->args[2] && in->args[2] < nr)
                RA_CONST(in->args[2]);
            if (jit_mem_inline(in, ra->loc) < 0)
                calls[nk++] = calls[c];
        }
        ncalls = nk;
    }

    /* linear scan, one pass per register class; the intervals of both
     * classes are gathered in one walk (floats from the top of iv down) */
    uint8_t *cross = kp_arena_alloc(sa, nr);
    if (!cross)
        goto out;
    size_t ngp = 0, nfp = 0;
    for (uint32_t r = 1; r < nr; r++) {
        if (R[r].e < 0) /* never seen: no interval, and not a constant */
            continue;
        RA_CONST(r);
        if (ra->loc[r].kind == JL_CONST)
            continue;
        int t = f->reg_types[r];
        itv *it = (t == IR_F32 || t == IR_F64) ? &iv[nr - 1 - nfp++] : &iv[ngp++];
        it->v = r;
        it->s = R[r].s;
        it->e = R[r].e;
        it->w = R[r].w + 1;
        /* first call with position >= s */
        size_t lo = 0, hi = ncalls;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (calls[mid] < it->s)
                lo = mid + 1;
            else
                hi = mid;
        }
        it->cross = lo < ncalls && calls[lo] + 1 <= it->e;
        cross[r] = (uint8_t)it->cross;
    }
#undef RA_CONST
    for (size_t x = 0; x < nfp / 2; x++) { /* back to register order */
        itv tmp = iv[nr - 1 - x];
        iv[nr - 1 - x] = iv[nr - nfp + x];
        iv[nr - nfp + x] = tmp;
    }
    for (int cls = 0; cls < 2; cls++) {
        itv *v = cls ? iv + nr - nfp : iv;
        size_t n = cls ? nfp : ngp;
        itv_sort(v, n);
        uint32_t act[16];
        int actreg[16], nact = 0;
        int64_t actend[16]; /* v[act[a]].e, at hand */
        /* the registers of the class (both GP orders hold the same eight) */
        uint32_t allowed = cls ? 0x3FFFu
                               : 1u << RSI | 1u << RDI | 1u << R8 | 1u << R9 | 1u << R10 |
                                     1u << RBX | 1u << RBP | 1u << R12;
        int64_t minend = INT64_MAX; /* <= every active interval's end */
        /* free registers as bits in the priority orders (bit i: order[i]);
         * floats take xmm0..13 in order, one mask */
        static const int xorder[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        const uint16_t *bf = cls ? x_bit : gp_bit_free, *bc = cls ? x_bit : gp_bit_cross;
        uint32_t mf = cls ? 0x3FFFu : 0xFFu, mc = cls ? 0x3FFFu : 0xFFu;
#define RA_TAKE(g) (mf &= ~(uint32_t)bf[g], mc &= ~(uint32_t)bc[g])
#define RA_FREE(g) (mf |= bf[g], mc |= bc[g])
        for (size_t i = 0; i < n; i++) {
            itv *cur = &v[i];
            /* expire */
            if (nact && minend < cur->s) {
                minend = INT64_MAX;
                for (int a = 0; a < nact;) {
                    if (actend[a] < cur->s) {
                        RA_FREE(actreg[a]);
                        act[a] = act[nact - 1];
                        actreg[a] = actreg[nact - 1];
                        actend[a] = actend[nact - 1];
                        nact--;
                    } else {
                        if (actend[a] < minend)
                            minend = actend[a];
                        a++;
                    }
                }
            }
            const int *order;
            int norder;
            uint32_t m;
            if (cls == 0) {
                order = cur->cross ? gp_order_cross : gp_order_free;
                m = cur->cross ? mc : mf;
                norder = 8;
            } else {
                order = xorder;
                m = mf;
                norder = 14;
            }
            int got = m ? order[__builtin_ctz(m)] : -1;
            if (got < 0 && norder > 0) {
                /* evict the cheapest active interval holding an allowed register */
                int best = -1;
                for (int a = 0; a < nact; a++) {
                    int ok = allowed >> actreg[a] & 1;
                    if (ok && (best < 0 || v[act[a]].w < v[act[best]].w))
                        best = a;
                }
                if (best >= 0 && v[act[best]].w < cur->w) {
                    uint32_t ev = v[act[best]].v;
                    ra->loc[ev].kind = JL_SPILL;
                    ra->loc[ev].slot = ra->nslots++;
                    got = actreg[best];
                    act[best] = act[nact - 1];
                    actreg[best] = actreg[nact - 1];
                    actend[best] = actend[nact - 1];
                    nact--;
                    RA_FREE(got);
                }
            }
            if (got < 0) {
                ra->loc[cur->v].kind = JL_SPILL;
                ra->loc[cur->v].slot = ra->nslots++;
                continue;
            }
            RA_TAKE(got);
            ra->loc[cur->v].kind = JL_REG;
            ra->loc[cur->v].reg = (uint8_t)got;
            act[nact] = (uint32_t)i;
            actreg[nact] = got;
            actend[nact] = cur->e;
            nact++;
            if (cur->e < minend)
                minend = cur->e;
        }
#undef RA_TAKE
#undef RA_FREE
    }
    /* One walk over the registers for: the callee-saved registers used;
     * registers live on entry (read before any definition on some path),
     * which would expose whatever the native register held: the emitter
     * zeroes them, which keeps I32 registers zero-extended (addresses!);
     * values kept in clobbered registers across calls, which get a save
     * slot (after every spill slot). The intervals and use counts are
     * copied out here. */
    ra->s[0] = R[0].s, ra->e[0] = R[0].e, ra->uses[0] = R[0].uses;
    for (uint32_t r = 1; r < nr; r++) {
        jit_loc *l = &ra->loc[r];
        ra->s[r] = R[r].s, ra->e[r] = R[r].e, ra->uses[r] = R[r].uses;
        if (nb > 0 && r > f->sig.nparams && (lin[r / 64] >> (r % 64) & 1) &&
            l->kind != JL_CONST)
            ra->undef[ra->nundef++] = r;
        if (l->kind != JL_REG || R[r].e < 0)
            continue;
        int t = f->reg_types[r];
        int isx = t == IR_F32 || t == IR_F64;
        int callee = l->reg == RBX || l->reg == RBP || l->reg == R12;
        if (!isx && callee)
            ra->used_callee |= 1u << l->reg;
        if ((isx || !callee) && cross[r]) {
            l->saved = 1;
            l->slot = ra->nslots++;
            ra->saved[ra->nsaved++] = r;
        }
    }
    rc = 0;
out:
    if (rc == KP_ERR_NOMEM) {
        snprintf(err, errsize, "out of memory compiling '%s'", f->name);
        jit_ra_free(ra);
    }
    return rc;
}
#endif

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

typedef struct itv {
    uint32_t v;
    int64_t s, e;
    double w;
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
    free(ra->loc);
    free(ra->uses);
    free(ra->s);
    free(ra->e);
    free(ra->saved);
    free(ra->undef);
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
    /* scratch from an arena: its chunk comes from the thread's cache,
     * still in cache from the front end, and it is one free at the end */
    kp_arena sa;
    kp_arena_init(&sa, 0);
    uint32_t *ndefs = kp_arena_alloc(&sa, nr * sizeof *ndefs);
    const ir_insn **defin = kp_arena_alloc(&sa, nr * sizeof *defin);
    uint64_t *use = kp_arena_alloc(&sa, ((size_t)nb * W + 1) * 8);
    uint64_t *defs = kp_arena_alloc(&sa, ((size_t)nb * W + 1) * 8);
    uint64_t *lin = kp_arena_alloc(&sa, ((size_t)nb * W + 1) * 8);
    uint64_t *lout = kp_arena_alloc(&sa, ((size_t)nb * W + 1) * 8);
    uint32_t *first = kp_arena_alloc(&sa, (nb + 1) * sizeof *first);
    uint32_t *depth = kp_arena_alloc(&sa, (nb + 1) * sizeof *depth);
    int64_t *s = malloc(nr * sizeof *s), *e = malloc(nr * sizeof *e);
    double *w = kp_arena_alloc(&sa, nr * sizeof *w);
    itv *iv = kp_arena_alloc_raw(&sa, nr * sizeof *iv);
    int64_t *calls = NULL;
    const ir_insn **callin = NULL;
    size_t ncalls = 0, callcap = 0;
    ir_reg *rbuf = NULL;
    uint32_t rcap = 0;
    ra->loc = calloc(nr, sizeof *ra->loc);
    ra->uses = calloc(nr, sizeof *ra->uses);
    if (!ndefs || !defin || !use || !defs || !lin || !lout || !first || !depth || !s || !e ||
        !w || !iv || !ra->loc || !ra->uses)
        goto out;

    /* operand buffer large enough for any call */
    rcap = 4;
    for (uint32_t b = 0; b < nb; b++)
        for (uint32_t i = 0; i < f->blocks[b].ninsns; i++)
            if (f->blocks[b].insns[i].nargs + 2 > rcap)
                rcap = f->blocks[b].insns[i].nargs + 2;
    rbuf = malloc(rcap * sizeof *rbuf);
    if (!rbuf)
        goto out;

    /* loop depth: blocks between a back-edge's target and source */
    for (uint32_t b = 0; b < nb; b++) {
        const ir_block *bl = &f->blocks[b];
        const ir_insn *t = &bl->insns[bl->ninsns - 1];
        uint32_t tg[2] = {t->t1, t->t2};
        int nt = t->op == IR_JMP ? 1 : t->op == IR_BR ? 2 : t->op == IR_SWITCH ? 1 : 0;
        for (int j = 0; j < nt; j++)
            if (tg[j] <= b)
                for (uint32_t x = tg[j]; x <= b; x++)
                    depth[x]++;
        if (t->op == IR_SWITCH)
            for (uint32_t c = 0; c < t->nargs; c++)
                if (t->cases[c].block <= b)
                    for (uint32_t x = t->cases[c].block; x <= b; x++)
                        depth[x]++;
    }

    /* definitions, uses, local use/def sets, weights */
    for (uint32_t r = 0; r < nr; r++)
        s[r] = INT64_MAX, e[r] = -1;
    for (uint32_t p = 1; p <= f->sig.nparams && p < nr; p++) {
        ndefs[p] = 2; /* parameters are never constants */
        s[p] = 0;
        e[p] = 0;
    }
    uint32_t k = 1;
    for (uint32_t b = 0; b < nb; b++) {
        const ir_block *bl = &f->blocks[b];
        uint64_t *U = use + (size_t)b * W, *D = defs + (size_t)b * W;
        first[b] = k;
        double wt = (double)(1u << (depth[b] > 8 ? 24 : 3 * depth[b]));
        for (uint32_t i = 0; i < bl->ninsns; i++, k++) {
            const ir_insn *in = &bl->insns[i];
            ir_reg d;
            uint32_t n = jit_insn_regs(in, rbuf, rcap, &d);
            for (uint32_t j = 0; j < n; j++) {
                ir_reg r = rbuf[j];
                if (r >= nr)
                    continue;
                ra->uses[r]++;
                w[r] += wt;
                if (!(D[r / 64] >> (r % 64) & 1))
                    U[r / 64] |= 1ull << (r % 64);
                if (s[r] > 2 * (int64_t)k) s[r] = 2 * (int64_t)k;
                if (e[r] < 2 * (int64_t)k) e[r] = 2 * (int64_t)k;
            }
            if (d && d < nr) {
                ndefs[d]++;
                defin[d] = in;
                w[d] += wt;
                D[d / 64] |= 1ull << (d % 64);
                if (s[d] > 2 * (int64_t)k + 1) s[d] = 2 * (int64_t)k + 1;
                if (e[d] < 2 * (int64_t)k + 1) e[d] = 2 * (int64_t)k + 1;
            }
            if (is_call_like(in->op)) {
                if (ncalls == callcap) {
                    size_t nc = callcap ? callcap * 2 : 16;
                    int64_t *np = realloc(calls, nc * sizeof *np);
                    if (!np)
                        goto out;
                    calls = np;
                    const ir_insn **ni = realloc(callin, nc * sizeof *ni);
                    if (!ni)
                        goto out;
                    callin = ni;
                    callcap = nc;
                }
                callin[ncalls] = in;
                calls[ncalls++] = 2 * (int64_t)k;
            }
        }
    }
    first[nb] = k;

    /* liveness to a fixed point */
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
                    changed = 1;
                }
            }
        }
    }
    /* extend intervals over live-in/live-out blocks */
    for (uint32_t b = 0; b < nb; b++) {
        int64_t bs = 2 * (int64_t)first[b], be = 2 * (int64_t)first[b + 1] - 1;
        const uint64_t *I = lin + (size_t)b * W, *O = lout + (size_t)b * W;
        for (size_t x = 0; x < W; x++) {
            uint64_t m = I[x] | O[x];
            while (m) {
                int bit = __builtin_ctzll(m);
                m &= m - 1;
                uint32_t r = (uint32_t)(x * 64 + (size_t)bit);
                if (I[x] >> bit & 1) {
                    if (s[r] > bs) s[r] = bs;
                    if (e[r] < bs) e[r] = bs;
                }
                if (O[x] >> bit & 1) {
                    if (s[r] > be) s[r] = be;
                    if (e[r] < be) e[r] = be;
                }
            }
        }
    }

    /* constants */
    for (uint32_t r = 1; r < nr; r++) {
        if (ndefs[r] == 1 && defin[r] &&
            (defin[r]->op == IR_CONST || defin[r]->op == IR_GADDR || defin[r]->op == IR_FADDR)) {
            ra->loc[r].kind = JL_CONST;
            ra->loc[r].k = const_bits(defin[r], kmod, f->reg_types[r]);
        }
    }

    /* small copies and fills the emitter expands inline clobber nothing */
    {
        size_t nk = 0;
        for (size_t c = 0; c < ncalls; c++)
            if (jit_mem_inline(callin[c], ra->loc) < 0)
                calls[nk++] = calls[c];
        ncalls = nk;
    }

    /* linear scan, one pass per register class */
    for (int cls = 0; cls < 2; cls++) {
        size_t n = 0;
        for (uint32_t r = 1; r < nr; r++) {
            if (e[r] < 0 || ra->loc[r].kind == JL_CONST)
                continue;
            int t = f->reg_types[r];
            int isx = t == IR_F32 || t == IR_F64;
            if (isx != cls)
                continue;
            itv *it = &iv[n++];
            it->v = r;
            it->s = s[r];
            it->e = e[r];
            it->w = w[r] + 1;
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
        }
        itv_sort(iv, n);
        uint32_t act[16];
        int actreg[16], nact = 0;
        int regfree[16];
        for (int x = 0; x < 16; x++)
            regfree[x] = 0;
        if (cls == 0)
            for (size_t x = 0; x < sizeof gp_order_free / sizeof *gp_order_free; x++)
                regfree[gp_order_free[x]] = 1;
        else
            for (int x = 0; x < 14; x++)
                regfree[x] = 1;
        for (size_t i = 0; i < n; i++) {
            itv *cur = &iv[i];
            /* expire */
            for (int a = 0; a < nact;) {
                if (iv[act[a]].e < cur->s) {
                    regfree[actreg[a]] = 1;
                    act[a] = act[nact - 1];
                    actreg[a] = actreg[nact - 1];
                    nact--;
                } else {
                    a++;
                }
            }
            const int *order;
            int norder;
            if (cls == 0) {
                order = cur->cross ? gp_order_cross : gp_order_free;
                norder = 8;
            } else {
                static const int xorder[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
                order = xorder;
                norder = 14;
            }
            int got = -1;
            for (int x = 0; x < norder; x++)
                if (regfree[order[x]]) {
                    got = order[x];
                    break;
                }
            if (got < 0 && norder > 0) {
                /* evict the cheapest active interval holding an allowed register */
                int best = -1;
                for (int a = 0; a < nact; a++) {
                    int ok = 0;
                    for (int x = 0; x < norder; x++)
                        ok |= order[x] == actreg[a];
                    if (ok && (best < 0 || iv[act[a]].w < iv[act[best]].w))
                        best = a;
                }
                if (best >= 0 && iv[act[best]].w < cur->w) {
                    uint32_t ev = iv[act[best]].v;
                    ra->loc[ev].kind = JL_SPILL;
                    ra->loc[ev].slot = ra->nslots++;
                    got = actreg[best];
                    act[best] = act[nact - 1];
                    actreg[best] = actreg[nact - 1];
                    nact--;
                    regfree[got] = 1;
                }
            }
            if (got < 0) {
                ra->loc[cur->v].kind = JL_SPILL;
                ra->loc[cur->v].slot = ra->nslots++;
                continue;
            }
            regfree[got] = 0;
            ra->loc[cur->v].kind = JL_REG;
            ra->loc[cur->v].reg = (uint8_t)got;
            act[nact] = (uint32_t)i;
            actreg[nact] = got;
            nact++;
        }
        if (cls == 0) {
            for (uint32_t r = 1; r < nr; r++)
                if (ra->loc[r].kind == JL_REG) {
                    int t = f->reg_types[r];
                    if (t != IR_F32 && t != IR_F64) {
                        int g = ra->loc[r].reg;
                        if (g == RBX || g == RBP || g == R12)
                            ra->used_callee |= 1u << g;
                    }
                }
        }
    }
    /* Registers live on entry (read before any definition on some path)
     * would expose whatever the native register held: the emitter zeroes
     * them, which keeps I32 registers zero-extended (addresses!). */
    ra->undef = malloc(nr * sizeof *ra->undef);
    if (!ra->undef)
        goto out;
    if (nb > 0) {
        const uint64_t *I = lin;
        for (uint32_t r = f->sig.nparams + 1; r < nr; r++)
            if ((I[r / 64] >> (r % 64) & 1) && ra->loc[r].kind != JL_CONST)
                ra->undef[ra->nundef++] = r;
    }
    /* values kept in clobbered registers across calls get a save slot */
    ra->s = s;
    ra->e = e;
    s = e = NULL;
    ra->saved = malloc(nr * sizeof *ra->saved);
    if (!ra->saved)
        goto out;
    for (uint32_t r = 1; r < nr; r++) {
        jit_loc *l = &ra->loc[r];
        if (l->kind != JL_REG || ra->e[r] < 0)
            continue;
        int t = f->reg_types[r];
        int clobbered = (t == IR_F32 || t == IR_F64) ||
                        !(l->reg == RBX || l->reg == RBP || l->reg == R12);
        if (!clobbered)
            continue;
        size_t lo = 0, hi = ncalls;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (calls[mid] < ra->s[r])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < ncalls && calls[lo] + 1 <= ra->e[r]) {
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
    kp_arena_free(&sa);
    free(s);
    free(e);
    free(calls);
    free(callin);
    free(rbuf);
    return rc;
}
#endif

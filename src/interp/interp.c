/*
 * interp.c — the portable engine: translation of verified IR into threaded
 * code (see interp.h for the encoding), and kp_interp_engine.
 *
 * Translation is one linear pass per function after counting definitions
 * and uses of every register:
 *  - a register defined exactly once, by CONST/GADDR/FADDR, is a
 *    "constant register": its definition disappears, operations that read
 *    it take an immediate instead, and it is set at function entry only if
 *    some instruction still reads its slot;
 *  - a compare whose only use is the BR right after it becomes one
 *    compare-and-branch, and "t = mul x, K1; d = add t, K2" one MADD_K;
 *  - an instruction whose result is only moved into another register
 *    ("t = op ...; x = mov t") writes x directly;
 *  - "t = shl/mul i, 2^k; p = add b, t; load/store [p + d]" (and the same
 *    without the scaling) becomes one indexed load/store;
 *  - a JMP to the next block disappears, and a JMP to a small block (a
 *    loop's test) is replaced by a copy of that block.
 * Blocks keep the IR's order; every jump to an earlier (or the same) word
 * polls, so every cycle of the threaded code polls.
 */
#include "interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds that keep slot numbers and code offsets in 32 bits. */
#define INTERP_MAX_REGS (1u << 24)
#define INTERP_MAX_CODE (1u << 28)

static int interp_no_poll; /* interp_set_polling(0) */

void interp_set_polling(int on) { interp_no_poll = !on; }

typedef struct fixup {
    uint32_t at;     /* word holding the offset */
    uint32_t insn;   /* first word of the instruction */
    uint32_t block;
} fixup;

typedef struct tctx {
    const ir_module *m;
    const ir_func *f;
    const kp_module *kmod;
    const int32_t *tab;
    uint32_t cur;            /* block being translated */
    int dup;                 /* translating a copy of a jump's target block */
    int nomem;
    uint32_t *w;
    size_t n, cap;
    interp_pos *pos, *ppos;
    size_t npos, poscap;
    uint8_t *types;
    size_t ntypes, tycap;
    ir_sig *sigs;
    size_t nsigs, sigcap;
    fixup *fx;
    size_t nfx, fxcap;
    uint32_t *defs, *uses, *boff;
    ir_pollsite *ps;         /* per block: copied at jumps? poll location */
    uint8_t *isk, *kread;
    uint64_t *kv;
    uint32_t maxout;
    struct {                 /* indexed addresses waiting for their store */
        ir_reg p, base, idx;
        uint32_t sh;
    } pend[8];
    int npend;
    ir_reg alias_from, alias_to; /* the next store writes alias_to instead */
} tctx;

static void *grow(tctx *t, void *p, size_t *cap, size_t need, size_t elt)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(p, nc * elt);
    if (!np) {
        t->nomem = 1;
        return NULL;
    }
    *cap = nc;
    return np;
}

static void word(tctx *t, uint32_t v)
{
    if (t->n >= t->cap) {
        uint32_t *nw = grow(t, t->w, &t->cap, t->n + 1, sizeof *t->w);
        if (!nw)
            return; /* t->nomem is set: the result is discarded */
        t->w = nw;
    }
    t->w[t->n++] = v;
}

static uint32_t op(tctx *t, int iop)
{
    uint32_t at = (uint32_t)t->n;
    word(t, (uint32_t)t->tab[iop]);
    return at;
}

/* A branch-offset word of the instruction starting at insn. */
static void target(tctx *t, uint32_t insn, uint32_t block)
{
    fixup *nf = grow(t, t->fx, &t->fxcap, t->nfx + 1, sizeof *nf);
    if (!nf)
        return;
    t->fx = nf;
    t->fx[t->nfx++] = (fixup){(uint32_t)t->n, insn, block};
    word(t, 0);
}

/* The slot of register r, read by the instruction being emitted. */
static uint32_t rd(tctx *t, ir_reg r)
{
    if (t->isk[r])
        t->kread[r] = 1;
    return r;
}

static void emit_k(tctx *t, ir_reg d, uint64_t v)
{
    /* I32/F32 slots ignore the upper half, and I64 values that fit zero-extend */
    if (t->f->reg_types[d] != IR_I64 && t->f->reg_types[d] != IR_F64)
        v = (uint32_t)v;
    if (v <= UINT32_MAX) {
        op(t, IOP_K32);
        word(t, d);
        word(t, (uint32_t)v);
    } else {
        op(t, IOP_K64);
        word(t, d);
        word(t, (uint32_t)v);
        word(t, (uint32_t)(v >> 32));
    }
}

/* Can constant register r be a 32-bit immediate of an op of type ty? */
static int kfits(tctx *t, ir_reg r, int ty)
{
    if (!t->isk[r])
        return 0;
    if (ty == IR_I32)
        return 1;
    int64_t v = (int64_t)t->kv[r];
    return v == (int32_t)v;
}

static void emit3(tctx *t, int iop, uint32_t x, uint32_t y)
{
    op(t, iop);
    word(t, x);
    word(t, y);
}

static void emit4(tctx *t, int iop, uint32_t x, uint32_t y, uint32_t z)
{
    op(t, iop);
    word(t, x);
    word(t, y);
    word(t, z);
}

static float f32_of_double(double d) { return (float)d; }

static uint64_t const_value(tctx *t, const ir_insn *in)
{
    switch (in->op) {
    case IR_CONST:
        if (in->type == IR_F32) {
            float fl = f32_of_double(in->fimm);
            uint32_t u;
            memcpy(&u, &fl, 4);
            return u;
        }
        if (in->type == IR_F64) {
            uint64_t u;
            memcpy(&u, &in->fimm, 8);
            return u;
        }
        if (in->type == IR_I32)
            return (uint32_t)in->imm;
        return (uint64_t)in->imm;
    case IR_GADDR:
        return (uint32_t)(t->kmod->data_base + (uint32_t)in->imm);
    case IR_FADDR:
        return (in->flags & IR_F_IMPORT) ? t->kmod->import_handles[in->imm]
                                         : t->kmod->func_handles[in->imm];
    }
    return 0;
}

static int has_dst(const ir_insn *in)
{
    switch (in->op) {
    case IR_STORE: case IR_COPY: case IR_ZERO:
    case IR_JMP: case IR_BR: case IR_SWITCH: case IR_RET:
        return 0;
    }
    return in->dst != 0;
}

/* Count reads of each register (the fields each opcode really uses). */
static void count_uses(tctx *t, const ir_insn *in)
{
    uint32_t *u = t->uses;
    switch (in->op) {
    case IR_CONST: case IR_FRAME: case IR_GADDR: case IR_FADDR: case IR_JMP:
        return;
    case IR_CALLP:
        u[in->a]++;
        /* fallthrough */
    case IR_CALL: case IR_CALLI: case IR_CALLR:
        for (uint32_t i = 0; i < in->nargs; i++)
            u[in->args[i]]++;
        return;
    case IR_RET:
        if (in->a)
            u[in->a]++;
        return;
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIVS: case IR_DIVU: case IR_REMS:
    case IR_REMU: case IR_AND: case IR_OR: case IR_XOR: case IR_SHL: case IR_SHRS:
    case IR_SHRU: case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS:
    case IR_GES: case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU:
    case IR_STORE: case IR_COPY:
        u[in->a]++;
        u[in->b]++;
        return;
    default: /* one operand a */
        u[in->a]++;
        return;
    }
}

/* "t = op ...; x = mov t" with t used nowhere else: write x directly. */
static ir_reg dst_of(tctx *t, const ir_insn *in, const ir_insn *nx, int *skip)
{
    ir_reg d = in->dst;
    if (d && nx && nx->op == IR_MOV && nx->a == d && nx->dst != d && t->uses[d] == 1 &&
        t->defs[d] == 1 && !t->isk[d]) {
        *skip = 1;
        return nx->dst;
    }
    return d;
}

static const uint8_t cmp_mirror[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};

static void emit_call_args(tctx *t, const ir_insn *in)
{
    for (uint32_t i = 0; i < in->nargs; i++)
        word(t, rd(t, in->args[i]));
}

static uint32_t call_types(tctx *t, const ir_insn *in)
{
    uint32_t at = (uint32_t)t->ntypes;
    uint8_t *nt = grow(t, t->types, &t->tycap, t->ntypes + in->nargs + 1, 1);
    if (!nt)
        return 0;
    t->types = nt;
    for (uint32_t i = 0; i < in->nargs; i++)
        t->types[t->ntypes++] = t->f->reg_types[in->args[i]];
    return at;
}

static int cmp_case(const void *x, const void *y)
{
    int64_t a = ((const ir_case *)x)->value, b = ((const ir_case *)y)->value;
    return (a > b) - (a < b);
}

static void emit_switch(tctx *t, const ir_insn *in)
{
    uint32_t n = in->nargs;
    int is32 = in->type == IR_I32;
    ir_case *cs = n ? malloc(n * sizeof *cs) : NULL;
    if (n && !cs) {
        t->nomem = 1;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        cs[i] = in->cases[i];
        if (is32)
            cs[i].value = (int32_t)(uint32_t)cs[i].value;
    }
    if (n)
        qsort(cs, n, sizeof *cs, cmp_case);
    uint64_t range = n ? (uint64_t)cs[n - 1].value - (uint64_t)cs[0].value : 0;
    uint32_t at;
    if (n && range < 2 * (uint64_t)n + 8 && range < (1u << 16)) {
        uint32_t cnt = (uint32_t)range + 1;
        uint64_t lo = (uint64_t)cs[0].value;
        at = op(t, is32 ? IOP_SWT32 : IOP_SWT64);
        word(t, rd(t, in->a));
        word(t, (uint32_t)lo);
        word(t, (uint32_t)(lo >> 32));
        word(t, cnt);
        target(t, at, in->t1);
        for (uint32_t i = 0, k = 0; i < cnt; i++) {
            if (k < n && (uint64_t)cs[k].value - lo == i)
                target(t, at, cs[k++].block);
            else
                target(t, at, in->t1);
        }
    } else {
        at = op(t, is32 ? IOP_SWB32 : IOP_SWB64);
        word(t, rd(t, in->a));
        word(t, n);
        target(t, at, in->t1);
        for (uint32_t i = 0; i < n; i++) {
            word(t, (uint32_t)(uint64_t)cs[i].value);
            word(t, (uint32_t)((uint64_t)cs[i].value >> 32));
            target(t, at, cs[i].block);
        }
    }
    free(cs);
}

static int load_op(int kind)
{
    switch (kind) {
    case IR_M_I8: return IOP_LD_I8;
    case IR_M_U8: return IOP_LD_U8;
    case IR_M_I16: return IOP_LD_I16;
    case IR_M_U16: return IOP_LD_U16;
    case IR_M_I32: return IOP_LD_I32;
    case IR_M_U32: case IR_M_F32: return IOP_LD_U32;
    default: return IOP_LD_64;
    }
}

static int store_op(int kind)
{
    switch (kind) {
    case IR_M_I8: case IR_M_U8: return IOP_ST_8;
    case IR_M_I16: case IR_M_U16: return IOP_ST_16;
    case IR_M_I32: case IR_M_U32: case IR_M_F32: return IOP_ST_32;
    default: return IOP_ST_64;
    }
}

static void translate_block(tctx *t, const ir_block *bl);

/* Instructions that emit no code: definitions of constant registers. */
static int silent(const tctx *t, const ir_insn *in)
{
    return (in->op == IR_CONST || in->op == IR_GADDR || in->op == IR_FADDR) && t->isk[in->dst];
}

/* The first instruction at or after j that emits code (ninsns if none). */
static uint32_t next_real(const tctx *t, const ir_block *bl, uint32_t j)
{
    while (j < bl->ninsns && silent(t, &bl->insns[j]))
        j++;
    return j;
}

/* A temporary: defined once, read once, not a constant. */
static int single(const tctx *t, ir_reg r)
{
    return r && t->defs[r] == 1 && t->uses[r] == 1 && !t->isk[r];
}

static const uint8_t ldx_op[] = {0, IOP_LDX_I8, IOP_LDX_U8, IOP_LDX_I16, IOP_LDX_U16,
                                 IOP_LDX_I32, IOP_LDX_U32, IOP_LDX_64, IOP_LDX_U32, IOP_LDX_64};
static const uint8_t stx_op[] = {0, IOP_STX_8, IOP_STX_8, IOP_STX_16, IOP_STX_16,
                                 IOP_STX_32, IOP_STX_32, IOP_STX_64, IOP_STX_32, IOP_STX_64};

/* The register a store really needs: an extension feeding only a narrower
 * store is skipped (the store ignores the bits it changed). */
static ir_reg sval(tctx *t, ir_reg b)
{
    if (b == t->alias_from && b) {
        t->alias_from = 0;
        return t->alias_to;
    }
    return b;
}

static void emit_stx(tctx *t, const ir_insn *mem, ir_reg base, ir_reg idx, uint32_t sh)
{
    op(t, stx_op[mem->stype]);
    word(t, rd(t, base));
    word(t, rd(t, sval(t, mem->b)));
    word(t, rd(t, idx));
    word(t, sh);
    word(t, (uint32_t)(int32_t)(mem->imm - (int64_t)KP_PAGE_SIZE));
}

/* "t = mul/shl i, 2^k; p = add b, t; load/store [p + d]" or "p = add b, i;
 * load/store [p + d]" as one indexed access. Returns the instructions
 * consumed, 0 if the pattern does not match. */
static int try_indexed(tctx *t, const ir_block *bl, uint32_t i)
{
    const ir_insn *in = &bl->insns[i], *add, *mem, *nx;
    ir_reg base, idx;
    uint32_t sh = 0, j;
    int skip = 0;

    if (in->type != IR_I32)
        return 0;
    if (in->op == IR_MUL || in->op == IR_SHL) {
        ir_reg x = in->a, k = in->b;
        if (in->op == IR_MUL && t->isk[x] && !t->isk[k]) {
            x = in->b;
            k = in->a;
        }
        if (!t->isk[k] || t->isk[x] || !single(t, in->dst))
            return 0;
        uint32_t kv = (uint32_t)t->kv[k];
        if (in->op == IR_SHL)
            sh = kv & 31;
        else
            sh = kv == 1 ? 0 : kv == 2 ? 1 : kv == 4 ? 2 : kv == 8 ? 3 : 99;
        if (sh > 3)
            return 0;
        j = next_real(t, bl, i + 1);
        if (j >= bl->ninsns)
            return 0;
        add = &bl->insns[j];
        if (add->op != IR_ADD || add->type != IR_I32)
            return 0;
        if (add->b == in->dst && add->a != in->dst)
            base = add->a;
        else if (add->a == in->dst && add->b != in->dst)
            base = add->b;
        else
            return 0;
        idx = x;
    } else if (in->op == IR_ADD) {
        add = in;
        j = i;
        base = in->a;
        idx = in->b;
        if (t->isk[base] && !t->isk[idx]) { /* keep a constant as the base */
            base = in->b;
            idx = in->a;
        }
    } else {
        return 0;
    }
    ir_reg p = add->dst;
    if (!single(t, p))
        return 0;
    uint32_t ja = j;
    j = next_real(t, bl, j + 1);
    if (j >= bl->ninsns)
        return 0;
    mem = &bl->insns[j];
    if (mem->a != p || (mem->op != IR_LOAD && (mem->op != IR_STORE || mem->b == p))) {
        /* A store usually comes after its value is computed: emit the
         * indexed store there, if base and index keep their values. */
        if (t->npend == (int)(sizeof t->pend / sizeof t->pend[0]))
            return 0;
        for (uint32_t k = ja + 1; k < bl->ninsns && k <= ja + 16; k++) {
            const ir_insn *x = &bl->insns[k];
            if (x->op == IR_STORE && x->a == p && x->b != p) {
                t->pend[t->npend].p = p;
                t->pend[t->npend].base = base;
                t->pend[t->npend].idx = idx;
                t->pend[t->npend++].sh = sh;
                return (int)(ja - i + 1);
            }
            if (ir_is_terminator(x->op) || (has_dst(x) && (x->dst == base || x->dst == idx)))
                return 0;
        }
        return 0;
    }
    uint32_t disp = (uint32_t)(int32_t)(mem->imm - (int64_t)KP_PAGE_SIZE);
    if (mem->op == IR_LOAD) {
        uint32_t k2 = next_real(t, bl, j + 1);
        nx = k2 < bl->ninsns ? &bl->insns[k2] : NULL;
        ir_reg d = dst_of(t, mem, nx, &skip);
        op(t, ldx_op[mem->stype]);
        word(t, d);
        word(t, rd(t, base));
        word(t, rd(t, idx));
        word(t, sh);
        word(t, disp);
        return (int)((skip ? k2 : j) - i + 1);
    }
    emit_stx(t, mem, base, idx, sh);
    return (int)(j - i + 1);
}

#define DONE() (skip ? (int)(j - i + 1) : 1)

/* Translate insns[i] and maybe a few after it; returns how many were used. */
static int xlate(tctx *t, const ir_block *bl, uint32_t i)
{
    const ir_insn *in = &bl->insns[i];
    uint32_t j = next_real(t, bl, i + 1);
    const ir_insn *nx = j < bl->ninsns ? &bl->insns[j] : NULL;
    int skip = 0, ty = in->type, is64 = ty == IR_I64;
    ir_reg d;
    uint32_t at;
    int nfused;

    if ((nfused = try_indexed(t, bl, i)) != 0)
        return nfused;

    switch (in->op) {
    case IR_CONST: case IR_GADDR: case IR_FADDR:
        if (t->isk[in->dst])
            return 1;
        d = dst_of(t, in, nx, &skip);
        emit_k(t, d, const_value(t, in));
        return DONE();
    case IR_MOV: case IR_TRUNC: case IR_BITCAST:
        d = dst_of(t, in, nx, &skip);
        if (t->isk[in->a]) {
            uint64_t v = t->kv[in->a];
            if (in->op == IR_TRUNC)
                v = (uint32_t)v;
            emit_k(t, d, v);
        } else {
            emit3(t, IOP_MOV, d, rd(t, in->a));
        }
        return DONE();
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIVS: case IR_DIVU: case IR_REMS:
    case IR_REMU: case IR_AND: case IR_OR: case IR_XOR: case IR_SHL: case IR_SHRS:
    case IR_SHRU: {
        d = dst_of(t, in, nx, &skip);
        if (ty == IR_F32 || ty == IR_F64) {
            int base = ty == IR_F32 ? IOP_FADD32 : IOP_FADD64;
            int k = in->op == IR_ADD ? 0 : in->op == IR_SUB ? 1 : in->op == IR_MUL ? 2 : 3;
            emit4(t, base + k, d, rd(t, in->a), rd(t, in->b));
            return DONE();
        }
        if (in->op == IR_AND && !is64 && nx && nx->op == IR_BR && nx->a == in->dst &&
            single(t, in->dst) && (kfits(t, in->b, ty) || kfits(t, in->a, ty)) &&
            !(t->isk[in->a] && t->isk[in->b])) {
            ir_reg x = kfits(t, in->b, ty) ? in->a : in->b, k = x == in->a ? in->b : in->a;
            at = op(t, IOP_BAND32_K);
            word(t, rd(t, x));
            word(t, (uint32_t)t->kv[k]);
            target(t, at, nx->t1);
            target(t, at, nx->t2);
            return (int)(j - i + 1);
        }
        /* The add must consume the product: the next real instruction can
         * be an unrelated add (constants in between emit nothing). */
        if (in->op == IR_MUL && nx && nx->op == IR_ADD && nx->type == ty &&
            (nx->a == in->dst || nx->b == in->dst) &&
            single(t, in->dst) && (kfits(t, in->a, ty) || kfits(t, in->b, ty))) {
            ir_reg x = kfits(t, in->b, ty) ? in->a : in->b, k1 = x == in->a ? in->b : in->a;
            ir_reg k2 = nx->a == in->dst ? nx->b : nx->a;
            if (!t->isk[x] && k2 != in->dst && kfits(t, k2, ty)) {
                /* t = x * K1; d = t + K2 */
                uint32_t j2 = next_real(t, bl, j + 1);
                const ir_insn *nx2 = j2 < bl->ninsns ? &bl->insns[j2] : NULL;
                d = dst_of(t, nx, nx2, &skip);
                op(t, IOP_MADD_K);
                word(t, d);
                word(t, rd(t, x));
                word(t, (uint32_t)t->kv[k1]);
                word(t, (uint32_t)t->kv[k2]);
                return (int)((skip ? j2 : j) - i + 1);
            }
        }
        int rr = 0, comm = 0, div = 0;
        switch (in->op) {
        case IR_ADD: rr = IOP_ADD; comm = 1; break;
        case IR_SUB: rr = IOP_SUB; break;
        case IR_MUL: rr = IOP_MUL; comm = 1; break;
        case IR_AND: rr = IOP_AND; comm = 1; break;
        case IR_OR: rr = IOP_OR; comm = 1; break;
        case IR_XOR: rr = IOP_XOR; comm = 1; break;
        case IR_SHL: rr = is64 ? IOP_SHL64 : IOP_SHL32; break;
        case IR_SHRS: rr = is64 ? IOP_SHRS64 : IOP_SHRS32; break;
        case IR_SHRU: rr = is64 ? IOP_SHRU64 : IOP_SHRU32; break;
        case IR_DIVS: rr = is64 ? IOP_DIVS64 : IOP_DIVS32; div = 2; break;
        case IR_DIVU: rr = is64 ? IOP_DIVU64 : IOP_DIVU32; div = 1; break;
        case IR_REMS: rr = is64 ? IOP_REMS64 : IOP_REMS32; div = 2; break;
        case IR_REMU: rr = is64 ? IOP_REMU64 : IOP_REMU32; div = 1; break;
        }
        ir_reg a = in->a, b = in->b;
        if (comm && t->isk[a] && !t->isk[b]) {
            a = in->b;
            b = in->a;
        }
        int usek = kfits(t, b, ty);
        if (usek && div) {
            /* immediate divisors never trap: not 0, and not -1 if signed */
            int64_t v = is64 ? (int64_t)t->kv[b] : (int64_t)(int32_t)(uint32_t)t->kv[b];
            if (v == 0 || (div == 2 && v == -1))
                usek = 0;
        }
        if (usek)
            emit4(t, rr + 1, d, rd(t, a), (uint32_t)t->kv[b]);
        else
            emit4(t, rr, d, rd(t, a), rd(t, b));
        return DONE();
    }
    case IR_NEG:
    case IR_NOT:
        d = dst_of(t, in, nx, &skip);
        if (ty == IR_F32 || ty == IR_F64)
            emit3(t, ty == IR_F32 ? IOP_FNEG32 : IOP_FNEG64, d, rd(t, in->a));
        else
            emit3(t, in->op == IR_NEG ? IOP_NEG : IOP_NOT, d, rd(t, in->a));
        return DONE();
    case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS: case IR_GES:
    case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU: {
        int c = in->op - IR_EQ;
        if (ty == IR_F32 || ty == IR_F64) {
            static const uint8_t fmap[10] = {0, 1, 2, 3, 4, 5, 2, 3, 4, 5};
            d = dst_of(t, in, nx, &skip);
            emit4(t, (ty == IR_F32 ? IOP_FEQ32 : IOP_FEQ64) + fmap[c], d, rd(t, in->a),
                  rd(t, in->b));
            return DONE();
        }
        ir_reg a = in->a, b = in->b;
        if (t->isk[a] && !t->isk[b]) {
            a = in->b;
            b = in->a;
            c = cmp_mirror[c];
        }
        int k = kfits(t, b, ty);
        uint32_t bw = k ? (uint32_t)t->kv[b] : rd(t, b);
        if (nx && nx->op == IR_BR && nx->a == in->dst && t->uses[in->dst] == 1 &&
            t->defs[in->dst] == 1) {
            at = op(t, (is64 ? IOP_BEQ64 : IOP_BEQ32) + 2 * c + k);
            word(t, rd(t, a));
            word(t, bw);
            target(t, at, nx->t1);
            target(t, at, nx->t2);
            return (int)(j - i + 1);
        }
        d = dst_of(t, in, nx, &skip);
        emit4(t, (is64 ? IOP_EQ64 : IOP_EQ32) + 2 * c + k, d, rd(t, a), bw);
        return DONE();
    }
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16:
    case IR_SEXT32: case IR_ZEXT32:
        if (in->op <= IR_ZEXT16 && nx && nx->op == IR_STORE && nx->b == in->dst &&
            nx->a != in->dst && single(t, in->dst) &&
            (nx->stype <= IR_M_U8 || (nx->stype <= IR_M_U16 && in->op >= IR_SEXT16))) {
            t->alias_from = in->dst;
            t->alias_to = in->a;
            return 1;
        }
        d = dst_of(t, in, nx, &skip);
        emit3(t, IOP_SEXT8 + (in->op - IR_SEXT8), d, rd(t, in->a));
        return DONE();
    case IR_SITOF: case IR_UITOF: {
        d = dst_of(t, in, nx, &skip);
        int base = in->op == IR_SITOF ? IOP_SITOF_F32_I32 : IOP_UITOF_F32_I32;
        emit3(t, base + (ty == IR_F64) + 2 * (in->stype == IR_I64), d, rd(t, in->a));
        return DONE();
    }
    case IR_FTOSI: case IR_FTOUI: {
        d = dst_of(t, in, nx, &skip);
        int f64 = in->stype == IR_F64, iop;
        if (in->op == IR_FTOSI)
            iop = IOP_FTOSI_I32_F32 + is64 + 2 * f64;
        else if (!is64) /* FTOUI to I32 = FTOSI to I64, low half */
            iop = f64 ? IOP_FTOSI_I64_F64 : IOP_FTOSI_I64_F32;
        else
            iop = f64 ? IOP_FTOUI_I64_F64 : IOP_FTOUI_I64_F32;
        emit3(t, iop, d, rd(t, in->a));
        return DONE();
    }
    case IR_FCVT:
        d = dst_of(t, in, nx, &skip);
        emit3(t, ty == IR_F64 ? IOP_FCVT_F64_F32 : IOP_FCVT_F32_F64, d, rd(t, in->a));
        return DONE();
    case IR_LOAD:
        d = dst_of(t, in, nx, &skip);
        emit4(t, load_op(in->stype), d, rd(t, in->a),
              (uint32_t)(int32_t)(in->imm - (int64_t)KP_PAGE_SIZE));
        return DONE();
    case IR_STORE:
        for (int k = 0; k < t->npend; k++)
            if (t->pend[k].p == in->a) {
                emit_stx(t, in, t->pend[k].base, t->pend[k].idx, t->pend[k].sh);
                t->pend[k] = t->pend[--t->npend];
                return 1;
            }
        emit4(t, store_op(in->stype), rd(t, in->a), rd(t, sval(t, in->b)),
              (uint32_t)(int32_t)(in->imm - (int64_t)KP_PAGE_SIZE));
        return 1;
    case IR_FRAME:
        d = dst_of(t, in, nx, &skip);
        emit3(t, IOP_FRAME, d, (uint32_t)in->imm);
        return DONE();
    case IR_COPY:
        emit4(t, IOP_COPY, rd(t, in->a), rd(t, in->b), (uint32_t)in->imm);
        return 1;
    case IR_ZERO:
        emit3(t, IOP_ZERO, rd(t, in->a), (uint32_t)in->imm);
        return 1;
    case IR_CALL: case IR_CALLI: case IR_CALLR: case IR_CALLP:
        d = dst_of(t, in, nx, &skip);
        op(t, in->op == IR_CALL ? IOP_CALL : in->op == IR_CALLI ? IOP_CALLI
              : in->op == IR_CALLR ? IOP_CALLR : IOP_CALLP);
        word(t, d); /* 0: the scratch slot */
        word(t, in->op == IR_CALLP ? rd(t, in->a) : (uint32_t)in->imm);
        word(t, in->nargs);
        if (in->op == IR_CALLI || in->op == IR_CALLP)
            word(t, call_types(t, in));
        if (in->op == IR_CALLP) {
            ir_sig *ns = grow(t, t->sigs, &t->sigcap, t->nsigs + 1, sizeof *ns);
            if (ns) {
                t->sigs = ns;
                t->sigs[t->nsigs] = *in->sig;
                word(t, (uint32_t)t->nsigs++);
            }
        }
        emit_call_args(t, in);
        if (in->op != IR_CALLR && in->nargs > t->maxout)
            t->maxout = in->nargs;
        return DONE();
    case IR_JMP: {
        if (in->t1 == t->cur + 1)
            return 1; /* falls through */
        const ir_block *tb = &t->f->blocks[in->t1];
        if (!t->dup && t->ps[in->t1].copy) {
            /* Copy a small target (typically a loop's test) instead of
             * jumping to it: one dispatch less per iteration. Which
             * blocks is the IR's rule (ir_poll_sites): the JIT copies the
             * same ones, so both poll on the same jumps. */
            t->dup = 1;
            translate_block(t, tb);
            t->dup = 0;
            return 1;
        }
        at = op(t, IOP_JMP);
        target(t, at, in->t1);
        return 1;
    }
    case IR_BR:
        at = op(t, IOP_BR);
        word(t, rd(t, in->a));
        target(t, at, in->t1);
        target(t, at, in->t2);
        return 1;
    case IR_SWITCH:
        emit_switch(t, in);
        return 1;
    case IR_RET:
        if (in->a) {
            op(t, IOP_RET);
            word(t, rd(t, in->a));
        } else {
            op(t, IOP_RETV);
        }
        return 1;
    }
    t->nomem = 1; /* unreachable after ir_verify */
    return 1;
}

static void add_pos(tctx *t, const ir_insn *in)
{
    if (t->npos && t->pos[t->npos - 1].line == in->line && t->pos[t->npos - 1].col == in->col)
        return;
    interp_pos *np = grow(t, t->pos, &t->poscap, t->npos + 1, sizeof *np);
    if (!np)
        return;
    t->pos = np;
    t->pos[t->npos++] = (interp_pos){(uint32_t)t->n, in->line, in->col};
}

static void translate_block(tctx *t, const ir_block *bl)
{
    t->npend = 0;
    t->alias_from = 0;
    for (uint32_t i = 0; i < bl->ninsns;) {
        add_pos(t, &bl->insns[i]);
        i += (uint32_t)xlate(t, bl, i);
    }
}

static void fn_free(interp_fn *F)
{
    free((void *)F->code);
    free(F->kslot);
    free(F->kval);
    free(F->pos);
    free(F->ppos);
    free(F->types);
    free(F->sigs);
}

static int translate(tctx *t, interp_fn *F, char *err, size_t errsize)
{
    const ir_func *f = t->f;
    int rc = KP_ERR_NOMEM;
    if (f->nregs > INTERP_MAX_REGS) {
        snprintf(err, errsize, "function '%s' has too many registers for the interpreter",
                 f->name);
        return KP_ERR_LIMIT;
    }
    size_t nr = f->nregs;
    t->defs = calloc(nr, sizeof *t->defs);
    t->uses = calloc(nr, sizeof *t->uses);
    t->isk = calloc(nr, 1);
    t->kread = calloc(nr, 1);
    t->kv = calloc(nr, sizeof *t->kv);
    t->boff = malloc(f->nblocks * sizeof *t->boff);
    t->ps = malloc(f->nblocks * sizeof *t->ps);
    if (!t->defs || !t->uses || !t->isk || !t->kread || !t->kv || !t->boff || !t->ps)
        goto fail;
    ir_poll_sites(f, t->ps);

    for (unsigned i = 0; i < f->sig.nparams; i++)
        t->defs[1 + i]++;
    for (uint32_t b = 0; b < f->nblocks; b++)
        for (uint32_t i = 0; i < f->blocks[b].ninsns; i++) {
            const ir_insn *in = &f->blocks[b].insns[i];
            if (has_dst(in))
                t->defs[in->dst]++;
            count_uses(t, in);
        }
    for (uint32_t b = 0; b < f->nblocks; b++)
        for (uint32_t i = 0; i < f->blocks[b].ninsns; i++) {
            const ir_insn *in = &f->blocks[b].insns[i];
            if ((in->op == IR_CONST || in->op == IR_GADDR || in->op == IR_FADDR) &&
                t->defs[in->dst] == 1) {
                t->isk[in->dst] = 1;
                t->kv[in->dst] = const_value(t, in);
            }
        }
    t->uses[0] = 0;

    for (uint32_t b = 0; b < f->nblocks; b++) {
        const ir_block *bl = &f->blocks[b];
        t->cur = b;
        t->boff[b] = (uint32_t)t->n;
        translate_block(t, bl);
        if (t->n > INTERP_MAX_CODE)
            goto toolarge;
    }
    if (t->nomem)
        goto fail;
    if (t->n > INTERP_MAX_CODE)
        goto toolarge;
    for (size_t k = 0; k < t->nfx; k++) {
        const fixup *x = &t->fx[k];
        uint32_t to = t->boff[x->block];
        t->w[x->at] = (uint32_t)((int64_t)to - (int64_t)x->insn);
    }
    /* A poll trap is located by the block its jump went to: per jump that
     * polls (an offset <= 0), the word holding its offset. Not by the
     * target word: blocks that emit no code share it with the next one. */
    uint32_t np = 0;
    for (size_t k = 0; k < t->nfx; k++)
        np += t->boff[t->fx[k].block] <= t->fx[k].insn;
    t->ppos = malloc((np ? np : 1) * sizeof *t->ppos);
    if (!t->ppos)
        goto fail;
    np = 0;
    for (size_t k = 0; k < t->nfx; k++) { /* in increasing order of `at` */
        const fixup *x = &t->fx[k];
        if (t->boff[x->block] <= x->insn)
            t->ppos[np++] = (interp_pos){x->at, t->ps[x->block].line, t->ps[x->block].col};
    }

    uint32_t nk = 0;
    for (uint32_t r = 1; r < nr; r++)
        nk += t->kread[r];
    F->nkinit = nk;
    if (nk) {
        F->kslot = malloc(nk * sizeof *F->kslot);
        F->kval = malloc(nk * sizeof *F->kval);
        if (!F->kslot || !F->kval)
            goto fail;
        for (uint32_t r = 1, j = 0; r < nr; r++)
            if (t->kread[r]) {
                F->kslot[j] = r;
                F->kval[j++] = t->kv[r];
            }
    }
    F->code = t->w;
    F->code_bytes = t->n * sizeof *t->w + (t->npos + np) * sizeof *t->pos +
                    (size_t)nk * (sizeof *F->kslot + sizeof *F->kval);
    F->pos = t->pos;
    F->npos = (uint32_t)t->npos;
    F->ppos = t->ppos;
    F->nppos = np;
    F->types = t->types;
    F->sigs = t->sigs;
    t->w = NULL;
    t->pos = NULL;
    t->ppos = NULL;
    t->types = NULL;
    t->sigs = NULL;
    F->nslots = (uint32_t)nr;
    F->reserve = (uint32_t)nr + INTERP_HDR + 1 + t->maxout;
    F->frame_size = f->frame_size;
    F->frame_mask = (f->frame_align > 16 ? f->frame_align : 16) - 1;
    F->line = f->line;
    F->poll_le = interp_no_poll ? INT32_MIN : 0;
    rc = KP_OK;
    goto done;
toolarge:
    snprintf(err, errsize, "function '%s' is too large for the interpreter", f->name);
    rc = KP_ERR_LIMIT;
    goto done;
fail:
    snprintf(err, errsize, "out of memory compiling function '%s'", f->name);
    rc = KP_ERR_NOMEM;
done:
    free(t->w);
    free(t->pos);
    free(t->ppos);
    free(t->types);
    free(t->sigs);
    free(t->fx);
    free(t->defs);
    free(t->uses);
    free(t->isk);
    free(t->kread);
    free(t->kv);
    free(t->boff);
    free(t->ps);
    return rc;
}

static void interp_unload(kp_module *mod)
{
    interp_module *im = mod->engine_data;
    if (!im)
        return;
    for (uint32_t i = 0; i < im->nfns; i++) {
        fn_free(&im->fns[i]);
        if (i < mod->nfns)
            mod->fns[i].code = NULL;
    }
    free(im->fns);
    free(im->imp_sigs);
    free(im);
    mod->engine_data = NULL;
}

static int interp_load(kp_module *mod, char *err, size_t errsize)
{
    const ir_module *m = mod->ir;
    char vbuf[256];
    if (!m || mod->nfns != m->nfuncs) {
        snprintf(err, errsize, "interpreter: module has no IR");
        return KP_ERR_ARG;
    }
    if (ir_verify(m, vbuf, sizeof vbuf)) {
        snprintf(err, errsize, "internal error: invalid IR: %s", vbuf);
        return KP_ERR_COMPILE;
    }
    int32_t tab[IOP_COUNT];
    interp_vm_table(tab);

    interp_module *im = calloc(1, sizeof *im);
    if (!im)
        goto nomem;
    im->ops = &kp_interp_engine;
    im->kmod = mod;
    im->fns = calloc(m->nfuncs ? m->nfuncs : 1, sizeof *im->fns);
    im->imp_sigs = calloc(m->nimports ? m->nimports : 1, sizeof *im->imp_sigs);
    if (!im->fns || !im->imp_sigs)
        goto nomem;
    for (uint32_t i = 0; i < m->nimports; i++)
        im->imp_sigs[i] = m->imports[i].sig;
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        tctx t = {.m = m, .f = m->funcs[i], .kmod = mod, .tab = tab};
        interp_fn *F = &im->fns[i];
        F->im = im;
        F->kfn = &mod->fns[i];
        int rc = translate(&t, F, err, errsize);
        im->nfns = i + 1;
        if (rc) {
            mod->engine_data = im;
            interp_unload(mod);
            return rc;
        }
    }
    size_t code_bytes = 0;
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        mod->fns[i].code = &im->fns[i];
        code_bytes += im->fns[i].code_bytes + sizeof im->fns[i];
    }
    mod->code_bytes = code_bytes; /* counted against the runtime's code limit */
    mod->engine_data = im;
    return KP_OK;
nomem:
    if (im) {
        free(im->fns);
        free(im->imp_sigs);
        free(im);
    }
    snprintf(err, errsize, "out of memory loading plugin into the interpreter");
    return KP_ERR_NOMEM;
}

static int interp_call(kp_exec *ex, kp_fn *fn, const uint64_t *args, uint64_t *ret)
{
    return interp_vm_call(ex, fn->code, args, ret);
}

const kp_engine_ops kp_interp_engine = {
    .name = "interp",
    .load = interp_load,
    .unload = interp_unload,
    .call = interp_call,
};

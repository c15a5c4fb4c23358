/*
 * emit.c — instruction selection and emission: IR of one module -> one
 * chunk of x86-64 code (see jit.h for the register and call conventions,
 * docs/jit.md for the frame layout and the isolation argument).
 *
 * Every function is emitted as: prologue (native stack, call depth,
 * plugin frame, poll, parameters), the blocks in IR order, then its
 * out-of-line stubs (traps, slow polls, back-edge polls, slow call paths).
 * Native frame, from rsp up:
 *   [0, out)            outgoing arguments (also the slow paths' result slot)
 *   [out, out + 8*n)    spill slots
 *   [fpoff]             plugin frame base (u32), [fpoff+4] caller's plugin sp
 *   padding, pushed callee-saved registers, return address, incoming args.
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x64.h"

#define MAX_NATIVE_FRAME (16 * 1024)
#define XT1 14 /* scratch xmm */
#define XT2 15

enum {
    ST_TRAP = 1,     /* status in eax (0: use ex->trap_code) -> trap at line:col */
    ST_POLL,         /* slow poll, then back */
    ST_BACKEDGE,     /* poll, then jump to block */
    ST_UNLINKED,     /* CALLI of an unlinked name */
    ST_GENERIC,      /* CALLI/CALLP slow path, callee in rax (extra = 1: a
                        built-in whose prototype matched) */
    ST_ENTRY,        /* entry trap: extra = 0 depth, 1 plugin stack, 2 native stack */
    ST_BUILTIN,      /* CALLI/CALLP of a built-in, prototype checked, callee in rax */
    ST_UNROLL_EXIT,  /* leave an unrolled loop: r13 += extra, jump to block back */
    ST_PLUGIN,       /* CALLI/CALLP of a plugin function out of line (the
                        built-in path is in line), callee in rax */
    ST_BIFAIL,       /* a built-in returned nonzero (eax): its trap */
    ST_CDIN          /* reload r13 from ex->poll_countdown, then back */
};

typedef struct stub {
    int kind;
    uint32_t fn;     /* the function a trap is located in (inlined code: the callee) */
    size_t label;    /* filled when emitted */
    size_t back;     /* where to resume */
    uint32_t line, col;
    uint32_t extra;
    const void *ptr;
    int emitted;
    const ir_insn *call; /* a CALLI whose arguments are still in their
                            registers at the stub; ST_GENERIC, ST_PLUGIN:
                            and not yet in their raw slots (store them) */
    const ir_insn *res;  /* ST_GENERIC, ST_PLUGIN: set this call's result
                            (call_result) before going back */
} stub;

enum { FX_BLOCK = 0, FX_STUB = 1, FX_FUNC = 2, FX_FUNC_REG = 3 };
#define NOPAD ((size_t)-1)
typedef struct fixup {
    size_t at;
    uint32_t target;
    int kind;
    size_t table;   /* jump-table entry: offset of the table (entry = target - table), else 0 */
} fixup;

typedef struct E {
    xbuf b;
    jit_module *jm;
    const kp_module *kmod;
    const ir_module *m;
    const ir_func *f;
    uint32_t fi;
    jit_ra ra;
    uint32_t cur;            /* block being emitted */
    size_t *blk;             /* block offsets */
    fixup *fx;
    size_t nfx, fxcap;
    fixup *cfx;              /* module-wide call fixups */
    size_t ncfx, cfxcap;
    stub *st;
    size_t nst, stcap;
    jit_pcmap *pc;
    size_t npc, pccap;
    uint32_t nsite;
    int32_t out, spill_base, fpoff, frame_total;
    int npush;
    int pushed[4];
    int nomem;
    int has_frame;           /* sets ex->sp */
    int uses_fp;
    int leaf;                /* calls no plugin code (CALL/CALLI/CALLP) */
    const ir_insn *in;       /* current insn (positions) */
    uint32_t pos;            /* its number, as regalloc counts */
    int nopoll;              /* no polls (jit_set_polling(0)): back-edges jump directly */
    int plain_loops;         /* jit_set_loop_forms(0): no counted or unrolled loops */
    int dup;                 /* emitting a copy of a jump's target block */
    size_t *pad;             /* per block: its poll pad, or NOPAD */
    ir_pollsite *ps;         /* per block: copied at jumps? poll location
                                (ir_poll_sites on the unoptimized IR) */
    size_t pscap;
    /* The flags describe the value of IR register flag_reg (ZF and SF of
     * its full width flag_w) as long as nothing was emitted since flag_at
     * in block flag_blk: a compare of it with 0 needs no `test`. */
    ir_reg flag_reg;
    int flag_w, flag_logic;  /* and/or/xor: OF = CF = 0 as after `test` */
    size_t flag_at;
    uint32_t flag_blk;
    /* Unrolled loop (emit_unrolled): copy `unroll` (1..U) of block
     * unroll_blk is being emitted; a jump back to it continues with the
     * next copy (cont[], bound after the copy), every other jump leaves. */
    int unroll, unroll_n;
    uint32_t unroll_blk;
    size_t cont[16];
    int ncont;
    uint32_t cdbias;         /* the poll countdown is r13 + cdbias here */
    int cdreg;               /* counted loop (emit_counted): 1 + the induction
                                register the countdown is computed from, or 0 */
    const ir_insn *blk_end;  /* end of the block being emitted (or copied) */
    const ir_insn *fused_add;/* an ADD already computed by an earlier lea, or
                                (fused_x != 0) to compute as y + fused_x * fused_s */
    ir_reg fused_x, fused_x_t;
    int fused_s;
    /* a LOAD/STORE whose address `K + r` (K a small constant) is folded
     * into it as [r15 + r + K + disp] (fold_index) */
    const ir_insn *fold_acc;
    ir_reg fold_r;
    uint32_t fold_k;
    uint8_t *nn;             /* per register: 0 unknown, 1 counter in [0, INT_MAX], 2 not */
    int dbg;                 /* record jit_dbgline entries (tools) */
    jit_dbgline *dl;
    size_t ndl, dlcap;
    /* the entry traps (native stack, plugin stack) of the function, shared
     * by its two entries; NOSTUB: none yet */
    uint32_t st_native, st_pstack, st_depth;
} E;

#define NOSTUB UINT32_MAX

static void *grow(E *e, void *p, size_t *cap, size_t need, size_t elt)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 32;
    while (nc < need)
        nc *= 2;
    void *np = realloc(p, nc * elt);
    if (!np) {
        e->nomem = 1;
        return NULL;
    }
    *cap = nc;
    return np;
}

static void fix(E *e, size_t at, uint32_t target, int kind)
{
    if (kind == FX_FUNC || kind == FX_FUNC_REG) {
        fixup *n = grow(e, e->cfx, &e->cfxcap, e->ncfx + 1, sizeof *n);
        if (!n)
            return;
        e->cfx = n;
        e->cfx[e->ncfx++] = (fixup){at, target, kind, 0};
        return;
    }
    fixup *n = grow(e, e->fx, &e->fxcap, e->nfx + 1, sizeof *n);
    if (!n)
        return;
    e->fx = n;
    e->fx[e->nfx++] = (fixup){at, target, kind, 0};
}

static uint32_t new_stub(E *e, int kind, uint32_t line, uint32_t col, uint32_t extra,
                         const void *ptr, size_t back)
{
    stub *n = grow(e, e->st, &e->stcap, e->nst + 1, sizeof *n);
    if (!n)
        return 0;
    e->st = n;
    e->st[e->nst] = (stub){kind, e->fi, 0, back, line, col, extra, ptr, 0, NULL, NULL};
    return (uint32_t)e->nst++;
}

/* jcc/jmp to a stub */
static void jcc_stub(E *e, int cc, uint32_t s) { fix(e, x_jcc32(&e->b, cc), s, FX_STUB); }
static void jmp_stub(E *e, uint32_t s) { fix(e, x_jmp32(&e->b), s, FX_STUB); }

static void pcmap(E *e, int kind, int size, int areg, int32_t disp, int dreg)
{
    jit_pcmap *n = grow(e, e->pc, &e->pccap, e->npc + 1, sizeof *n);
    if (!n)
        return;
    e->pc = n;
    e->pc[e->npc++] = (jit_pcmap){(uint32_t)e->b.n, e->fi, e->in ? e->in->line : e->f->line,
                                  e->in ? e->in->col : 0, (uint8_t)kind, (uint8_t)size,
                                  (int8_t)areg, (int8_t)dreg, disp, e->cdbias,
                                  (int8_t)(e->cdreg - 1)};
}

/* Code from here on comes from instruction insn of block (debug map). */
static void dbgmark(E *e, int32_t block, uint32_t insn)
{
    if (!e->dbg)
        return;
    if (e->ndl && e->dl[e->ndl - 1].off == (uint32_t)e->b.n) {
        e->dl[e->ndl - 1] = (jit_dbgline){(uint32_t)e->b.n, e->fi, block, insn};
        return;
    }
    jit_dbgline *n = grow(e, e->dl, &e->dlcap, e->ndl + 1, sizeof *n);
    if (!n)
        return;
    e->dl = n;
    e->dl[e->ndl++] = (jit_dbgline){(uint32_t)e->b.n, e->fi, block, insn};
}

/* ---- operands ---- */

static int isx(int t) { return t == IR_F32 || t == IR_F64; }
static const jit_loc *L(E *e, ir_reg v) { return &e->ra.loc[v]; }
static int rtype(E *e, ir_reg v) { return e->f->reg_types[v]; }
static xmem slotm(E *e, uint32_t slot) { return xm(RSP, e->spill_base + 8 * (int32_t)slot); }

/* Is v a constant usable as a sign-extended imm32 for an op of width w? */
static int kimm(E *e, ir_reg v, int w, int32_t *imm)
{
    if (!v || L(e, v)->kind != JL_CONST)
        return 0;
    uint64_t k = L(e, v)->k;
    if (!w) {
        *imm = (int32_t)(uint32_t)k;
        return 1;
    }
    if (!fits32((int64_t)k))
        return 0;
    *imm = (int32_t)(int64_t)k;
    return 1;
}

/* The GP register holding v (loaded into tmp if needed). Never touches flags. */
static int gsrc(E *e, ir_reg v, int tmp)
{
    const jit_loc *l = L(e, v);
    int w = rtype(e, v) == IR_I64 || rtype(e, v) == IR_F64;
    switch (l->kind) {
    case JL_REG:
        if (isx(rtype(e, v))) {
            x_movd_gx(&e->b, w, tmp, l->reg);
            return tmp;
        }
        return l->reg;
    case JL_SPILL:
        x_load(&e->b, 1, tmp, slotm(e, l->slot));
        return tmp;
    case JL_CONST:
        x_mov_ri_nf(&e->b, w, tmp, l->k);
        return tmp;
    default:
        x_mov_ri_nf(&e->b, 0, tmp, 0);
        return tmp;
    }
}
static int gdst(E *e, ir_reg v, int tmp)
{
    const jit_loc *l = L(e, v);
    return l->kind == JL_REG ? l->reg : tmp;
}
static void gfin(E *e, ir_reg v, int r)
{
    const jit_loc *l = L(e, v);
    if (l->kind == JL_SPILL)
        x_store(&e->b, 1, slotm(e, l->slot), r);
}
static int xsrc(E *e, ir_reg v, int tmp)
{
    const jit_loc *l = L(e, v);
    switch (l->kind) {
    case JL_REG:
        return l->reg;
    case JL_SPILL:
        x_fload(&e->b, 1, tmp, slotm(e, l->slot));
        return tmp;
    case JL_CONST:
        if (l->k == 0) {
            x_xorps(&e->b, tmp, tmp);
        } else {
            x_mov_ri_nf(&e->b, 1, R11, l->k);
            x_movd_xg(&e->b, 1, tmp, R11);
        }
        return tmp;
    default:
        x_xorps(&e->b, tmp, tmp);
        return tmp;
    }
}
static int xdst(E *e, ir_reg v, int tmp)
{
    const jit_loc *l = L(e, v);
    return l->kind == JL_REG ? l->reg : tmp;
}
static void xfin(E *e, ir_reg v, int x)
{
    const jit_loc *l = L(e, v);
    if (l->kind == JL_SPILL)
        x_fstore(&e->b, 1, slotm(e, l->slot), x);
}

/* Set a GP destination from register r (width of dst's type). */
static void gset(E *e, ir_reg d, int r)
{
    int w = rtype(e, d) == IR_I64;
    int dd = gdst(e, d, r);
    /* a 32-bit move also clears bits a helper may have left above an I32 */
    if (dd != r || !w)
        x_mov_rr(&e->b, w, dd, r);
    gfin(e, d, dd);
}

/* ---- polls ---- */

/* The poll countdown lives in R13 while JIT code runs (the allocator never
 * hands R13 out): the entry trampoline loads it from ex->poll_countdown and
 * stores it back on return. Every exit to C that may read or write the
 * countdown (the poll slow path, helpers that may run plugin code or poll,
 * traps) stores it before (cd_out) and reloads it after (cd_in). */
static void cd_out(xbuf *b)
{
    x_store(b, 0, xm(R14, offsetof(kp_exec, poll_countdown)), R13);
}

static void cd_in(xbuf *b)
{
    x_load(b, 0, R13, xm(R14, offsetof(kp_exec, poll_countdown)));
}

static void emit_poll(E *e, uint32_t line, uint32_t col)
{
    xbuf *b = &e->b;
    if (e->nopoll)
        return;
    /* sub r13d, 1 ; jz slow. The interrupt word is read by the slow path,
     * which runs at least every POLL_INTERVAL polls (exec.c), and sooner
     * with a deadline or fuel. */
    x_alu_ri(b, 0, ALU_SUB, R13, 1);
    size_t j2 = x_jcc32(b, CC_E);
    uint32_t s = new_stub(e, ST_POLL, line, col, 0, NULL, b->n);
    fix(e, j2, s, FX_STUB);
}

/* ---- prologue / epilogue ---- */

/* The native frame: the callee-saved registers the function uses, its
 * spill area, then the native stack check. Returns where the frame is
 * complete (the check comes after: debuggers' unwind tables). */
static size_t emit_native_frame(E *e)
{
    xbuf *b = &e->b;
    for (int i = 0; i < e->npush; i++)
        x_push(b, e->pushed[i]);
    if (e->frame_total)
        x_alu_ri(b, 1, ALU_SUB, RSP, e->frame_total);
    size_t framed = b->n;
    /* native stack: cmp rsp, fs:[limit] ; jb trap */
    xb1(b, 0x64);
    x_rm(b, 0, 1, 0x3B, 1, RSP, (xmem){-1, -1, 1, jit_g.tls_limit_off}, 0);
    if (e->st_native == NOSTUB)
        e->st_native = new_stub(e, ST_ENTRY, e->f->line, 0, 2, NULL, 0);
    jcc_stub(e, CC_B, e->st_native);
    return framed;
}

/* The plugin frame, then the entry poll. */
static void emit_plugin_frame(E *e)
{
    xbuf *b = &e->b;
    const ir_func *f = e->f;
    if (e->has_frame) {
        uint32_t mask = (f->frame_align > 16 ? f->frame_align : 16) - 1;
        x_load(b, 0, RAX, xm(R14, offsetof(kp_exec, sp)));
        x_store(b, 0, xm(RSP, e->fpoff + 4), RAX);
        x_alu_ri(b, 1, ALU_SUB, RAX, (int32_t)f->frame_size);
        x_alu_ri(b, 1, ALU_AND, RAX, (int32_t)~mask);
        x_load(b, 0, RCX, xm(R14, offsetof(kp_exec, stack_lo)));
        x_alu_rr(b, 1, ALU_CMP, RAX, RCX);
        if (e->st_pstack == NOSTUB)
            e->st_pstack = new_stub(e, ST_ENTRY, f->line, 0, 1, NULL, 0);
        jcc_stub(e, CC_L, e->st_pstack);
        x_store(b, 0, xm(R14, offsetof(kp_exec, sp)), RAX);
        x_store(b, 0, xm(RSP, e->fpoff), RAX);
    } else if (e->uses_fp) {
        x_load(b, 0, RAX, xm(R14, offsetof(kp_exec, sp)));
        x_store(b, 0, xm(RSP, e->fpoff), RAX);
    }
    /* every entry polls, leaves too: with a fuel budget the cut-off is a
     * count of polls, which must match the interpreter's exactly */
    emit_poll(e, f->line, 0);
}

/* Registers read before they are written (the allocator lists them)
 * start at zero. */
static void emit_undef_init(E *e)
{
    xbuf *b = &e->b;
    for (uint32_t i = 0; i < e->ra.nundef; i++) {
        ir_reg v = e->ra.undef[i];
        const jit_loc *l = L(e, v);
        if (l->kind == JL_REG) {
            if (isx(rtype(e, v)))
                x_xorps(b, l->reg, l->reg);
            else
                x_rr(b, 0, 0, 0x31, 1, l->reg, l->reg);
        } else if (l->kind == JL_SPILL) {
            x_rm(b, 0, 1, 0xC7, 1, 0, slotm(e, l->slot), 0);
            xb4(b, 0);
        }
    }
}

/* The call depth: checked against the limit, counted (a leaf runs no
 * plugin code that could read it, and traps restore it from the entry
 * trampoline, so a leaf only checks). */
static void emit_depth(E *e)
{
    xbuf *b = &e->b;
    x_load(b, 0, RAX, xm(R14, offsetof(kp_exec, depth)));
    x_alu_rm(b, 0, ALU_CMP, RAX, xm(R14, offsetof(kp_exec, max_depth)));
    if (e->st_depth == NOSTUB)
        e->st_depth = new_stub(e, ST_ENTRY, e->f->line, 0, 0, NULL, 0);
    jcc_stub(e, CC_AE, e->st_depth);
    if (!e->leaf) {
        x_alu_ri(b, 0, ALU_ADD, RAX, 1);
        x_store(b, 0, xm(R14, offsetof(kp_exec, depth)), RAX);
    }
}

/* n moves src[i] -> dst[i] at once (registers of one class each, fp[i]:
 * xmm): cycles broken through rax or xmm15, which are never allocated */
static void parallel_move(xbuf *b, int *src, int *dst, int *fp, int n)
{
    while (n) {
        int done = 0;
        for (int i = 0; i < n && !done; i++) {
            int blocked = 0;
            for (int j = 0; j < n; j++)
                blocked |= j != i && fp[j] == fp[i] && src[j] == dst[i];
            if (blocked)
                continue;
            if (fp[i])
                x_movaps(b, dst[i], src[i]);
            else
                x_mov_rr(b, 1, dst[i], src[i]);
            src[i] = src[n - 1], dst[i] = dst[n - 1], fp[i] = fp[n - 1], n--;
            done = 1;
        }
        if (!done) { /* only cycles left: park one source */
            int t = fp[0] ? 15 : RAX;
            if (fp[0])
                x_movaps(b, t, src[0]);
            else
                x_mov_rr(b, 1, t, src[0]);
            src[0] = t;
        }
    }
}

static size_t emit_reg_entry(E *e, const int8_t *arr, int outermost);

/* The prologue. Where the prototype fits jit_prep_regs, it loads the
 * arguments from the caller's stack into those registers and falls into
 * the register entry, which the plugin's own direct calls enter with
 * their arguments already there (args_to_regs); else it builds the frame
 * and loads the parameters from the stack itself. */
static void emit_prologue(E *e)
{
    xbuf *b = &e->b;
    const ir_func *f = e->f;
    jit_fn *jf = &e->jm->fns[e->fi];
    int8_t arr[IR_MAX_PARAMS];
    size_t framed;
    jf->reg_off = 0;
    if (jit_prep_regs(f->sig.params, f->sig.nparams, arr)) {
        for (uint32_t p = 1; p <= f->sig.nparams && p < f->nregs; p++) {
            const jit_loc *l = L(e, p);
            xmem src = xm(RSP, 8 * (int32_t)p);
            int t = rtype(e, p);
            if (l->kind != JL_REG && l->kind != JL_SPILL)
                continue;
            if (isx(t))
                x_fload(b, t == IR_F64, arr[p - 1] & 15, src);
            else
                x_load(b, t == IR_I64, arr[p - 1], src);
        }
        jf->reg_off = (uint32_t)b->n;
        dbgmark(e, -5, 0);
        framed = emit_reg_entry(e, arr, 0);
    } else {
        framed = emit_native_frame(e);
        emit_depth(e);
        emit_plugin_frame(e);
        int32_t inc = e->frame_total + 8 * e->npush + 8;
        for (uint32_t p = 1; p <= f->sig.nparams && p < f->nregs; p++) {
            const jit_loc *l = L(e, p);
            xmem src = xm(RSP, inc + 8 * (int32_t)(p - 1));
            int t = rtype(e, p);
            if (l->kind == JL_REG) {
                if (isx(t))
                    x_fload(b, t == IR_F64, l->reg, src);
                else
                    x_load(b, t == IR_I64, l->reg, src);
            } else if (l->kind == JL_SPILL) {
                if (t == IR_I32)
                    x_load(b, 0, RAX, src);
                else
                    x_load(b, 1, RAX, src);
                x_store(b, 1, slotm(e, l->slot), RAX);
            }
        }
        emit_undef_init(e);
    }
    jf->frame_bytes = (uint32_t)e->frame_total;
    jf->prologue_len = (uint16_t)(framed - jf->code_off);
    jf->npush = (uint8_t)e->npush;
    for (int i = 0; i < e->npush; i++)
        jf->pushed[i] = (uint8_t)e->pushed[i];
}

/*
 * An entry whose arguments arrive in registers (jit_prep_regs): the same
 * frame as the prologue's, then the parameters moved from their registers
 * into the registers or spill slots the allocator gave them (spilled ones
 * first: they only read; a parameter nothing reads has no location). Two
 * uses:
 * - the register entry, where the prologue's stack loads end and this
 *   plugin's direct calls (IR_CALL, args_to_regs) enter: the depth
 *   counted as in any prologue; it falls into the body;
 * - the prepared entry, for a prepared call's stub (stub.c): the call is
 *   the outermost on its exec (ex->depth is 0, and the C path arms the
 *   stub only while max_depth is at least 1, so the check cannot fail):
 *   the depth is set to 1, not checked; emitted after the body, it jumps
 *   there.
 */
static size_t emit_reg_entry(E *e, const int8_t *arr, int outermost)
{
    xbuf *b = &e->b;
    const ir_func *f = e->f;
    size_t framed = emit_native_frame(e);
    if (!outermost) {
        emit_depth(e);
    } else if (!e->leaf) {
        x_rm(b, 0, 0, 0xC7, 1, 0, xm(R14, offsetof(kp_exec, depth)), 0);
        xb4(b, 1);
    }
    emit_plugin_frame(e);
    int src[IR_MAX_PARAMS], dst[IR_MAX_PARAMS], fp[IR_MAX_PARAMS], n = 0;
    for (uint32_t p = 1; p <= f->sig.nparams && p < f->nregs; p++) {
        const jit_loc *l = L(e, p);
        int x = arr[p - 1] >= 16, r = arr[p - 1] & 15;
        if (l->kind == JL_SPILL) {
            if (x)
                x_fstore(b, rtype(e, p) == IR_F64, slotm(e, l->slot), r);
            else
                x_store(b, 1, slotm(e, l->slot), r);
        } else if (l->kind == JL_REG && l->reg != r) {
            src[n] = r, dst[n] = l->reg, fp[n] = x, n++;
        }
    }
    parallel_move(b, src, dst, fp, n);
    emit_undef_init(e);
    return framed;
}

static void emit_prep_entry(E *e, size_t body)
{
    int8_t arr[IR_MAX_PARAMS];
    jit_fn *jf = &e->jm->fns[e->fi];
    jf->prep_off = 0;
    /* only what the host can look up and prepare: a static function has
     * no name in the namespace */
    if (e->f->is_static || !jit_prep_regs(e->f->sig.params, e->f->sig.nparams, arr))
        return;
    jf->prep_off = (uint32_t)e->b.n;
    emit_reg_entry(e, arr, 1);
    x_bind(&e->b, x_jmp32(&e->b), body);
}

/* A direct call's arguments into the registers of the callee's register
 * entry: register sources by one parallel move per class, then spilled
 * and constant ones straight into theirs (the registers they overwrite
 * were read by then). */
static void args_to_regs(E *e, const ir_insn *in, const int8_t *arr)
{
    xbuf *b = &e->b;
    int src[IR_MAX_PARAMS], dst[IR_MAX_PARAMS], fp[IR_MAX_PARAMS], n = 0;
    for (uint32_t i = 0; i < in->nargs; i++) {
        const jit_loc *l = L(e, in->args[i]);
        if (l->kind == JL_REG && l->reg != (arr[i] & 15))
            src[n] = l->reg, dst[n] = arr[i] & 15, fp[n] = arr[i] >= 16, n++;
    }
    parallel_move(b, src, dst, fp, n);
    for (uint32_t i = 0; i < in->nargs; i++) {
        ir_reg v = in->args[i];
        const jit_loc *l = L(e, v);
        int d = arr[i] & 15, t = rtype(e, v);
        if (arr[i] >= 16) {
            if (l->kind == JL_SPILL) {
                x_fload(b, 1, d, slotm(e, l->slot));
            } else if (l->kind == JL_CONST && l->k) {
                x_mov_ri_nf(b, 1, RAX, l->k);
                x_movd_xg(b, 1, d, RAX);
            } else if (l->kind != JL_REG) {
                x_xorps(b, d, d);
            }
        } else if (l->kind == JL_SPILL) {
            x_load(b, 1, d, slotm(e, l->slot));
        } else if (l->kind == JL_CONST) {
            x_mov_ri_nf(b, t == IR_I64, d, l->k);
        } else if (l->kind != JL_REG) {
            x_rr(b, 0, 0, 0x31, 1, d, d);
        }
    }
}

static void emit_epilogue(E *e)
{
    xbuf *b = &e->b;
    if (e->has_frame) {
        x_load(b, 0, RCX, xm(RSP, e->fpoff + 4));
        x_store(b, 0, xm(R14, offsetof(kp_exec, sp)), RCX);
    }
    if (!e->leaf)
        x_alu_mi(b, 0, ALU_SUB, xm(R14, offsetof(kp_exec, depth)), 1);
    if (e->frame_total)
        x_alu_ri(b, 1, ALU_ADD, RSP, e->frame_total);
    for (int i = e->npush; i-- > 0;)
        x_pop(b, e->pushed[i]);
    x_ret(b);
}

/* ---- helpers ---- */

static void trap_if_nz(E *e)
{
    /* eax = status from a helper */
    x_test_rr(&e->b, 0, RAX, RAX);
    jcc_stub(e, CC_NE, new_stub(e, ST_TRAP, e->in->line, e->in->col, 0, NULL, 0));
}

/* ---- memory ---- */

/* The operand [r15 + zext32(a) + disp]: see docs/jit.md, isolation. */
static xmem addr(E *e, ir_reg a, int64_t disp, int tmp, int *areg, int32_t *adisp)
{
    const jit_loc *l = L(e, a);
    if (l->kind == JL_CONST) {
        int64_t t = (int64_t)(uint32_t)l->k + disp;
        if (t >= INT32_MIN && t <= INT32_MAX) {
            *areg = -1;
            *adisp = (int32_t)t;
            return xm(R15, (int32_t)t);
        }
        x_mov_ri_nf(&e->b, 0, tmp, (uint32_t)l->k);
        *areg = tmp;
        *adisp = (int32_t)disp;
        return xmi(R15, tmp, (int32_t)disp);
    }
    int r;
    if (l->kind == JL_REG) {
        r = l->reg;
    } else if (l->kind == JL_SPILL) {
        x_load(&e->b, 0, tmp, slotm(e, l->slot)); /* 32-bit load: zero-extends */
        r = tmp;
    } else {
        x_mov_ri_nf(&e->b, 0, tmp, 0);
        r = tmp;
    }
    *areg = r;
    *adisp = (int32_t)disp;
    return xmi(R15, r, (int32_t)disp);
}

static int mem_size(int st)
{
    switch (st) {
    case IR_M_I8: case IR_M_U8: return 1;
    case IR_M_I16: case IR_M_U16: return 2;
    case IR_M_I32: case IR_M_U32: case IR_M_F32: return 4;
    default: return 8;
    }
}

/* The address of a LOAD/STORE: its base register and displacement, or,
 * for the access a global's address was folded into (fold_index), the
 * loop counter and the folded displacement. */
static xmem access_addr(E *e, const ir_insn *in, int *areg, int32_t *ad)
{
    ir_reg ar = in->a;
    int64_t disp = in->imm;
    if (in == e->fold_acc) {
        ar = e->fold_r;
        disp += e->fold_k;
        e->fold_acc = NULL;
    }
    return addr(e, ar, disp, RAX, areg, ad);
}

static void emit_load(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int areg;
    int32_t ad;
    xmem m = access_addr(e, in, &areg, &ad);
    int t = rtype(e, in->dst), w = t == IR_I64;
    if (in->stype == IR_M_F32 || in->stype == IR_M_F64) {
        int dd = xdst(e, in->dst, XT1);
        pcmap(e, JIT_PC_READ, mem_size(in->stype), areg, ad, -1);
        x_fload(b, in->stype == IR_M_F64, dd, m);
        xfin(e, in->dst, dd);
        return;
    }
    int dd = gdst(e, in->dst, RDX);
    pcmap(e, JIT_PC_READ, mem_size(in->stype), areg, ad, -1);
    switch (in->stype) {
    case IR_M_I8: x_rm(b, 0, w, 0x0FBE, 2, dd, m, 0); break;
    case IR_M_U8: x_rm(b, 0, 0, 0x0FB6, 2, dd, m, 0); break;
    case IR_M_I16: x_rm(b, 0, w, 0x0FBF, 2, dd, m, 0); break;
    case IR_M_U16: x_rm(b, 0, 0, 0x0FB7, 2, dd, m, 0); break;
    case IR_M_I32:
        if (w)
            x_rm(b, 0, 1, 0x63, 1, dd, m, 0);
        else
            x_load(b, 0, dd, m);
        break;
    case IR_M_U32: x_load(b, 0, dd, m); break;
    default: x_load(b, 1, dd, m); break;
    }
    gfin(e, in->dst, dd);
}

static void emit_store(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int sz = mem_size(in->stype);
    const jit_loc *lv = L(e, in->b);
    int vt = rtype(e, in->b);
    int vreg = -1, vx = -1;
    int64_t kv = 0;
    int isk = 0;
    if (lv->kind == JL_CONST) {
        uint64_t k = lv->k;
        if (sz < 8 || fits32((int64_t)k)) {
            isk = 1;
            kv = (int64_t)k;
        } else {
            x_mov_ri_nf(b, 1, RDX, k);
            vreg = RDX;
        }
    } else if (isx(vt) && (in->stype == IR_M_F32 || in->stype == IR_M_F64)) {
        vx = xsrc(e, in->b, XT1);
    } else {
        vreg = gsrc(e, in->b, RDX);
    }
    int areg;
    int32_t ad;
    xmem m = access_addr(e, in, &areg, &ad);
    pcmap(e, JIT_PC_WRITE, sz, areg, ad, -1);
    if (isk) {
        switch (sz) {
        case 1: x_rm(b, 0, 0, 0xC6, 1, 0, m, 0); xb1(b, (uint8_t)kv); break;
        case 2:
            x_rm(b, 0x66, 0, 0xC7, 1, 0, m, 0);
            xb1(b, (uint8_t)kv);
            xb1(b, (uint8_t)(kv >> 8));
            break;
        case 4: x_rm(b, 0, 0, 0xC7, 1, 0, m, 0); xb4(b, (uint32_t)kv); break;
        default: x_rm(b, 0, 1, 0xC7, 1, 0, m, 0); xb4(b, (uint32_t)kv); break;
        }
        return;
    }
    if (vx >= 0) {
        x_fstore(b, in->stype == IR_M_F64, m, vx);
        return;
    }
    switch (sz) {
    case 1: x_rm(b, 0, 0, 0x88, 1, vreg, m, 1); break;
    case 2: x_rm(b, 0x66, 0, 0x89, 1, vreg, m, 0); break;
    case 4: x_store(b, 0, m, vreg); break;
    default: x_store(b, 1, m, vreg); break;
    }
}

/* ---- integer operations ---- */

/* The ALU instruction just emitted (add/sub/and/or/xor, never lea or
 * imul) left ZF and SF describing in->dst. */
static void flags_from(E *e, const ir_insn *in, int w)
{
    e->flag_reg = in->dst;
    e->flag_w = w;
    e->flag_logic = in->op == IR_AND || in->op == IR_OR || in->op == IR_XOR;
    e->flag_at = e->b.n;
    e->flag_blk = e->cur;
}

/* Can a compare of v (width w) with 0 use the flags as they are? Only if
 * nothing was emitted since they were set, in the same block (a block
 * start may be a jump target, where the flags are anything). */
static int flags_of(E *e, ir_reg v, int w)
{
    return e->flag_reg && e->flag_reg == v && e->flag_w == w && e->flag_at == e->b.n &&
           e->flag_blk == e->cur;
}

static int commutative(int op)
{
    return op == IR_ADD || op == IR_MUL || op == IR_AND || op == IR_OR || op == IR_XOR;
}

static int alu_of(int op)
{
    switch (op) {
    case IR_ADD: return ALU_ADD;
    case IR_SUB: return ALU_SUB;
    case IR_AND: return ALU_AND;
    case IR_OR: return ALU_OR;
    default: return ALU_XOR;
    }
}

/* t = x * s (s = 2, 4, 8) whose only read is a later `d = add t, K` (K a
 * constant) of the same block: that add, else NULL. Then t can be
 * computed as x * s + K by one lea, and the add becomes a move. */
static const ir_insn *scaled_add(E *e, const ir_insn *in, int w)
{
    ir_reg t = in->dst;
    if (!t || e->ra.uses[t] != 1 || L(e, t)->kind != JL_REG || !e->blk_end)
        return NULL;
    ir_reg buf[4];
    for (const ir_insn *q = in + 1; q < e->blk_end; q++) {
        ir_reg d = 0;
        uint32_t n = jit_insn_regs(q, buf, 4, &d);
        int rd = 0;
        for (uint32_t k = 0; k < n && k < 4; k++)
            rd |= buf[k] == t;
        if (rd || n > 4) {
            int32_t imm;
            if (q->op != IR_ADD || q->type != in->type || n > 4)
                return NULL;
            ir_reg other = q->a == t ? q->b : q->a;
            if (other == t || !kimm(e, other, w, &imm))
                return NULL;
            return q;
        }
        if (d == t || ir_is_terminator(q->op))
            return NULL;
    }
    return NULL;
}

/* t = x * s whose only read is the ADD right after it (constants in
 * between emit nothing) adding a non-constant y: that add, else NULL. No
 * register is written in between, so x is still where it was. */
static const ir_insn *next_add(E *e, const ir_insn *in)
{
    ir_reg t = in->dst;
    if (!t || e->ra.uses[t] != 1 || L(e, t)->kind != JL_REG || !e->blk_end ||
        L(e, in->a)->kind == JL_CONST)
        return NULL;
    const ir_insn *q = in + 1;
    while (q < e->blk_end && (q->op == IR_CONST || q->op == IR_GADDR || q->op == IR_FADDR) &&
           q->dst && L(e, q->dst)->kind == JL_CONST)
        q++;
    if (q >= e->blk_end || q->op != IR_ADD || q->type != in->type || (q->a == t) == (q->b == t))
        return NULL;
    ir_reg y = q->a == t ? q->b : q->a;
    if (L(e, y)->kind == JL_CONST)
        return NULL; /* scaled_add's case */
    return q;
}

/* ---- counters indexing small-address globals ---- */

/*
 * `t = add K, r; load/store [t + d]` with K a constant (a global's
 * address) is one access [r15 + r + (K + d)] when the 32-bit sum cannot
 * wrap, which holds when r <= INT_MAX and K <= IR_MAX_DISP. Isolation
 * never depends on that proof: |K + d| <= IR_MAX_DISP, as for any
 * displacement (docs/jit.md), so a wrong proof could only change a
 * result, never leave the segment. The proof (counter_nonneg) is for
 * loop counters: every definition of r is a constant in [0, INT_MAX] or
 * r = r + 1 in a block B (not the entry) whose every way in is the taken
 * side of `br (r < Y)` (LTS, the compare right before the branch), or of
 * `br (r <= C)` with a constant C < INT_MAX, with no other definition of
 * r before the increment in B. By induction every value r holds is in
 * [0, INT_MAX]: constants are, and an increment starts from a value
 * below Y <= INT_MAX (or <= C), so it does not overflow. Registers read
 * before any definition read 0 (zeroed at entry on both engines).
 */
static int guarded_entry(E *e, uint32_t bb, ir_reg r)
{
    const ir_func *f = e->f;
    if (bb == 0)
        return 0;
    for (uint32_t p = 0; p < f->nblocks; p++) {
        const ir_block *pb = &f->blocks[p];
        const ir_insn *t = &pb->insns[pb->ninsns - 1];
        if (t->op == IR_JMP && t->t1 == bb)
            return 0;
        if (t->op == IR_SWITCH) {
            if (t->t1 == bb)
                return 0;
            for (uint32_t c = 0; c < t->nargs; c++)
                if (t->cases[c].block == bb)
                    return 0;
        }
        if (t->op != IR_BR || (t->t1 != bb && t->t2 != bb))
            continue;
        if (t->t2 == bb || pb->ninsns < 2)
            return 0;
        const ir_insn *c = &pb->insns[pb->ninsns - 2];
        if (c->dst != t->a || c->a != r || c->type != IR_I32)
            return 0;
        if (c->op == IR_LTS)
            continue;
        if (c->op == IR_LES && L(e, c->b)->kind == JL_CONST &&
            (int32_t)(uint32_t)L(e, c->b)->k < INT32_MAX)
            continue;
        return 0;
    }
    return 1;
}

static int counter_nonneg(E *e, ir_reg r)
{
    const ir_func *f = e->f;
    if (!e->nn || r >= f->nregs || r <= f->sig.nparams || f->reg_types[r] != IR_I32)
        return 0;
    if (e->nn[r])
        return e->nn[r] == 1;
    int ok = 1;
    ir_reg buf[4];
    for (uint32_t bi = 0; bi < f->nblocks && ok; bi++) {
        const ir_block *bl = &f->blocks[bi];
        int seen = 0; /* a definition of r earlier in this block */
        for (uint32_t i = 0; i < bl->ninsns && ok; i++) {
            const ir_insn *in = &bl->insns[i];
            ir_reg d = 0;
            jit_insn_regs(in, buf, 4, &d);
            if (d != r)
                continue;
            if (in->op == IR_CONST) {
                ok = (int32_t)(uint32_t)in->imm >= 0;
            } else if (in->op == IR_ADD && in->type == IR_I32 &&
                       ((in->a == r && L(e, in->b)->kind == JL_CONST && (uint32_t)L(e, in->b)->k == 1) ||
                        (in->b == r && L(e, in->a)->kind == JL_CONST && (uint32_t)L(e, in->a)->k == 1))) {
                ok = !seen && guarded_entry(e, bi, r);
            } else {
                ok = 0;
            }
            seen = 1;
        }
    }
    e->nn[r] = ok ? 1 : 2;
    return ok;
}

/* At `t = add r, K` (K = k, a constant <= IR_MAX_DISP): fold it into the
 * access right after it (constants in between emit nothing, so no
 * register changes and r is still in its register) when t is read only
 * there, as the address, and r is a counter in [0, INT_MAX]. */
static int fold_index(E *e, const ir_insn *in, ir_reg r, uint32_t k)
{
    ir_reg t = in->dst;
    if (!t || e->ra.uses[t] != 1 || !e->blk_end || L(e, r)->kind == JL_CONST)
        return 0;
    const ir_insn *q = in + 1;
    while (q < e->blk_end && (q->op == IR_CONST || q->op == IR_GADDR || q->op == IR_FADDR) &&
           q->dst && L(e, q->dst)->kind == JL_CONST)
        q++;
    if (q >= e->blk_end || (q->op != IR_LOAD && q->op != IR_STORE) || q->a != t ||
        (q->op == IR_STORE && q->b == t))
        return 0;
    int64_t disp = (int64_t)k + q->imm;
    if (disp > IR_MAX_DISP || disp < -IR_MAX_DISP || !counter_nonneg(e, r))
        return 0;
    e->fold_acc = q;
    e->fold_r = r;
    e->fold_k = k;
    return 1;
}

static void emit_binop_int(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int w = in->type == IR_I64;
    ir_reg a = in->a, c = in->b;
    int32_t imm;
    if (in == e->fused_add && e->fused_x) {
        /* d = y + x*s, the multiplication right before it left undone */
        ir_reg y = in->a == e->fused_x_t ? in->b : in->a;
        int rx = gsrc(e, e->fused_x, RCX);
        int ry = gsrc(e, y, RDX);
        int dd = gdst(e, in->dst, RAX);
        x_lea(b, w, dd, (xmem){ry, rx, e->fused_s, 0});
        gfin(e, in->dst, dd);
        e->fused_add = NULL;
        e->fused_x = 0;
        return;
    }
    if (in == e->fused_add) {
        /* computed, constant included, where its operand was defined */
        e->fused_add = NULL;
        int r = gsrc(e, L(e, in->a)->kind == JL_CONST ? in->b : in->a, RAX);
        int dd = gdst(e, in->dst, r);
        if (dd != r)
            x_mov_rr(b, w, dd, r);
        gfin(e, in->dst, dd);
        return;
    }
    if (commutative(in->op) && kimm(e, a, w, &imm) && !kimm(e, c, w, &imm)) {
        ir_reg t = a;
        a = c;
        c = t;
    }
    if (in->op == IR_ADD && !w && kimm(e, c, w, &imm) && (uint32_t)imm <= IR_MAX_DISP &&
        !e->fold_acc && fold_index(e, in, a, (uint32_t)imm))
        return; /* computed inside the access */
    if (kimm(e, c, w, &imm)) {
        int ra = gsrc(e, a, RCX);
        int dd = gdst(e, in->dst, RAX);
        switch (in->op) {
        case IR_ADD:
        case IR_SUB:
            if (in->op == IR_SUB && imm == INT32_MIN) {
                if (dd != ra)
                    x_mov_rr(b, w, dd, ra);
                x_alu_ri(b, w, ALU_SUB, dd, imm);
                flags_from(e, in, w);
                break;
            }
            if (in->op == IR_SUB)
                imm = -imm;
            if (dd == ra) {
                if (imm) {
                    x_alu_ri(b, w, ALU_ADD, dd, imm);
                    flags_from(e, in, w);
                } else if (!w)
                    x_mov_rr(b, 0, dd, dd);
            } else {
                x_lea(b, w, dd, xm(ra, imm));
            }
            break;
        case IR_MUL:
            if ((imm == 2 || imm == 4 || imm == 8) && !e->fused_add) {
                const ir_insn *q = next_add(e, in);
                if (q) {
                    /* t = x*s; d = y + t  ->  lea d, [y + x*s] at the add */
                    e->fused_add = q;
                    e->fused_x = a;
                    e->fused_x_t = in->dst;
                    e->fused_s = imm;
                    break;
                }
            }
            if ((imm == 2 || imm == 4 || imm == 8) && !e->fused_add) {
                const ir_insn *q = scaled_add(e, in, w);
                int32_t k;
                if (q && kimm(e, q->a == in->dst ? q->b : q->a, w, &k)) {
                    /* lea t, [x*s + K]: 32-bit lea wraps like the IR */
                    x_lea(b, w, dd, (xmem){-1, ra, imm, k});
                    e->fused_add = q;
                    break;
                }
            }
            if (imm == 3 || imm == 5 || imm == 9) {
                x_lea(b, w, dd, (xmem){ra, ra, imm - 1, 0});
            } else if (imm > 1 && !(imm & (imm - 1))) {
                if (dd != ra)
                    x_mov_rr(b, w, dd, ra);
                x_shift_i(b, w, 4, dd, __builtin_ctz((unsigned)imm));
            } else {
                x_imul_rri(b, w, dd, ra, imm);
            }
            break;
        default:
            if (dd != ra)
                x_mov_rr(b, w, dd, ra);
            x_alu_ri(b, w, alu_of(in->op), dd, imm);
            flags_from(e, in, w);
            break;
        }
        gfin(e, in->dst, dd);
        return;
    }
    int rb = gsrc(e, c, RDX);
    int ra = gsrc(e, a, RCX);
    int dd = gdst(e, in->dst, RAX);
    if (dd == rb && dd != ra) {
        if (commutative(in->op)) {
            if (in->op == IR_MUL) {
                x_imul_rr(b, w, dd, ra);
            } else {
                x_alu_rr(b, w, alu_of(in->op), dd, ra);
                flags_from(e, in, w);
            }
            gfin(e, in->dst, dd);
            return;
        }
        x_mov_rr(b, w, RAX, ra);
        x_alu_rr(b, w, alu_of(in->op), RAX, rb);
        x_mov_rr(b, w, dd, RAX);
        gfin(e, in->dst, dd);
        return;
    }
    if (in->op == IR_ADD && dd != ra && dd != rb) {
        x_lea(b, w, dd, (xmem){ra, rb, 1, 0}); /* three-operand add */
        gfin(e, in->dst, dd);
        return;
    }
    if (dd != ra)
        x_mov_rr(b, w, dd, ra);
    if (in->op == IR_MUL) {
        x_imul_rr(b, w, dd, rb);
    } else {
        x_alu_rr(b, w, alu_of(in->op), dd, rb);
        flags_from(e, in, w);
    }
    gfin(e, in->dst, dd);
}

/* rax = rcx / d (unsigned 64-bit, d >= 2), rcx kept; rdx clobbered.
 * Granlund-Montgomery with the round-up multiplier: l = ceil(log2 d),
 * m = floor(2^64 * (2^l - d) / d) + 1 < 2^64, t = mulhi(x, m),
 * q = (t + ((x - t) >> 1)) >> (l - 1): exact for every 64-bit x. */
static void emit_udiv64(E *e, uint64_t d)
{
    xbuf *b = &e->b;
    if (!(d & (d - 1))) {
        x_mov_rr(b, 1, RAX, RCX);
        x_shift_i(b, 1, 5, RAX, __builtin_ctzll(d));
        return;
    }
    int l = 64 - __builtin_clzll(d);
    uint64_t hi = l == 64 ? (uint64_t)0 - d : ((uint64_t)1 << l) - d;
    uint64_t m = (uint64_t)(((unsigned __int128)hi << 64) / d) + 1;
    x_mov_ri_nf(b, 1, RAX, m);
    x_f7(b, 1, 4, RCX);                /* mul rcx: rdx = t */
    x_mov_rr(b, 1, RAX, RCX);
    x_alu_rr(b, 1, ALU_SUB, RAX, RDX);
    x_shift_i(b, 1, 5, RAX, 1);
    x_alu_rr(b, 1, ALU_ADD, RAX, RDX);
    if (l > 1)
        x_shift_i(b, 1, 5, RAX, l - 1);
}

static void emit_div(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int w = in->type == IR_I64;
    int sign = in->op == IR_DIVS || in->op == IR_REMS;
    int rem = in->op == IR_REMS || in->op == IR_REMU;
    int32_t imm;
    /* unsigned division by a power of two: no trap possible */
    if (!sign && kimm(e, in->b, w, &imm)) {
        uint64_t k = L(e, in->b)->k;
        if (!w)
            k = (uint32_t)k;
        if (k && !(k & (k - 1))) {
            int sh = __builtin_ctzll(k);
            int ra = gsrc(e, in->a, RCX);
            int dd = gdst(e, in->dst, RAX);
            if (dd != ra)
                x_mov_rr(b, w, dd, ra);
            if (rem) {
                if (k - 1 <= INT32_MAX) {
                    x_alu_ri(b, w, ALU_AND, dd, (int32_t)(k - 1));
                } else {
                    x_mov_ri_nf(b, w, RDX, k - 1);
                    x_alu_rr(b, w, ALU_AND, dd, RDX);
                }
            } else if (sh) {
                x_shift_i(b, w, 5, dd, sh);
            } else if (!w) {
                x_mov_rr(b, 0, dd, dd);
            }
            gfin(e, in->dst, dd);
            return;
        }
    }
    /* 32-bit division by a constant d >= 2 (signed: d > 0): multiply by
     * M = floor(2^64 / d) + 1 and keep the high half. For x < 2^32,
     * x*M/2^64 = x/d + err with err < 2^-32 <= 1/d, which never reaches
     * the next integer: the quotient is exact. Signed operands go through
     * their magnitude (|INT_MIN| = 2^31 fits). No trap is possible. */
    if (!w && L(e, in->b)->kind == JL_CONST) {
        uint32_t d32 = (uint32_t)L(e, in->b)->k;
        int ok = sign ? ((int32_t)d32 >= 2) : (d32 >= 2);
        if (ok) {
            uint64_t M = UINT64_MAX / d32 + 1;
            int ra = gsrc(e, in->a, RCX);
            x_mov_rr(b, 0, RAX, ra);
            if (sign) {
                xb1(b, 0x99);                      /* cdq: edx = sign mask */
                x_alu_rr(b, 0, ALU_XOR, RAX, RDX);
                x_alu_rr(b, 0, ALU_SUB, RAX, RDX); /* eax = |x| */
                x_mov_rr(b, 0, R11, RDX);
            }
            x_mov_ri_nf(b, 1, RDX, M);
            x_f7(b, 1, 4, RDX);                    /* mul rdx: rdx = |q| */
            if (!rem) {
                x_mov_rr(b, 0, RAX, RDX);
            } else {
                x_rr(b, 0, 0, 0x69, 1, RDX, RDX);  /* imul edx, edx, d */
                xb4(b, d32);
                x_mov_rr(b, 0, RAX, ra);
                if (sign) {
                    x_alu_rr(b, 0, ALU_XOR, RAX, R11);
                    x_alu_rr(b, 0, ALU_SUB, RAX, R11);
                }
                x_alu_rr(b, 0, ALU_SUB, RAX, RDX);
            }
            if (sign) { /* the result takes the dividend's sign */
                x_alu_rr(b, 0, ALU_XOR, RAX, R11);
                x_alu_rr(b, 0, ALU_SUB, RAX, R11);
            }
            gset(e, in->dst, RAX);
            return;
        }
    }
    /* 64-bit division by a constant d >= 2 (signed: d > 0): the quotient
     * of the magnitude by multiplication (emit_udiv64), the sign applied
     * after, as in the 32-bit case. No trap is possible. */
    if (w && L(e, in->b)->kind == JL_CONST) {
        uint64_t d = L(e, in->b)->k;
        int ok = sign ? ((int64_t)d >= 2) : (d >= 2);
        if (ok) {
            int ra = gsrc(e, in->a, RCX);
            if (sign) {
                x_mov_rr(b, 1, RAX, ra);
                xb1(b, 0x48);
                xb1(b, 0x99);                      /* cqo: rdx = sign mask */
                x_alu_rr(b, 1, ALU_XOR, RAX, RDX);
                x_alu_rr(b, 1, ALU_SUB, RAX, RDX); /* rax = |x| (2^63 for MIN) */
                x_mov_rr(b, 1, R11, RDX);
                x_mov_rr(b, 1, RCX, RAX);
            } else if (ra != RCX) {
                x_mov_rr(b, 1, RCX, ra);
            }
            emit_udiv64(e, d); /* rax = rcx / d */
            if (rem) {
                if (fits32((int64_t)d)) {
                    x_imul_rri(b, 1, RAX, RAX, (int32_t)d);
                } else {
                    x_mov_ri_nf(b, 1, RDX, d);
                    x_imul_rr(b, 1, RAX, RDX);
                }
                x_alu_rr(b, 1, ALU_SUB, RCX, RAX);
                x_mov_rr(b, 1, RAX, RCX);
            }
            if (sign) {
                x_alu_rr(b, 1, ALU_XOR, RAX, R11);
                x_alu_rr(b, 1, ALU_SUB, RAX, R11);
            }
            gset(e, in->dst, RAX);
            return;
        }
    }
    int rb = gsrc(e, in->b, RCX);
    if (rb == RAX || rb == RDX) { /* cannot happen: scratch never allocated */
        x_mov_rr(b, w, RCX, rb);
        rb = RCX;
    }
    int ra = gsrc(e, in->a, RAX);
    if (ra != RAX)
        x_mov_rr(b, w, RAX, ra);
    if (sign) {
        if (w)
            xb1(b, 0x48);
        xb1(b, 0x99); /* cdq / cqo */
    } else {
        x_rr(b, 0, 0, 0x31, 1, RDX, RDX);
    }
    pcmap(e, JIT_PC_DIV, w ? 8 : 4, -1, 0, rb);
    x_f7(b, w, sign ? 7 : 6, rb);
    gset(e, in->dst, rem ? RDX : RAX);
}

static void emit_shift(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int w = in->type == IR_I64;
    int n = in->op == IR_SHL ? 4 : in->op == IR_SHRU ? 5 : 7;
    int32_t imm;
    if (kimm(e, in->b, 0, &imm)) {
        int k = imm & (w ? 63 : 31);
        int ra = gsrc(e, in->a, RCX);
        int dd = gdst(e, in->dst, RAX);
        if (dd != ra)
            x_mov_rr(b, w, dd, ra);
        if (k)
            x_shift_i(b, w, n, dd, k);
        else if (!w)
            x_mov_rr(b, 0, dd, dd);
        gfin(e, in->dst, dd);
        return;
    }
    int rb = gsrc(e, in->b, RCX);
    if (rb != RCX)
        x_mov_rr(b, 0, RCX, rb);
    int ra = gsrc(e, in->a, RAX);
    int dd = gdst(e, in->dst, RAX);
    if (dd != ra)
        x_mov_rr(b, w, dd, ra);
    x_shift_cl(b, w, n, dd);
    gfin(e, in->dst, dd);
}

/* ---- comparisons ---- */

static int swap_cc(int cc)
{
    switch (cc) {
    case CC_L: return CC_G;
    case CC_G: return CC_L;
    case CC_LE: return CC_GE;
    case CC_GE: return CC_LE;
    case CC_B: return CC_A;
    case CC_A: return CC_B;
    case CC_BE: return CC_AE;
    case CC_AE: return CC_BE;
    default: return cc;
    }
}

/* Flags for comparison in; returns the condition code, or -1 for float EQ
 * (ZF & !PF) and -2 for float NE (!ZF | PF). */
static int emit_cmp(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int t = in->type;
    if (isx(t)) {
        int is64 = t == IR_F64;
        ir_reg a = in->a, c = in->b;
        int cc;
        switch (in->op) {
        case IR_GTS: case IR_GTU: cc = CC_A; break;
        case IR_GES: case IR_GEU: cc = CC_AE; break;
        case IR_LTS: case IR_LTU: cc = CC_A; a = in->b; c = in->a; break;
        case IR_LES: case IR_LEU: cc = CC_AE; a = in->b; c = in->a; break;
        case IR_EQ: cc = -1; break;
        default: cc = -2; break;
        }
        int rc = xsrc(e, c, XT2);
        int ra = xsrc(e, a, XT1);
        x_ucomi(b, is64, ra, rc);
        return cc;
    }
    int w = t == IR_I64;
    int cc;
    switch (in->op) {
    case IR_EQ: cc = CC_E; break;
    case IR_NE: cc = CC_NE; break;
    case IR_LTS: cc = CC_L; break;
    case IR_LES: cc = CC_LE; break;
    case IR_GTS: cc = CC_G; break;
    case IR_GES: cc = CC_GE; break;
    case IR_LTU: cc = CC_B; break;
    case IR_LEU: cc = CC_BE; break;
    case IR_GTU: cc = CC_A; break;
    default: cc = CC_AE; break;
    }
    ir_reg a = in->a, c = in->b;
    int32_t imm;
    if (kimm(e, a, w, &imm) && !kimm(e, c, w, &imm)) {
        a = in->b;
        c = in->a;
        cc = swap_cc(cc);
    }
    if (kimm(e, c, w, &imm)) {
        int ra = gsrc(e, a, RAX);
        /* right after an add/sub/and/or/xor that defined a: ZF and SF are
         * already those of a, which is enough for ==, != and (with the
         * sign condition, since OF may be set) < 0 and >= 0; and/or/xor
         * clear OF and CF as `test` does, so every condition holds */
        if (imm == 0 && flags_of(e, a, w)) {
            if (cc == CC_E || cc == CC_NE || e->flag_logic)
                return cc;
            if (cc == CC_L)
                return CC_S;
            if (cc == CC_GE)
                return CC_NS;
        }
        /* test x,x sets ZF, SF, PF as cmp x,0 does, and CF = OF = 0 too:
         * equivalent for every condition, and shorter */
        if (imm == 0)
            x_test_rr(b, w, ra, ra);
        else
            x_alu_ri(b, w, ALU_CMP, ra, imm);
        return cc;
    }
    int rc = gsrc(e, c, RCX);
    int ra = gsrc(e, a, RAX);
    x_alu_rr(b, w, ALU_CMP, ra, rc);
    return cc;
}

static void emit_setcc(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int cc = emit_cmp(e, in);
    if (cc == -1) {
        x_setcc(b, CC_E, RAX);
        x_setcc(b, CC_NP, RCX);
        x_rr8(b, 0, 0x20, 1, RCX, RAX); /* and al, cl */
    } else if (cc == -2) {
        x_setcc(b, CC_NE, RAX);
        x_setcc(b, CC_P, RCX);
        x_rr8(b, 0, 0x08, 1, RCX, RAX); /* or al, cl */
    } else {
        x_setcc(b, cc, RAX);
    }
    int dd = gdst(e, in->dst, RAX);
    x_movzx8(b, dd, RAX);
    gfin(e, in->dst, dd);
}

static int is_cmp(int op) { return op >= IR_EQ && op <= IR_GEU; }

/* ---- branches ---- */

/* A jump to block t from the current block: back-edges poll via a stub. */
static void blk_pos(E *e, uint32_t t, uint32_t *line, uint32_t *col);

static void jcc_block(E *e, int cc, uint32_t t)
{
    if (e->unroll) {
        xbuf *b = &e->b;
        if (t == e->unroll_blk) { /* on to the next copy */
            size_t at = cc < 0 ? x_jmp32(b) : x_jcc32(b, cc);
            if (e->ncont < (int)(sizeof e->cont / sizeof *e->cont))
                e->cont[e->ncont++] = at;
            else
                e->nomem = 1; /* cannot happen: a branch emits at most 3 jumps */
            return;
        }
        /* leaving (t is a later block): give back the polls not taken */
        uint32_t s = new_stub(e, ST_UNROLL_EXIT, 0, 0, (uint32_t)(e->unroll_n - e->unroll + 1),
                              NULL, t);
        if (cc < 0)
            jmp_stub(e, s);
        else
            jcc_stub(e, cc, s);
        return;
    }
    /* a back-edge to a loop header with a poll pad: jump to the pad, which
     * polls and falls into the header */
    if (t <= e->cur && !e->nopoll && e->pad && e->pad[t] != NOPAD) {
        if (cc < 0)
            x_bind(&e->b, x_jmp32(&e->b), e->pad[t]);
        else
            x_bind(&e->b, x_jcc32(&e->b, cc), e->pad[t]);
        return;
    }
    if (t <= e->cur && !e->nopoll) {
        uint32_t pl, pc;
        blk_pos(e, t, &pl, &pc);
        uint32_t s = new_stub(e, ST_BACKEDGE, pl, pc, t, NULL, 0);
        if (cc < 0)
            jmp_stub(e, s);
        else
            jcc_stub(e, cc, s);
        return;
    }
    if (cc < 0)
        fix(e, x_jmp32(&e->b), t, FX_BLOCK);
    else
        fix(e, x_jcc32(&e->b, cc), t, FX_BLOCK);
}

static int falls(E *e, uint32_t t)
{
    return e->unroll ? t == e->unroll_blk : t == e->cur + 1;
}

/* Where a poll on a jump to block t is located: the IR's rule, which the
 * interpreter follows too (ir_poll_sites). Not judged on the optimized
 * copy: optimizing may reorder or drop the block's first instructions. */
static void blk_pos(E *e, uint32_t t, uint32_t *line, uint32_t *col)
{
    *line = e->ps[t].line;
    *col = e->ps[t].col;
}

static void poll_to(E *e, uint32_t t)
{
    uint32_t line, col;
    blk_pos(e, t, &line, &col);
    emit_poll(e, line, col);
}

static void emit_br_cc(E *e, int cc, uint32_t t1, uint32_t t2)
{
    if (t1 == t2) {
        if (!falls(e, t1))
            jcc_block(e, -1, t1);
        return;
    }
    if (cc == -1) { /* float EQ: true iff ZF && !PF */
        jcc_block(e, CC_P, t2);
        if (falls(e, t1)) {
            jcc_block(e, CC_NE, t2);
        } else {
            jcc_block(e, CC_E, t1);
            if (!falls(e, t2))
                jcc_block(e, -1, t2);
        }
        return;
    }
    if (cc == -2) { /* float NE: true iff !ZF || PF */
        jcc_block(e, CC_P, t1);
        if (falls(e, t1)) {
            jcc_block(e, CC_E, t2);
        } else {
            jcc_block(e, CC_NE, t1);
            if (!falls(e, t2))
                jcc_block(e, -1, t2);
        }
        return;
    }
    /* a conditional back-edge of a rotated loop without a pad: poll inline
     * on the taken path rather than branching to a stub and back */
    int pad1 = e->pad && t1 <= e->cur && e->pad[t1] != NOPAD;
    int pad2 = e->pad && t2 <= e->cur && e->pad[t2] != NOPAD;
    if (!e->nopoll && t1 <= e->cur && falls(e, t2) && !pad1) {
        size_t j = x_jcc32(&e->b, cc ^ 1);
        poll_to(e, t1);
        fix(e, x_jmp32(&e->b), t1, FX_BLOCK);
        x_bind(&e->b, j, e->b.n);
        return;
    }
    if (!e->nopoll && t2 <= e->cur && falls(e, t1) && !pad2) {
        size_t j = x_jcc32(&e->b, cc);
        poll_to(e, t2);
        fix(e, x_jmp32(&e->b), t2, FX_BLOCK);
        x_bind(&e->b, j, e->b.n);
        return;
    }
    if (falls(e, t2)) {
        jcc_block(e, cc, t1);
    } else if (falls(e, t1)) {
        jcc_block(e, cc ^ 1, t2);
    } else {
        jcc_block(e, cc, t1);
        jcc_block(e, -1, t2);
    }
}

static int64_t case_value(const ir_insn *in, uint32_t i)
{
    int64_t v = in->cases[i].value;
    return in->type == IR_I64 ? v : (int64_t)(int32_t)(uint32_t)v;
}

/* A dense SWITCH: bounds check, then an indirect jump through a table of
 * 32-bit offsets placed right after the jump. */
static int emit_switch_table(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    uint32_t n = in->nargs;
    if (n < 4)
        return 0;
    int64_t lo = case_value(in, 0), hi = lo;
    for (uint32_t i = 1; i < n; i++) {
        int64_t v = case_value(in, i);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    uint64_t range = (uint64_t)hi - (uint64_t)lo;
    if (range >= 4ull * n || range >= 65536 || !fits32(lo))
        return 0;
    int w = in->type == IR_I64;
    int ra = gsrc(e, in->a, RAX);
    if (w)
        x_mov_rr(b, 1, RCX, ra);
    else
        x_rr(b, 0, 1, 0x63, 1, RCX, ra); /* movsxd rcx, ra32 */
    if (lo)
        x_alu_ri(b, 1, ALU_SUB, RCX, (int32_t)lo);
    x_alu_ri(b, 1, ALU_CMP, RCX, (int32_t)range);
    jcc_block(e, CC_A, in->t1);
    /* lea rdx, [rip + table] */
    xb1(b, 0x48);
    xb1(b, 0x8D);
    xb1(b, 0x15);
    size_t lea_at = b->n;
    xb4(b, 0);
    x_rm(b, 0, 1, 0x63, 1, RCX, (xmem){RDX, RCX, 4, 0}, 0); /* movsxd rcx, [rdx + rcx*4] */
    x_alu_rr(b, 1, ALU_ADD, RCX, RDX);
    x_jmp_r(b, RCX);
    while (b->n % 4)
        xb1(b, 0xCC);
    size_t table = b->n;
    xpatch4(b, lea_at, (uint32_t)(table - (lea_at + 4)));
    uint32_t *tg = malloc((range + 1) * sizeof *tg);
    if (!tg) {
        e->nomem = 1;
        return 1;
    }
    for (uint64_t k = 0; k <= range; k++)
        tg[k] = in->t1;
    for (uint32_t i = 0; i < n; i++)
        tg[case_value(in, i) - lo] = in->cases[i].block;
    for (uint64_t k = 0; k <= range; k++) {
        uint32_t t = tg[k];
        size_t at = b->n;
        xb4(b, 0);
        if (t <= e->cur && !e->nopoll) {
            uint32_t pl, pc;
            blk_pos(e, t, &pl, &pc);
            uint32_t s = new_stub(e, ST_BACKEDGE, pl, pc, t, NULL, 0);
            fix(e, at, s, FX_STUB);
        } else {
            fix(e, at, t, FX_BLOCK);
        }
        if (!e->nomem)
            e->fx[e->nfx - 1].table = table;
    }
    free(tg);
    return 1;
}

static void emit_switch(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int w = in->type == IR_I64;
    if (emit_switch_table(e, in))
        return;
    int ra = gsrc(e, in->a, RAX);
    for (uint32_t i = 0; i < in->nargs; i++) {
        int64_t v = in->cases[i].value;
        if (!w)
            v = (int32_t)(uint32_t)v;
        if (fits32(v)) {
            if (v == 0)
                x_test_rr(b, w, ra, ra);
            else
                x_alu_ri(b, w, ALU_CMP, ra, (int32_t)v);
        } else {
            x_mov_ri_nf(b, 1, RCX, (uint64_t)v);
            x_alu_rr(b, 1, ALU_CMP, ra, RCX);
        }
        jcc_block(e, CC_E, in->cases[i].block);
    }
    if (!falls(e, in->t1))
        jcc_block(e, -1, in->t1);
}

/* ---- conversions ---- */

static void emit_conv(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    int t = in->type, st = in->stype;
    switch (in->op) {
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16: {
        int w = t == IR_I64;
        int ra = gsrc(e, in->a, RCX);
        int dd = gdst(e, in->dst, RAX);
        uint32_t opc = in->op == IR_SEXT8 ? 0x0FBE : in->op == IR_ZEXT8 ? 0x0FB6
                     : in->op == IR_SEXT16 ? 0x0FBF : 0x0FB7;
        int ww = (in->op == IR_SEXT8 || in->op == IR_SEXT16) ? w : 0;
        if (opc == 0x0FBE || opc == 0x0FB6)
            x_rr8(b, ww, opc, 2, dd, ra);
        else
            x_rr(b, 0, ww, opc, 2, dd, ra);
        gfin(e, in->dst, dd);
        return;
    }
    case IR_SEXT32: {
        int ra = gsrc(e, in->a, RCX);
        int dd = gdst(e, in->dst, RAX);
        x_rr(b, 0, 1, 0x63, 1, dd, ra);
        gfin(e, in->dst, dd);
        return;
    }
    case IR_ZEXT32: case IR_TRUNC: {
        int ra = gsrc(e, in->a, RCX);
        int dd = gdst(e, in->dst, RAX);
        x_mov_rr(b, 0, dd, ra);
        gfin(e, in->dst, dd);
        return;
    }
    case IR_SITOF: case IR_UITOF: {
        int is64 = t == IR_F64;
        int ra = gsrc(e, in->a, RCX);
        int dd = xdst(e, in->dst, XT1);
        if (in->op == IR_UITOF && st == IR_I64) {
            /* unsigned 64: halve with a sticky bit when the top bit is set */
            x_xorps(b, dd, dd);
            x_test_rr(b, 1, ra, ra);
            size_t jneg = x_jcc32(b, CC_S);
            x_cvtsi2f(b, is64, 1, dd, ra);
            size_t jdone = x_jmp32(b);
            x_bind(b, jneg, b->n);
            x_mov_rr(b, 1, RAX, ra);
            x_shift_i(b, 1, 5, RAX, 1);
            x_mov_rr(b, 0, RDX, ra);
            x_alu_ri(b, 0, ALU_AND, RDX, 1);
            x_alu_rr(b, 1, ALU_OR, RAX, RDX);
            x_cvtsi2f(b, is64, 1, dd, RAX);
            x_farith(b, is64, 0x58, dd, dd);
            x_bind(b, jdone, b->n);
        } else {
            /* I32 unsigned: the register is zero-extended, convert 64-bit */
            int w = st == IR_I64 || in->op == IR_UITOF;
            x_xorps(b, dd, dd);
            x_cvtsi2f(b, is64, w, dd, ra);
        }
        xfin(e, in->dst, dd);
        return;
    }
    case IR_FTOSI: case IR_FTOUI: {
        int is64 = st == IR_F64;
        int ra = xsrc(e, in->a, XT1);
        int dd = gdst(e, in->dst, RAX);
        if (in->op == IR_FTOSI) {
            x_cvttf2si(b, is64, t == IR_I64, dd, ra);
        } else if (t == IR_I32) {
            x_cvttf2si(b, is64, 1, dd, ra);
            x_mov_rr(b, 0, dd, dd);
        } else {
            /* x < 2^63 (false for NaN) ? cvtt(x) : cvtt(x - 2^63) ^ 2^63 */
            uint64_t two63 = is64 ? 0x43E0000000000000ull : 0x5F000000ull;
            x_mov_ri_nf(b, 1, R11, two63);
            x_movd_xg(b, 1, XT2, R11);
            x_ucomi(b, is64, XT2, ra);
            size_t jbig = x_jcc32(b, CC_BE);
            x_cvttf2si(b, is64, 1, dd, ra);
            size_t jdone = x_jmp32(b);
            x_bind(b, jbig, b->n);
            if (ra != XT1)
                x_movaps(b, XT1, ra);
            x_farith(b, is64, 0x5C, XT1, XT2);
            x_cvttf2si(b, is64, 1, dd, XT1);
            x_rr(b, 0, 1, 0x0FBA, 2, 7, dd); /* btc dd, 63 */
            xb1(b, 63);
            x_bind(b, jdone, b->n);
        }
        gfin(e, in->dst, dd);
        return;
    }
    case IR_FCVT: {
        int ra = xsrc(e, in->a, XT1);
        int dd = xdst(e, in->dst, XT1);
        x_fcvt(b, st == IR_F64, dd, ra);
        xfin(e, in->dst, dd);
        return;
    }
    case IR_BITCAST: {
        int w = t == IR_I64 || t == IR_F64;
        if (isx(t)) {
            int ra = gsrc(e, in->a, RCX);
            int dd = xdst(e, in->dst, XT1);
            x_movd_xg(b, w, dd, ra);
            xfin(e, in->dst, dd);
        } else {
            int ra = xsrc(e, in->a, XT1);
            int dd = gdst(e, in->dst, RAX);
            x_movd_gx(b, w, dd, ra);
            gfin(e, in->dst, dd);
        }
        return;
    }
    }
}

/* ---- calls ---- */

/* The raw argument slots of a call; tmp: a scratch register to use. */
static void store_args_via(E *e, const ir_insn *in, int tmp)
{
    xbuf *b = &e->b;
    for (uint32_t i = 0; i < in->nargs; i++) {
        ir_reg v = in->args[i];
        xmem dst = xm(RSP, 8 * (int32_t)i);
        const jit_loc *l = L(e, v);
        if (l->kind == JL_CONST) {
            if (fits32((int64_t)l->k)) {
                x_rm(b, 0, 1, 0xC7, 1, 0, dst, 0);
                xb4(b, (uint32_t)l->k);
            } else {
                x_mov_ri_nf(b, 1, tmp, l->k);
                x_store(b, 1, dst, tmp);
            }
        } else if (l->kind == JL_REG && isx(rtype(e, v))) {
            x_fstore(b, 1, dst, l->reg);
        } else {
            int r = gsrc(e, v, tmp);
            x_store(b, 1, dst, r);
        }
    }
}

static void store_args(E *e, const ir_insn *in) { store_args_via(e, in, RAX); }

static void call_result(E *e, const ir_insn *in)
{
    if (!in->dst)
        return;
    if (isx(rtype(e, in->dst))) {
        int dd = xdst(e, in->dst, 0);
        if (dd != 0)
            x_movaps(&e->b, dd, 0);
        xfin(e, in->dst, dd);
    } else {
        gset(e, in->dst, RAX);
    }
}

/* A built-in with a fixed prototype of at most BI_INLINE_ARGS arguments is
 * called from generated code directly (ST_BUILTIN), with the host ABI
 * kp_rt_call_builtin implements: a kp_value per argument, one for the
 * result. They are built in the outgoing area, above the raw arguments:
 * [bi_vals(n)] kp_value args[max(n,1)], then the result (bi_area(n)
 * bytes in all). */
#define BI_INLINE_ARGS 8

static int bi_inline(const ir_sig *want, uint32_t nargs)
{
    return !want->variadic && nargs <= BI_INLINE_ARGS;
}

_Static_assert(sizeof(kp_value) == 16 && offsetof(kp_value, v) == 8,
               "a built-in's kp_value is written as one 16-byte store");

static int32_t bi_vals(uint32_t n) { return (int32_t)((8 * n + 15) & ~15u); }
static int32_t bi_ret(uint32_t n) { return bi_vals(n) + 16 * (int32_t)(n ? n : 1); }
static int32_t bi_area(uint32_t n) { return bi_ret(n) + 16; }

static void emit_bi_call(E *e, const jit_callsite *site, const ir_insn *in, int res,
                         uint32_t line, uint32_t col);

/* The plugin path of a call: a function of this engine is called
 * directly, anything else through its ST_GENERIC stub sg. */
static void call_plugin_in_rax(E *e, uint32_t sg)
{
    xbuf *b = &e->b;
    x_load(b, 1, RCX, xm(RAX, offsetof(kp_fn, code)));
    x_test_rr(b, 1, RCX, RCX);
    jcc_stub(e, CC_E, sg);
    x_mov_ri_nf(b, 1, RDX, JIT_FN_MAGIC);
    x_alu_rm(b, 1, ALU_CMP, RDX, xm(RCX, offsetof(jit_fn, magic)));
    jcc_stub(e, CC_NE, sg);
    x_call_m(b, xm(RCX, offsetof(jit_fn, entry)));
}

/* Is the name linked to a built-in the ST_BUILTIN code can call, now (at
 * compile time)? Then its call is laid out in line (call_fn_in_rax). */
static int bi_now(const kp_slot *slot, const ir_sig *want, uint32_t nargs)
{
    const kp_fn *now = slot ? atomic_load_explicit(&slot->fn, memory_order_relaxed) : NULL;
    return bi_inline(want, nargs) && now && now->kind == KP_FN_BUILTIN;
}

/* Compare the significant bytes of the callee's kp_fn.sig (rax) with
 * want's; a difference jumps to stub sg. Four bytes at a time with an
 * immediate, the last four overlapping the ones before, and three (no
 * parameter) with the zero top byte of kp_fn.kind in front: one
 * compare-and-branch for up to one parameter, two for up to five. */
_Static_assert(offsetof(kp_fn, kind) == 0 && sizeof(kp_fn_kind) == 4 &&
                   offsetof(kp_fn, sig) == 4 && KP_FN_PLUGIN < 256 && KP_FN_BUILTIN < 256,
               "check_sig reads kind's top byte (zero) before the signature");
static void check_sig(E *e, const ir_sig *want, uint32_t sg)
{
    xbuf *b = &e->b;
    uint8_t sb[1 + sizeof(ir_sig) + 8];
    memset(sb, 0, sizeof sb);
    memcpy(sb + 1, want, sizeof *want); /* sb[0]: kind's top byte */
    size_t nbytes = 3 + (size_t)want->nparams, from = nbytes < 4 ? 0 : 1;
    size_t end = 1 + nbytes;
    for (size_t off = from; off < end; off += 4) {
        if (off + 4 > end)
            off = end - 4;
        uint32_t k;
        memcpy(&k, sb + off, 4);
        x_alu_mi(b, 0, ALU_CMP, xm(RAX, (int32_t)(offsetof(kp_fn, sig) + off) - 1), (int32_t)k);
        jcc_stub(e, CC_NE, sg);
    }
}

/* rax = callee kp_fn (non-NULL). The prototype is checked here, inline,
 * for every callee; then a function of this engine is called directly, a
 * built-in with emit_bi_call's code or through jit_h_builtin (no second
 * prototype check), anything else (and every mismatch, to report it)
 * through jit_h_generic. When the name is linked to a built-in at compile
 * time (bi_here), the built-in's call is laid out in line and the plugin
 * path out of line, and the raw argument slots are written only on the
 * paths that read them (the out-of-line stubs): the call then takes no
 * jump but its call and return. Otherwise the plugin path is in line.
 * The code is right for either callee; only the layout guesses. */
static void call_fn_in_rax(E *e, const ir_insn *in, const ir_sig *want, const jit_callsite *site,
                           int bi_here)
{
    xbuf *b = &e->b;
    const ir_insn *regs = in->op == IR_CALLI ? in : NULL; /* CALLP's helper
                                                             clobbered them */
    uint32_t sg = new_stub(e, ST_GENERIC, in->line, in->col, 0, site, 0);
    uint32_t sother = bi_here                      ? new_stub(e, ST_PLUGIN, in->line, in->col, sg, site, 0)
                      : bi_inline(want, site->nargs) ? new_stub(e, ST_BUILTIN, in->line, in->col, 0, site, 0)
                                                     : new_stub(e, ST_GENERIC, in->line, in->col, 1, site, 0);
    if (bi_here) {
        e->st[sg].call = e->st[sother].call = regs;
        e->st[sg].res = e->st[sother].res = in;
    } else if (e->st[sother].kind == ST_BUILTIN) {
        e->st[sother].call = regs;
    }
    check_sig(e, want, sg);
    x_alu_mi(b, 0, ALU_CMP, xm(RAX, offsetof(kp_fn, kind)), KP_FN_PLUGIN);
    if (bi_here) {
        jcc_stub(e, CC_E, sother);
        emit_bi_call(e, site, regs, 1, in->line, in->col);
        /* after the result: these stubs set it themselves (res) */
        e->st[sg].back = b->n;
        e->st[sother].back = b->n;
    } else {
        jcc_stub(e, CC_NE, sother);
        call_plugin_in_rax(e, sg);
        e->st[sg].back = b->n;
        e->st[sother].back = b->n;
        call_result(e, in);
    }
}

/* Values live across the call at e->pos that sit in clobbered registers:
 * stored to their save slots before, reloaded after. */
static void save_live(E *e, int restore)
{
    xbuf *b = &e->b;
    int64_t p = 2 * (int64_t)e->pos;
    for (uint32_t i = 0; i < e->ra.nsaved; i++) {
        ir_reg v = e->ra.saved[i];
        /* the call's own result is (re)defined here: intervals are hulls,
         * so a register assigned in several places may seem to cross */
        if (e->ra.s[v] > p || e->ra.e[v] < p + 1 || v == e->in->dst)
            continue;
        const jit_loc *l = L(e, v);
        xmem m = slotm(e, l->slot);
        if (isx(rtype(e, v))) {
            if (restore)
                x_fload(b, 1, l->reg, m);
            else
                x_fstore(b, 1, m, l->reg);
        } else {
            if (restore)
                x_load(b, 1, l->reg, m);
            else
                x_store(b, 1, m, l->reg);
        }
    }
}

static void emit_call1(E *e, const ir_insn *in);
static void emit_mem_inline(E *e, const ir_insn *in, int n);

static void emit_call(E *e, const ir_insn *in)
{
    int n = jit_mem_inline(in, e->ra.loc);
    if (n >= 0) { /* clobbers scratch registers only: nothing to save */
        emit_mem_inline(e, in, n);
        return;
    }
    save_live(e, 0);
    emit_call1(e, in);
    save_live(e, 1);
}

static void emit_call1(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    switch (in->op) {
    case IR_CALL: {
        const ir_func *cf = e->m->funcs[in->imm];
        int8_t arr[IR_MAX_PARAMS];
        if (jit_prep_regs(cf->sig.params, cf->sig.nparams, arr) && in->nargs == cf->sig.nparams) {
            args_to_regs(e, in, arr);
            fix(e, x_call32(b), (uint32_t)in->imm, FX_FUNC_REG);
        } else {
            store_args(e, in);
            fix(e, x_call32(b), (uint32_t)in->imm, FX_FUNC);
        }
        call_result(e, in);
        return;
    }
    case IR_CALLI: {
        jit_callsite *site = &e->jm->sites[e->nsite++];
        kp_slot *slot = e->kmod->imports[in->imm];
        int bi_here = bi_now(slot, site->want, site->nargs);
        if (!bi_here)
            store_args(e, in);
        xb1(b, 0x48); /* mov rax, [&slot->fn] */
        xb1(b, 0xA1);
        xb8(b, (uint64_t)(uintptr_t)&slot->fn);
        x_test_rr(b, 1, RAX, RAX);
        jcc_stub(e, CC_E, new_stub(e, ST_UNLINKED, in->line, in->col, 0, slot, 0));
        call_fn_in_rax(e, in, site->want, site, bi_here);
        return;
    }
    case IR_CALLP: {
        jit_callsite *site = &e->jm->sites[e->nsite++];
        store_args(e, in);
        int ra = gsrc(e, in->a, RSI);
        if (ra != RSI)
            x_mov_rr(b, 0, RSI, ra);
        x_mov_rr(b, 1, RDI, R14);
        x_call_abs(b, (const void *)jit_h_handle);
        x_test_rr(b, 1, RAX, RAX);
        jcc_stub(e, CC_E, new_stub(e, ST_TRAP, in->line, in->col, 0, NULL, 0));
        call_fn_in_rax(e, in, site->want, site, 0);
        return;
    }
    default: /* CALLR */
        store_args(e, in);
        x_mov_rr(b, 1, RDI, R14);
        x_mov_ri_nf(b, 0, RSI, (uint64_t)in->imm);
        x_mov_rr(b, 1, RDX, RSP);
        x_mov_ri_nf(b, 1, RCX, (uint64_t)(uintptr_t)&e->kmod->fns[e->fi]);
        cd_out(b);
        x_call_abs(b, (const void *)jit_h_rtlib);
        cd_in(b);
        trap_if_nz(e);
        if (in->dst) {
            if (isx(rtype(e, in->dst))) {
                int dd = xdst(e, in->dst, XT1);
                x_fload(b, 1, dd, xm(RSP, 0));
                xfin(e, in->dst, dd);
            } else {
                x_load(b, rtype(e, in->dst) == IR_I64, RAX, xm(RSP, 0));
                gset(e, in->dst, RAX);
            }
        }
        return;
    }
}

/* ---- small constant-size copies and fills, inline ---- */

int jit_mem_inline(const ir_insn *in, const jit_loc *loc)
{
    uint32_t n;
    if (in->op == IR_COPY || in->op == IR_ZERO)
        n = (uint32_t)in->imm;
    else if (in->op == IR_CALLR && in->nargs == 3 &&
             (in->imm == IR_RT_MEMCPY || in->imm == IR_RT_MEMMOVE || in->imm == IR_RT_MEMSET) &&
             in->args[2] && loc[in->args[2]].kind == JL_CONST)
        n = (uint32_t)loc[in->args[2]].k;
    else
        return -1;
    return (n == 0 || n == 1 || n == 2 || n == 4 || n == 8 || n == 16) ? (int)n : -1;
}

/* rcx (n <= 8) or xmm14 (n = 16) = the n bytes at m (a load that faults
 * whole or not at all). */
static void load_n(E *e, int n, xmem m)
{
    xbuf *b = &e->b;
    switch (n) {
    case 1: x_rm(b, 0, 0, 0x0FB6, 2, RCX, m, 0); break;   /* movzx ecx, byte [m] */
    case 2: x_rm(b, 0, 0, 0x0FB7, 2, RCX, m, 0); break;   /* movzx ecx, word [m] */
    case 4: x_load(b, 0, RCX, m); break;
    case 8: x_load(b, 1, RCX, m); break;
    default: x_rm(b, 0, 0, 0x0F10, 2, XT1, m, 0); break; /* movups xmm14, [m] */
    }
}

/* The n bytes of rcx / xmm14 to m. */
static void store_n(E *e, int n, xmem m)
{
    xbuf *b = &e->b;
    switch (n) {
    case 1: x_rm(b, 0, 0, 0x88, 1, RCX, m, 1); break;
    case 2: x_rm(b, 0x66, 0, 0x89, 1, RCX, m, 0); break;
    case 4: x_store(b, 0, m, RCX); break;
    case 8: x_store(b, 1, m, RCX); break;
    default: x_rm(b, 0, 0, 0x0F11, 2, XT1, m, 0); break; /* movups [m], xmm14 */
    }
}

/* COPY/ZERO of n bytes and memcpy/memmove/memset with a constant count n
 * (jit_mem_inline): at most one load and one store of n bytes, each one
 * instruction, so a fault happens before anything is written, as in the
 * checked helpers. The load comes first: COPY checks the source first.
 * Faults of COPY/ZERO are ordinary reads and writes of n bytes (the
 * helper's messages); those of the library functions are JIT_PC_RTLIB
 * entries, for which the trap handler asks the library function itself
 * (engine.c), which checks the destination first and names the function. */
static void emit_mem_inline(E *e, const ir_insn *in, int n)
{
    xbuf *b = &e->b;
    int lib = in->op == IR_CALLR;
    ir_reg dst = lib ? in->args[0] : in->a;
    int fill = in->op == IR_ZERO || (lib && in->imm == IR_RT_MEMSET);
    if (n == 0) {
        if (lib && in->dst)
            gset(e, in->dst, gsrc(e, dst, RAX));
        return;
    }
    int rd = gsrc(e, dst, R11); /* I32: zero-extended, constants too */
    int rs = -1;
    if (!fill) {
        rs = gsrc(e, lib ? in->args[1] : in->b, RDX);
        if (lib)
            pcmap(e, JIT_PC_RTLIB, n, rd, (int32_t)in->imm, rs);
        else
            pcmap(e, JIT_PC_READ, n, rs, 0, -1);
        load_n(e, n, xmi(R15, rs, 0));
    } else {
        /* rcx / xmm14 = the fill byte repeated */
        const jit_loc *lv = lib ? L(e, in->args[1]) : NULL;
        int zero = !lib || (lv->kind == JL_CONST && (uint8_t)lv->k == 0);
        if (zero && n == 16) {
            x_xorps(b, XT1, XT1);
        } else if (!lib || lv->kind == JL_CONST) {
            x_mov_ri_nf(b, n >= 8, RCX, zero ? 0 : (uint8_t)lv->k * 0x0101010101010101ull);
        } else {
            int rv = gsrc(e, in->args[1], RCX);
            x_rr8(b, 0, 0x0FB6, 2, RCX, rv);          /* movzx ecx, rv8 */
            if (n > 1) {
                x_mov_ri_nf(b, 1, RAX, 0x0101010101010101ull);
                x_imul_rr(b, 1, RCX, RAX);
            }
        }
        if (n == 16 && !zero) {
            x_movd_xg(b, 1, XT1, RCX);                /* movq xmm14, rcx */
            x_rr(b, 0x66, 0, 0x0F6C, 2, XT1, XT1);    /* punpcklqdq xmm14, xmm14 */
        }
    }
    if (lib)
        pcmap(e, JIT_PC_RTLIB, n, rd, (int32_t)in->imm, rs);
    else
        pcmap(e, JIT_PC_WRITE, n, rd, 0, -1);
    store_n(e, n, xmi(R15, rd, 0));
    if (lib && in->dst)
        gset(e, in->dst, rd);
}

static void emit_copy_zero(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    if ((uint32_t)in->imm == 0)
        return;
    int n = jit_mem_inline(in, e->ra.loc);
    if (n >= 0) {
        emit_mem_inline(e, in, n);
        return;
    }
    save_live(e, 0);
    int ra = gsrc(e, in->a, RAX);
    x_mov_rr(b, 0, RAX, ra);
    if (in->op == IR_COPY) {
        int rb = gsrc(e, in->b, R11);
        x_mov_rr(b, 0, R11, rb);
        x_mov_rr(b, 0, RDX, R11);
        x_mov_ri_nf(b, 0, RCX, (uint32_t)in->imm);
    } else {
        x_mov_ri_nf(b, 0, RDX, (uint32_t)in->imm);
    }
    x_mov_rr(b, 0, RSI, RAX);
    x_mov_rr(b, 1, RDI, R14);
    x_call_abs(b, in->op == IR_COPY ? (const void *)jit_h_copy : (const void *)jit_h_zero);
    trap_if_nz(e);
    save_live(e, 1);
}

/* ---- one instruction ---- */

/* A JMP to block t runs a copy of it in place (see IR_JMP below). The
 * choice is the IR's (ir_poll_sites: small blocks without calls, judged
 * before optimizing), the interpreter's too: polls happen on the same
 * jumps. */
static int copyable(const E *e, uint32_t t)
{
    return e->ps[t].copy != 0;
}

/* Mark in hdr the targets of back-edges the terminator t (emitted as part
 * of block bi) may take. */
static void mark_back(const ir_insn *t, uint32_t bi, uint8_t *hdr)
{
    if ((t->op == IR_JMP || t->op == IR_BR) && t->t1 <= bi)
        hdr[t->t1] = 1;
    if (t->op == IR_BR && t->t2 <= bi)
        hdr[t->t2] = 1;
    if (t->op == IR_SWITCH)
        for (uint32_t c = 0; c < t->nargs; c++)
            if (t->cases[c].block <= bi)
                hdr[t->cases[c].block] = 1;
}

static void emit_mov(E *e, const ir_insn *in)
{
    xbuf *b = &e->b;
    const jit_loc *ld = L(e, in->dst), *la = L(e, in->a);
    int t = in->type;
    if (isx(t)) {
        if (ld->kind == JL_REG) {
            if (la->kind == JL_REG) {
                if (la->reg != ld->reg)
                    x_movaps(b, ld->reg, la->reg);
            } else {
                xsrc(e, in->a, ld->reg);
            }
        } else {
            int r = xsrc(e, in->a, XT1);
            xfin(e, in->dst, r);
        }
        return;
    }
    int w = t == IR_I64;
    if (ld->kind == JL_REG) {
        if (la->kind == JL_REG) {
            if (la->reg != ld->reg)
                x_mov_rr(b, w, ld->reg, la->reg);
        } else if (la->kind == JL_CONST) {
            x_mov_ri(b, w, ld->reg, la->k);
        } else {
            gsrc(e, in->a, ld->reg);
        }
    } else {
        int r = gsrc(e, in->a, RAX);
        gfin(e, in->dst, r);
    }
}

static void emit_insn(E *e, const ir_block *bl, uint32_t i)
{
    xbuf *b = &e->b;
    const ir_insn *in = &bl->insns[i];
    e->in = in;
    e->blk_end = bl->insns + bl->ninsns;
    dbgmark(e, (int32_t)(bl - e->f->blocks), i);
    int t = in->type;
    switch (in->op) {
    case IR_CONST: case IR_GADDR: case IR_FADDR:
        if (in->dst && L(e, in->dst)->kind != JL_CONST) {
            /* a register also assigned elsewhere: materialize */
            jit_loc k = {.kind = JL_CONST};
            jit_loc save = e->ra.loc[in->dst];
            /* compute the value as the allocator would */
            if (in->op == IR_CONST) {
                int rt = rtype(e, in->dst);
                if (rt == IR_F32) {
                    float fl = (float)in->fimm;
                    uint32_t u;
                    memcpy(&u, &fl, 4);
                    k.k = u;
                } else if (rt == IR_F64) {
                    memcpy(&k.k, &in->fimm, 8);
                } else if (rt == IR_I32) {
                    k.k = (uint32_t)in->imm;
                } else {
                    k.k = (uint64_t)in->imm;
                }
            } else if (in->op == IR_GADDR) {
                k.k = (uint32_t)(e->kmod->data_base + (uint32_t)in->imm);
            } else {
                k.k = (in->flags & IR_F_IMPORT) ? e->kmod->import_handles[in->imm]
                                                : e->kmod->func_handles[in->imm];
            }
            /* use a temporary constant location as the source of a move */
            ir_reg d = in->dst;
            jit_loc *loc = e->ra.loc;
            if (isx(rtype(e, d))) {
                loc[d] = k;
                int r = xsrc(e, d, save.kind == JL_REG ? save.reg : XT1);
                loc[d] = save;
                xfin(e, d, r);
            } else {
                loc[d] = k;
                int r = gsrc(e, d, save.kind == JL_REG ? save.reg : RAX);
                loc[d] = save;
                gfin(e, d, r);
            }
        }
        return;
    case IR_MOV:
        emit_mov(e, in);
        return;
    case JIT_OP_ENTRY: {
        /* an inlined leaf's entry, as its prologue would do it (no native
         * stack check: the body uses no stack): call depth, then poll,
         * both trapping in the callee at its definition line */
        uint32_t g = (uint32_t)in->imm, gl = e->m->funcs[g]->line;
        x_load(b, 0, RAX, xm(R14, offsetof(kp_exec, depth)));
        x_alu_rm(b, 0, ALU_CMP, RAX, xm(R14, offsetof(kp_exec, max_depth)));
        uint32_t s = new_stub(e, ST_ENTRY, gl, 0, 0, NULL, 0);
        e->st[s].fn = g;
        jcc_stub(e, CC_AE, s);
        if (!e->nopoll) {
            x_alu_ri(b, 0, ALU_SUB, R13, 1);
            size_t j = x_jcc32(b, CC_E);
            s = new_stub(e, ST_POLL, gl, 0, 0, NULL, b->n);
            e->st[s].fn = g;
            fix(e, j, s, FX_STUB);
        }
        return;
    }
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIVS:
    case IR_DIVU: case IR_REMS: case IR_REMU:
        if (isx(t)) {
            int is64 = t == IR_F64;
            int op = in->op == IR_ADD ? 0x58 : in->op == IR_MUL ? 0x59
                   : in->op == IR_SUB ? 0x5C : 0x5E;
            int rb = xsrc(e, in->b, XT2);
            int ra = xsrc(e, in->a, XT1);
            int dd = xdst(e, in->dst, XT1);
            if (dd == rb && dd != ra) {
                if (op == 0x58 || op == 0x59) {
                    x_farith(b, is64, op, dd, ra);
                } else {
                    x_movaps(b, XT1, ra);
                    x_farith(b, is64, op, XT1, rb);
                    x_movaps(b, dd, XT1);
                }
            } else {
                if (dd != ra)
                    x_movaps(b, dd, ra);
                x_farith(b, is64, op, dd, rb);
            }
            xfin(e, in->dst, dd);
            return;
        }
        if (in->op == IR_ADD || in->op == IR_SUB || in->op == IR_MUL)
            emit_binop_int(e, in);
        else
            emit_div(e, in);
        return;
    case IR_AND: case IR_OR: case IR_XOR:
        emit_binop_int(e, in);
        return;
    case IR_SHL: case IR_SHRS: case IR_SHRU:
        emit_shift(e, in);
        return;
    case IR_NEG: case IR_NOT:
        if (isx(t)) {
            int ra = xsrc(e, in->a, XT1);
            int dd = xdst(e, in->dst, XT1);
            if (dd != ra)
                x_movaps(b, dd, ra);
            x_mov_ri_nf(b, 1, R11, t == IR_F64 ? 0x8000000000000000ull : 0x80000000ull);
            x_movd_xg(b, 1, XT2, R11);
            x_xorps(b, dd, XT2);
            xfin(e, in->dst, dd);
        } else {
            int w = t == IR_I64;
            int ra = gsrc(e, in->a, RCX);
            int dd = gdst(e, in->dst, RAX);
            if (dd != ra)
                x_mov_rr(b, w, dd, ra);
            x_f7(b, w, in->op == IR_NEG ? 3 : 2, dd);
            gfin(e, in->dst, dd);
        }
        return;
    case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS: case IR_GES:
    case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU: {
        /* fused into the BR right after it? */
        if (i + 1 < bl->ninsns) {
            const ir_insn *nx = &bl->insns[i + 1];
            if (nx->op == IR_BR && nx->a == in->dst && e->ra.uses[in->dst] == 1)
                return;
        }
        emit_setcc(e, in);
        return;
    }
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16: case IR_SEXT32:
    case IR_ZEXT32: case IR_TRUNC: case IR_SITOF: case IR_UITOF: case IR_FTOSI:
    case IR_FTOUI: case IR_FCVT: case IR_BITCAST:
        emit_conv(e, in);
        return;
    case IR_LOAD:
        emit_load(e, in);
        return;
    case IR_STORE:
        emit_store(e, in);
        return;
    case IR_FRAME: {
        int dd = gdst(e, in->dst, RAX);
        x_load(b, 0, dd, xm(RSP, e->fpoff));
        if ((int32_t)in->imm)
            x_alu_ri(b, 0, ALU_ADD, dd, (int32_t)in->imm);
        gfin(e, in->dst, dd);
        return;
    }
    case IR_COPY: case IR_ZERO:
        emit_copy_zero(e, in);
        return;
    case IR_CALL: case IR_CALLI: case IR_CALLR: case IR_CALLP:
        emit_call(e, in);
        return;
    case IR_JMP: {
        if (falls(e, in->t1) && !e->unroll)
            return;
        /* Like the interpreter, a jump to a small block (typically a loop's
         * test) runs a copy of it here; the copy's jumps poll when they go
         * to this block or an earlier one. Polls must happen at the same
         * places on both engines (fuel budgets count them). Blocks with
         * calls are not copied (caller-saved registers are saved by
         * position). */
        const ir_block *tb = &e->f->blocks[in->t1];
        if (!e->dup && copyable(e, in->t1)) {
            e->dup = 1;
            for (uint32_t k = 0; k < tb->ninsns; k++)
                emit_insn(e, tb, k);
            e->dup = 0;
            e->in = in;
            return;
        }
        if (in->t1 <= e->cur && e->pad && e->pad[in->t1] != NOPAD) {
            jcc_block(e, -1, in->t1);
            return;
        }
        if (in->t1 <= e->cur)
            poll_to(e, in->t1);
        fix(e, x_jmp32(b), in->t1, FX_BLOCK);
        return;
    }
    case IR_BR: {
        if (i > 0) {
            const ir_insn *pv = &bl->insns[i - 1];
            if (is_cmp(pv->op) && pv->dst == in->a && e->ra.uses[in->a] == 1) {
                e->in = pv;
                int cc = emit_cmp(e, pv);
                e->in = in;
                emit_br_cc(e, cc, in->t1, in->t2);
                return;
            }
        }
        int ra = gsrc(e, in->a, RAX);
        if (!flags_of(e, in->a, 0)) /* else the flags of its add/sub/... */
            x_test_rr(b, 0, ra, ra);
        emit_br_cc(e, CC_NE, in->t1, in->t2);
        return;
    }
    case IR_SWITCH:
        emit_switch(e, in);
        return;
    case IR_RET:
        if (in->a) {
            if (isx(rtype(e, in->a))) {
                int r = xsrc(e, in->a, 0);
                if (r != 0)
                    x_movaps(b, 0, r);
            } else {
                int w = rtype(e, in->a) == IR_I64;
                int r = gsrc(e, in->a, RAX);
                if (r != RAX)
                    x_mov_rr(b, w, RAX, r);
            }
        }
        emit_epilogue(e);
        return;
    }
}

/* The call of a built-in whose prototype was checked, callee in rax:
 * kp_rt_call_builtin in line, same conversions, same traps. In line after
 * the checks, or in an ST_BUILTIN stub. The result ends in the call's
 * destination (res, in != NULL) or in rax / xmm0. This path is bound by
 * its instructions (measured: each one fewer in the loop of bench section
 * 3 was worth up to a cycle, the loop being limited by how fast its code
 * is fetched) and by its memory operations (Zen 4: three a cycle, at
 * most two of them stores), so it keeps few of either:
 * - an argument goes from where the allocator keeps it straight into its
 *   kp_value (in: the CALLI, whose arguments are still there; NULL: a
 *   CALLP's, from their raw slots);
 * - no native-stack check: the function's entry checked rsp against the
 *   thread's limit, which is never below the built-in floor (trap.c), and
 *   rsp does not move in the body;
 * - ex->cur_builtin is set, not saved and restored: it is read only while
 *   a built-in runs (kp_fail, messages), and a nested call from a
 *   built-in runs on an exec of its own, so it still names the callee
 *   when the call returns (the failure path takes it from there);
 * - r13 (callee-saved) keeps the countdown across the host call: it is
 *   compared with ex->poll_countdown and reloaded only if the built-in
 *   changed it (it polled, or ran a nested call), so the loop's countdown
 *   does not go through memory;
 * - the status and ex->trap_code are tested at once: nonzero either way
 *   goes to kp_rt_builtin_failed, which returns the recorded trap, or
 *   records the status's (exact when no trap was recorded);
 * - the rare cases are out of line: a failure, a changed countdown. */
static void emit_bi_call(E *e, const jit_callsite *site, const ir_insn *in, int res,
                         uint32_t line, uint32_t col)
{
    xbuf *b = &e->b;
    const ir_sig *sig = site->want;
    uint32_t n = site->nargs;
    int32_t V = bi_vals(n), R = bi_ret(n);
    for (uint32_t a = 0; a < n; a++) {
        int t = sig->params[a];
        int w = t == IR_I64 || t == IR_F64;
        xmem tv = xm(RSP, V + 16 * (int32_t)a), vv = xm(RSP, V + 16 * (int32_t)a + 8);
        x_rm(b, 0, 0, 0xC7, 1, 0, tv, 0);
        xb4(b, (uint32_t)t);
        /* 32-bit values zero-extended, as kp_rt_call_builtin: an I32 in a
         * register is (docs/jit.md), the upper half of a raw slot, a spill
         * slot or an xmm register is junk */
        if (!in) {
            x_load(b, w, RCX, xm(RSP, 8 * (int32_t)a));
            x_store(b, 1, vv, RCX);
            continue;
        }
        ir_reg v = in->args[a];
        const jit_loc *l = L(e, v);
        int rt = rtype(e, v);
        if (l->kind == JL_REG && !isx(rt)) {
            if ((rt == IR_I64) == (w != 0)) {
                x_store(b, 1, vv, l->reg);
            } else { /* not met: the front end converts to the prototype */
                x_mov_rr(b, 0, RCX, l->reg);
                x_store(b, 1, vv, RCX);
            }
        } else if (l->kind == JL_REG) {
            if (rt == IR_F64) {
                x_fstore(b, 1, vv, l->reg);
            } else {
                x_movd_gx(b, 0, RCX, l->reg);
                x_store(b, 1, vv, RCX);
            }
        } else if (l->kind == JL_SPILL) {
            x_load(b, w && (rt == IR_I64 || rt == IR_F64), RCX, slotm(e, l->slot));
            x_store(b, 1, vv, RCX);
        } else {
            uint64_t k = l->kind == JL_CONST ? l->k : 0;
            if (!w)
                k = (uint32_t)k;
            if (fits32((int64_t)k)) {
                x_rm(b, 0, 1, 0xC7, 1, 0, vv, 0);
                xb4(b, (uint32_t)k);
            } else {
                x_mov_ri_nf(b, 1, RCX, k);
                x_store(b, 1, vv, RCX);
            }
        }
    }
    /* args[0] (defined even when nargs == 0) and a void result are all
     * zero: one 16-byte store each. (A typed result keeps its two
     * immediate stores: building {type, 0} in xmm14 measured slower.) */
    if (n == 0 || sig->ret == IR_VOID)
        x_xorps(b, XT1, XT1);
    if (n == 0)
        x_rm(b, 0, 0, 0x0F11, 2, XT1, xm(RSP, V), 0); /* movups */
    if (sig->ret == IR_VOID) {
        x_rm(b, 0, 0, 0x0F11, 2, XT1, xm(RSP, R), 0);
    } else {
        x_rm(b, 0, 0, 0xC7, 1, 0, xm(RSP, R), 0);
        xb4(b, sig->ret);
        x_rm(b, 0, 1, 0xC7, 1, 0, xm(RSP, R + 8), 0);
        xb4(b, 0);
    }
    x_store(b, 1, xm(R14, offsetof(kp_exec, cur_builtin)), RAX);
    x_mov_ri_nf(b, 1, R11, (uint64_t)(uintptr_t)site->caller);
    x_store(b, 1, xm(R14, offsetof(kp_exec, caller)), R11);
    cd_out(b);
    x_mov_rr(b, 1, RDI, R14);
    x_lea(b, 1, RSI, xm(RSP, V));
    if (n)
        x_mov_ri_nf(b, 0, RDX, n);
    else
        x_rr(b, 0, 0, 0x31, 1, RDX, RDX); /* xor edx, edx */
    x_lea(b, 1, RCX, xm(RSP, R));
    x_load(b, 1, R8, xm(RAX, offsetof(kp_fn, userdata)));
    x_call_m(b, xm(RAX, offsetof(kp_fn, host)));
    x_alu_rm(b, 0, ALU_OR, RAX, xm(R14, offsetof(kp_exec, trap_code)));
    jcc_stub(e, CC_NE, new_stub(e, ST_BIFAIL, line, col, 0, NULL, 0));
    x_alu_rm(b, 0, ALU_CMP, R13, xm(R14, offsetof(kp_exec, poll_countdown)));
    uint32_t cd = new_stub(e, ST_CDIN, line, col, 0, NULL, 0);
    jcc_stub(e, CC_NE, cd);
    e->st[cd].back = b->n;
    xmem rv = xm(RSP, R + 8);
    if (res && in->dst) {
        ir_reg d = in->dst;
        if (isx(rtype(e, d))) {
            int dd = xdst(e, d, 0);
            x_fload(b, rtype(e, d) == IR_F64, dd, rv);
            xfin(e, d, dd);
        } else {
            int dd = gdst(e, d, RAX);
            x_load(b, rtype(e, d) == IR_I64, dd, rv); /* 32 bits: zero-extended */
            gfin(e, d, dd);
        }
    } else if (!res) {
        if (isx(sig->ret))
            x_fload(b, sig->ret == IR_F64, 0, rv);
        else if (sig->ret != IR_VOID)
            x_load(b, sig->ret == IR_I64, RAX, rv);
    }
}

/* ---- stubs ---- */

static void emit_stubs(E *e)
{
    xbuf *b = &e->b;
    for (size_t i = 0; i < e->nst; i++) {
        stub *s = &e->st[i];
        const kp_fn *kfn = &e->kmod->fns[s->fn];
        s->label = b->n;
        switch (s->kind) {
        case ST_TRAP:
            x_mov_rr(b, 0, R8, RAX);
            x_mov_rr(b, 1, RDI, R14);
            x_mov_ri_nf(b, 1, RSI, (uint64_t)(uintptr_t)kfn);
            x_mov_ri_nf(b, 0, RDX, s->line);
            x_mov_ri_nf(b, 0, RCX, s->col);
            cd_out(b);
            x_call_abs(b, (const void *)jit_h_trap);
            break;
        case ST_POLL: {
            x_call_abs(b, jit_g.poll_thunk);
            x_test_rr(b, 0, RAX, RAX);
            uint32_t t = new_stub(e, ST_TRAP, s->line, s->col, 0, NULL, 0);
            e->st[t].fn = e->st[i].fn;
            s = &e->st[i];
            jcc_stub(e, CC_NE, t);
            x_bind(b, x_jmp32(b), s->back);
            break;
        }
        case ST_BACKEDGE: {
            uint32_t line = s->line, col = s->col, blk = s->extra;
            const ir_insn *save = e->in;
            emit_poll(e, line, col);
            e->in = save;
            fix(e, x_jmp32(b), blk, FX_BLOCK);
            break;
        }
        case ST_UNLINKED:
            x_mov_rr(b, 1, RDI, R14);
            x_mov_ri_nf(b, 1, RSI, (uint64_t)(uintptr_t)s->ptr);
            x_mov_ri_nf(b, 1, RDX, (uint64_t)(uintptr_t)kfn);
            x_mov_ri_nf(b, 0, RCX, s->line);
            x_mov_ri_nf(b, 0, R8, s->col);
            cd_out(b);
            x_call_abs(b, (const void *)jit_h_unlinked);
            break;
        case ST_GENERIC: {
            if (s->call)
                store_args_via(e, s->call, RCX);
            x_mov_rr(b, 1, RDI, R14);
            x_mov_rr(b, 1, RSI, RAX);
            x_mov_ri_nf(b, 1, RDX, (uint64_t)(uintptr_t)s->ptr);
            x_mov_rr(b, 1, RCX, RSP);
            cd_out(b);
            x_call_abs(b, s->extra ? (const void *)jit_h_builtin : (const void *)jit_h_generic);
            cd_in(b);
            x_test_rr(b, 0, RAX, RAX);
            uint32_t t = new_stub(e, ST_TRAP, s->line, s->col, 0, NULL, 0);
            s = &e->st[i];
            jcc_stub(e, CC_NE, t);
            x_load(b, 1, RAX, xm(RSP, 0));
            x_movd_xg(b, 1, 0, RAX);
            if (s->res)
                call_result(e, s->res);
            x_bind(b, x_jmp32(b), s->back);
            break;
        }
        case ST_BUILTIN: {
            size_t back = s->back;
            emit_bi_call(e, s->ptr, s->call, 0, s->line, s->col);
            x_bind(b, x_jmp32(b), back);
            break;
        }
        case ST_PLUGIN: {
            size_t back = s->back;
            uint32_t sg = s->extra;
            const ir_insn *res = s->res;
            if (s->call)
                store_args_via(e, s->call, RCX);
            call_plugin_in_rax(e, sg);
            if (res)
                call_result(e, res);
            x_bind(b, x_jmp32(b), back);
            break;
        }
        case ST_BIFAIL: {
            /* eax = status | ex->trap_code; the callee is still
             * ex->cur_builtin (emit_bi_call) */
            uint32_t t = new_stub(e, ST_TRAP, s->line, s->col, 0, NULL, 0);
            cd_in(b);
            x_mov_rr(b, 0, RDX, RAX);
            x_mov_rr(b, 1, RDI, R14);
            x_load(b, 1, RSI, xm(R14, offsetof(kp_exec, cur_builtin)));
            x_call_abs(b, (const void *)kp_rt_builtin_failed);
            jmp_stub(e, t);
            break;
        }
        case ST_CDIN: {
            size_t back = s->back;
            cd_in(b);
            x_bind(b, x_jmp32(b), back);
            break;
        }
        case ST_UNROLL_EXIT:
            x_alu_ri(b, 0, ALU_ADD, R13, (int32_t)s->extra);
            fix(e, x_jmp32(b), (uint32_t)s->back, FX_BLOCK);
            break;
        case ST_ENTRY:
            x_mov_rr(b, 1, RDI, R14);
            x_mov_ri_nf(b, 1, RSI, (uint64_t)(uintptr_t)kfn);
            x_mov_ri_nf(b, 0, RDX, s->extra);
            cd_out(b);
            x_call_abs(b, (const void *)jit_h_entry_trap);
            break;
        }
        if (e->nomem)
            return;
    }
}

/* ---- unrolled loops ---- */

/*
 * A loop that is one block B (its branch back to B, or a JMP to a small
 * test block whose branch goes back to B or on to a later block X) runs
 * U copies of B per poll check, keeping the count of polls exact:
 *
 *   pad:   sub r13d,1; je slow       the back-edge poll of B, as ever
 *   B:     sub r13d,U; jle simple    r13 = countdown - U: > 0 iff none of
 *   grp:   copy 1 (leaving: r13 += U)     the next U polls reaches 0
 *          copy 2 (leaving: r13 += U-1)
 *          ...    (leaving: r13 += U-k+1: the k-1 polls taken)
 *          copy U
 *          sub r13d,U; jg grp       U polls taken; room for U more?
 *   simple: add r13d,U               the true countdown again
 *          B once, its back-edge to pad as usual
 *
 * No poll inside a group could have reached 0, so the slow path runs at
 * exactly the same poll as before, and a fault inside copy k finds the
 * true countdown as r13 + (U-k+1) (jit_pcmap.cdbias). B may contain no
 * calls or helper calls (nothing else may read r13), nor a SWITCH, and at
 * most 12 IR instructions (with its test block): measured, the copies
 * gain nothing on bigger bodies (gray.c's loop) and nothing without
 * polls, so code without polls (jit_set_polling(0)) keeps plain loops.
 */
static int unroll_factor(E *e, uint32_t bi, const uint8_t *hdr)
{
    const ir_func *f = e->f;
    if (bi == 0 || !hdr || !hdr[bi] || e->nopoll || e->plain_loops)
        return 0;
    const ir_block *bl = &f->blocks[bi], *tb = NULL;
    const ir_insn *t = &bl->insns[bl->ninsns - 1];
    uint32_t n = bl->ninsns;
    if (t->op == IR_JMP) {
        if (t->t1 == bi || !copyable(e, t->t1))
            return 0;
        tb = &f->blocks[t->t1];
        t = &tb->insns[tb->ninsns - 1];
        n += tb->ninsns;
    }
    if (t->op != IR_BR || n > 12)
        return 0;
    uint32_t x = t->t1 == bi ? t->t2 : t->t2 == bi ? t->t1 : bi;
    if (x <= bi)
        return 0;
    for (int part = 0; part < 2; part++) {
        const ir_block *pb = part ? tb : bl;
        for (uint32_t i = 0; pb && i < pb->ninsns; i++) {
            const ir_insn *in = &pb->insns[i];
            switch (in->op) {
            case IR_CALL: case IR_CALLI: case IR_CALLP: case IR_SWITCH: case IR_RET:
            case JIT_OP_ENTRY: /* polls */
                return 0;
            case IR_CALLR: case IR_COPY: case IR_ZERO:
                if (jit_mem_inline(in, e->ra.loc) < 0)
                    return 0;
                break;
            }
        }
    }
    return 4;
}

static void emit_unrolled(E *e, const ir_block *bl, uint32_t bi, int U, uint32_t pos0)
{
    xbuf *b = &e->b;
    x_alu_ri(b, 0, ALU_SUB, R13, U);
    size_t to_simple = x_jcc32(b, CC_LE);
    x_align(b, 16);
    size_t grp = b->n;
    for (int k = 1; k <= U; k++) {
        e->unroll = k;
        e->unroll_n = U;
        e->unroll_blk = bi;
        e->ncont = 0;
        e->cdbias = (uint32_t)(U - k + 1);
        e->flag_reg = 0;
        e->fused_add = NULL;
        e->fused_x = 0;
        e->fold_acc = NULL;
        for (uint32_t i = 0; i < bl->ninsns; i++) {
            e->pos = pos0 + i;
            emit_insn(e, bl, i);
        }
        for (int c = 0; c < e->ncont; c++)
            x_bind(b, e->cont[c], b->n);
    }
    e->unroll = 0;
    e->cdbias = 0;
    e->flag_reg = 0;
    e->fused_add = NULL;
    e->fused_x = 0;
    x_alu_ri(b, 0, ALU_SUB, R13, U);
    x_bind(b, x_jcc32(b, CC_G), grp);
    x_bind(b, to_simple, b->n);
    x_alu_ri(b, 0, ALU_ADD, R13, U);
    for (uint32_t i = 0; i < bl->ninsns; i++) {
        e->pos = pos0 + i;
        emit_insn(e, bl, i);
    }
}

/* ---- counted loops ---- */

/*
 * A loop that is one block B ending in `c = lt[su] i, n; br c, B, X`
 * or `le[su]` (c read only there), where i is an I32 register stepped once
 * in B by `i = add i, 1` before the compare and n a register B does not
 * write (or a constant), runs without a poll per iteration: the number of
 * back-edges the countdown allows is known at B's entry, so the loop's
 * own compare checks it.
 *
 * With i0 the value of i and c >= 1 the countdown at B's entry, the j-th
 * back-edge (i = i0 + j at its test) may run without a poll iff j < c;
 * the c-th brings the countdown to 0. So with lim = clamp(n', i0, i0 + c),
 * n' = n for `<`, min(n + 1, the type's maximum) for `<=` (64-bit, signed
 * or unsigned as the compare; lim always fits the 32-bit compare) and
 * extra = i0 + c - lim (in [0, c]):
 *
 *   B:     cmp i, INT_MAX (UINT_MAX); je simple   i0 + 1 would wrap: the
 *                                                    i-based count fails
 *          r13 = (i0 + c - lim) << 32 | lim      the strip, in r13
 *   fast:  B without its compare and branch
 *          cmp i, r13d; jl fast                  (jb if unsigned)
 *          r13d = lim + extra + 1 - i            the true countdown before
 *          jmp test                                 this back-edge's poll
 *   simple: B as usual; test: its compare and branch: the back-edge goes
 *          through the pad, whose poll runs the slow path at exactly the
 *          poll where it ran before (i >= lim with i < n: the c-th).
 *
 * i < lim implies the loop's condition, and lim - i0 <= c: the fast
 * back-edges are a subset of the loop's, never more than c - 1 of them in
 * a row. Inside
 * the fast body the countdown is lim + extra - i (+1 once i was stepped),
 * which a fault recovers from the pcmap (cdreg, cdbias) and the signal
 * context. Nothing in B can read r13 (no calls, helper calls or traps
 * through stubs: the unrolling's conditions).
 */
typedef struct counted {
    const ir_insn *step, *cmp;
    int ri;                  /* native register of i */
    int uns;                 /* unsigned compare */
    int le;                  /* i <= n: the bound is n + 1, at most the maximum */
} counted;

static int counted_loop(E *e, uint32_t bi, const uint8_t *hdr, counted *cl)
{
    const ir_func *f = e->f;
    if (bi == 0 || !hdr || !hdr[bi] || e->nopoll || e->plain_loops || !e->pad ||
        e->pad[bi] == NOPAD)
        return 0;
    const ir_block *bl = &f->blocks[bi];
    uint32_t n = bl->ninsns;
    if (n < 3)
        return 0;
    const ir_insn *t = &bl->insns[n - 1], *c = &bl->insns[n - 2];
    /* the exit may go back to an outer loop's header: it is emitted by
     * the loop's own test, which polls on it as ever */
    if (t->op != IR_BR || t->t1 != bi || t->t2 == bi)
        return 0;
    if ((c->op != IR_LTS && c->op != IR_LTU && c->op != IR_LES && c->op != IR_LEU) ||
        c->type != IR_I32 || c->dst != t->a ||
        e->ra.uses[c->dst] != 1)
        return 0;
    ir_reg i = c->a, lim = c->b;
    if (i == lim || rtype(e, i) != IR_I32 || L(e, i)->kind != JL_REG ||
        (L(e, lim)->kind != JL_REG && L(e, lim)->kind != JL_CONST))
        return 0;
    const ir_insn *step = NULL;
    for (uint32_t k = 0; k + 2 < n; k++) {
        const ir_insn *in = &bl->insns[k];
        switch (in->op) {
        case IR_CALL: case IR_CALLI: case IR_CALLP: case IR_SWITCH: case IR_RET:
        case IR_BR: case IR_JMP: case JIT_OP_ENTRY:
            return 0;
        case IR_CALLR: case IR_COPY: case IR_ZERO:
            if (jit_mem_inline(in, e->ra.loc) < 0)
                return 0;
            break;
        }
        if (in->dst == lim && L(e, lim)->kind != JL_CONST)
            return 0;
        if (in->dst != i)
            continue;
        int32_t one;
        if (step || in->op != IR_ADD || in->type != IR_I32 ||
            !((in->a == i && kimm(e, in->b, 0, &one)) || (in->b == i && kimm(e, in->a, 0, &one))) ||
            one != 1)
            return 0;
        step = in;
    }
    if (!step)
        return 0;
    cl->step = step;
    cl->cmp = c;
    cl->ri = L(e, i)->reg;
    cl->uns = c->op == IR_LTU || c->op == IR_LEU;
    cl->le = c->op == IR_LES || c->op == IR_LEU;
    return 1;
}

static void emit_counted(E *e, const ir_block *bl, uint32_t bi, const counted *cl,
                         uint32_t pos0)
{
    xbuf *b = &e->b;
    int ri = cl->ri, uns = cl->uns;
    uint32_t n = bl->ninsns;
    __atomic_fetch_add(&jit_g.counted_loops, 1, __ATOMIC_RELAXED);
    x_alu_ri(b, 0, ALU_CMP, ri, uns ? -1 : INT32_MAX);
    size_t to_simple = x_jcc32(b, CC_E);
    /* rax = i0, rcx = i0 + c, rdx = n, clamped into [i0, i0 + c] */
    if (uns)
        x_mov_rr(b, 0, RAX, ri);
    else
        x_rr(b, 0, 1, 0x63, 1, RAX, ri); /* movsxd */
    x_lea(b, 1, RCX, xmi(RAX, R13, 0));
    const jit_loc *ln = L(e, cl->cmp->b);
    int64_t vmax = uns ? (int64_t)UINT32_MAX : INT32_MAX;
    if (ln->kind == JL_CONST) {
        int64_t k = uns ? (int64_t)(uint32_t)ln->k : (int64_t)(int32_t)ln->k;
        if (cl->le)
            k = k < vmax ? k + 1 : vmax;
        x_mov_ri(b, 1, RDX, (uint64_t)k);
    } else {
        if (uns)
            x_mov_rr(b, 0, RDX, ln->reg);
        else
            x_rr(b, 0, 1, 0x63, 1, RDX, ln->reg);
        if (cl->le) { /* n + 1, at most vmax: lim must fit the 32-bit compare */
            x_lea(b, 1, RDX, xm(RDX, 1));
            x_mov_ri(b, 1, R11, (uint64_t)vmax);
            x_alu_rr(b, 1, ALU_CMP, RDX, R11);
            x_rr(b, 0, 1, 0x0F40u | (uint32_t)CC_G, 2, RDX, R11);
        }
    }
    x_alu_rr(b, 1, ALU_CMP, RDX, RCX);
    x_rr(b, 0, 1, 0x0F40u | (uint32_t)(uns ? CC_A : CC_G), 2, RDX, RCX); /* cmov */
    x_alu_rr(b, 1, ALU_CMP, RDX, RAX);
    x_rr(b, 0, 1, 0x0F40u | (uint32_t)(uns ? CC_B : CC_L), 2, RDX, RAX);
    x_alu_rr(b, 1, ALU_SUB, RCX, RDX);
    x_shift_i(b, 1, 4, RCX, 32);
    x_mov_rr(b, 0, R13, RDX);
    x_alu_rr(b, 1, ALU_OR, R13, RCX);
    /* The fast loop starts 8 bytes into a 64-byte line. Measured, not
     * derived (bench section 7, 2026-12-06; bench/RESULTS.md): adler32's
     * 5-instruction loop ran 1.3x slower at offsets 0, 4, 24 and 32 of
     * the line and 1.9x at 40 and 48 than at 8 or 16, shellsort's loop
     * +8% against +2%; no kernel got slower beyond noise. */
    if (b->n % 64 > 8)
        x_align(b, 64);
    if (b->n % 64 == 0) {
        static const uint8_t nop8[8] = {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00};
        for (int k = 0; k < 8; k++)
            xb1(b, nop8[k]);
    } else {
        x_align(b, 8);
    }
    size_t fast = b->n;
    e->cdreg = ri + 1;
    e->cdbias = 0;
    e->flag_reg = 0;
    e->fused_add = NULL;
    e->fused_x = 0;
    e->fold_acc = NULL;
    for (uint32_t k = 0; k + 2 < n; k++) {
        e->pos = pos0 + k;
        emit_insn(e, bl, k);
        if (&bl->insns[k] == cl->step)
            e->cdbias = 1;
    }
    e->cdreg = 0;
    e->cdbias = 0;
    e->flag_reg = 0;
    e->fused_add = NULL;
    e->fused_x = 0;
    e->fold_acc = NULL;
    x_alu_rr(b, 0, ALU_CMP, ri, R13);
    x_bind(b, x_jcc32(b, uns ? CC_B : CC_L), fast);
    x_mov_rr(b, 1, RAX, R13);
    x_shift_i(b, 1, 5, RAX, 32);
    x_lea(b, 0, R13, (xmem){R13, RAX, 1, 1});
    x_alu_rr(b, 0, ALU_SUB, R13, ri);
    size_t to_test = x_jmp32(b);
    x_bind(b, to_simple, b->n);
    for (uint32_t k = 0; k < n; k++) {
        e->pos = pos0 + k;
        if (k == n - 2) {
            /* the fast loop's exit lands here: no flags or fusions carried */
            e->flag_reg = 0;
            e->fused_add = NULL;
            e->fused_x = 0;
            e->fold_acc = NULL;
            x_bind(b, to_test, b->n);
        }
        emit_insn(e, bl, k);
    }
}

/* ---- one function ---- */

static int emit_func1(E *e, char *err, size_t errsize);

static int emit_func(E *e, char *err, size_t errsize)
{
    const ir_func *orig = e->f;
    ir_pollsite *ps = grow(e, e->ps, &e->pscap, orig->nblocks ? orig->nblocks : 1, sizeof *ps);
    if (!ps) {
        snprintf(err, errsize, "out of memory compiling '%s'", orig->name);
        return KP_ERR_NOMEM;
    }
    e->ps = ps;
    ir_poll_sites(orig, ps);
    ir_func *opt = jit_opt_copy(e->m, orig);
    if (!opt) {
        snprintf(err, errsize, "out of memory compiling '%s'", orig->name);
        return KP_ERR_NOMEM;
    }
    e->f = opt;
    int rc = emit_func1(e, err, errsize);
    e->f = orig;
    if (!rc && e->jm->dbg_ir)
        e->jm->dbg_ir[e->fi] = opt;
    else
        jit_opt_free(opt);
    return rc;
}

static int emit_func1(E *e, char *err, size_t errsize)
{
    const ir_func *f = e->f;
    int rc = jit_regalloc(f, e->kmod, &e->ra, err, errsize);
    if (rc)
        return rc;
    /* frame layout */
    uint32_t maxargs = 1, outbytes = 0;
    e->uses_fp = 0;
    e->leaf = 1;
    for (uint32_t bi = 0; bi < f->nblocks; bi++)
        for (uint32_t i = 0; i < f->blocks[bi].ninsns; i++) {
            const ir_insn *in = &f->blocks[bi].insns[i];
            if (in->op >= IR_CALL && in->op <= IR_CALLP && in->nargs > maxargs)
                maxargs = in->nargs;
            if (in->op == IR_CALLI || in->op == IR_CALLP) {
                const ir_sig *w = in->op == IR_CALLI ? &e->m->imports[in->imm].sig : in->sig;
                if (bi_inline(w, in->nargs) && (uint32_t)bi_area(in->nargs) > outbytes)
                    outbytes = (uint32_t)bi_area(in->nargs);
            }
            if (in->op == IR_FRAME)
                e->uses_fp = 1;
            /* an inlined call still counts: its entry checks the depth the
             * caller's call would have had */
            if (in->op == IR_CALL || in->op == IR_CALLI || in->op == IR_CALLP ||
                in->op == JIT_OP_ENTRY)
                e->leaf = 0;
            /* the isolation argument needs |disp| <= IR_MAX_DISP: never
             * trust that the module went through ir_verify */
            if ((in->op == IR_LOAD || in->op == IR_STORE) &&
                (in->imm > IR_MAX_DISP || in->imm < -IR_MAX_DISP)) {
                snprintf(err, errsize, "function '%s': displacement %lld out of range",
                         f->name, (long long)in->imm);
                jit_ra_free(&e->ra);
                return KP_ERR_ARG;
            }
        }
    if (f->frame_size > (uint32_t)INT32_MAX - 64) {
        snprintf(err, errsize, "function '%s': frame too large", f->name);
        jit_ra_free(&e->ra);
        return KP_ERR_LIMIT;
    }
    e->has_frame = f->frame_size > 0;
    if (outbytes < 8 * maxargs)
        outbytes = 8 * maxargs;
    e->out = (int32_t)((outbytes + 15) & ~15u);
    e->spill_base = e->out;
    e->fpoff = e->spill_base + 8 * (int32_t)e->ra.nslots;
    e->npush = 0;
    static const int cs[4] = {RBX, RBP, R12, R13};
    for (int i = 0; i < 4; i++)
        if (e->ra.used_callee >> cs[i] & 1)
            e->pushed[e->npush++] = cs[i];
    int32_t total = e->fpoff + 8;
    /* entry rsp = 8 mod 16; keep rsp 16-aligned in the body */
    while ((8 + 8 * e->npush + total) % 16)
        total += 8;
    if (total > MAX_NATIVE_FRAME) {
        snprintf(err, errsize, "function '%s' needs too many spill slots for the JIT", f->name);
        jit_ra_free(&e->ra);
        return KP_ERR_LIMIT;
    }
    e->frame_total = total;

    /* the function's tables live in the allocator's arena (one free, in
     * jit_ra_free, and no malloc per table) */
    e->nn = kp_arena_alloc(&e->ra.mem, f->nregs ? f->nregs : 1); /* NULL: no folding */
    e->fold_acc = NULL;
    e->blk = kp_arena_alloc(&e->ra.mem, (f->nblocks + 1) * sizeof *e->blk);
    if (!e->blk) {
        e->nn = NULL;
        jit_ra_free(&e->ra);
        snprintf(err, errsize, "out of memory");
        return KP_ERR_NOMEM;
    }
    e->nfx = 0;
    e->nst = 0;
    e->st_native = e->st_pstack = e->st_depth = NOSTUB;
    e->in = NULL;
    e->jm->fns[e->fi].code_off = (uint32_t)e->b.n;
    dbgmark(e, -1, 0);
    emit_prologue(e);
    size_t body = e->b.n;
    uint32_t pos = 1;
    /* loop headers (targets of back-edges) start on a 32-byte boundary:
     * the front end of the CPU fetches and caches decoded code by 32 bytes */
    uint8_t *hdr = kp_arena_alloc(&e->ra.mem, f->nblocks + 1);
    e->pad = kp_arena_alloc_raw(&e->ra.mem, (f->nblocks + 1) * sizeof *e->pad);
    if (hdr)
        for (uint32_t bi = 0; bi < f->nblocks; bi++) {
            const ir_insn *t = &f->blocks[bi].insns[f->blocks[bi].ninsns - 1];
            mark_back(t, bi, hdr);
            /* the copy of a small jump target judges its jumps from here */
            if (t->op == IR_JMP && t->t1 != bi + 1 && copyable(e, t->t1)) {
                const ir_block *tb = &f->blocks[t->t1];
                mark_back(&tb->insns[tb->ninsns - 1], bi, hdr);
            }
        }
    for (uint32_t bi = 0; e->pad && bi <= f->nblocks; bi++)
        e->pad[bi] = NOPAD;
    for (uint32_t bi = 0; bi < f->nblocks; bi++) {
        e->cur = bi;
        if (hdr && hdr[bi] && e->pad && !e->nopoll) {
            /* Poll pad: back-edges jump here, poll (located like every poll
             * on a jump to this block) and fall into the block; entering
             * from above skips it. Pad and loop share the aligned start. */
            size_t over = x_jmp32(&e->b);
            x_align(&e->b, 32);
            e->pad[bi] = e->b.n;
            e->in = NULL;
            dbgmark(e, -3, bi);
            poll_to(e, bi);
            x_bind(&e->b, over, e->b.n);
        } else if (hdr && hdr[bi]) {
            x_align(&e->b, 32);
        }
        e->blk[bi] = e->b.n;
        const ir_block *bl = &f->blocks[bi];
        e->flag_reg = 0;
        counted cl;
        if (counted_loop(e, bi, hdr, &cl)) {
            emit_counted(e, bl, bi, &cl, pos);
            pos += bl->ninsns;
            continue;
        }
        int U = unroll_factor(e, bi, hdr);
        if (U) {
            emit_unrolled(e, bl, bi, U, pos);
            pos += bl->ninsns;
            continue;
        }
        for (uint32_t i = 0; i < bl->ninsns; i++) {
            e->pos = pos++;
            emit_insn(e, bl, i);
        }
    }
    e->in = NULL;
    dbgmark(e, -4, 0);
    emit_prep_entry(e, body);
    dbgmark(e, -2, 0);
    e->pad = NULL;
    emit_stubs(e);
    for (size_t i = 0; i < e->nfx; i++) {
        fixup *x = &e->fx[i];
        size_t tgt = x->kind == FX_BLOCK ? e->blk[x->target] : e->st[x->target].label;
        if (x->table)
            xpatch4(&e->b, x->at, (uint32_t)(int32_t)((int64_t)tgt - (int64_t)x->table));
        else
            x_bind(&e->b, x->at, tgt);
    }
    e->jm->fns[e->fi].code_len = (uint32_t)(e->b.n - e->jm->fns[e->fi].code_off);
    e->blk = NULL;
    e->nn = NULL;
    jit_ra_free(&e->ra);
    if (e->nomem || e->b.nomem) {
        snprintf(err, errsize, "out of memory compiling '%s'", f->name);
        return KP_ERR_NOMEM;
    }
    return 0;
}

int jit_emit_module(jit_module *jm, char *err, size_t errsize)
{
    E e;
    memset(&e, 0, sizeof e);
    e.jm = jm;
    e.kmod = jm->kmod;
    e.m = jm->kmod->ir;
    e.nopoll = jit_g.no_poll;
    e.plain_loops = jit_g.plain_loops;
    int rc = 0;
    if (jit_g.keep_debug) {
        jm->dbg_ir = calloc(e.m->nfuncs ? e.m->nfuncs : 1, sizeof *jm->dbg_ir);
        e.dbg = jm->dbg_ir != NULL;
    }
    for (uint32_t fi = 0; fi < e.m->nfuncs && !rc; fi++) {
        e.f = e.m->funcs[fi];
        e.fi = fi;
        /* align function entries */
        while (e.b.n % 16)
            xb1(&e.b, 0xCC);
        rc = emit_func(&e, err, errsize);
    }
    if (!rc && (e.nomem || e.b.nomem)) {
        snprintf(err, errsize, "out of memory");
        rc = KP_ERR_NOMEM;
    }
    if (!rc) {
        for (size_t i = 0; i < e.ncfx; i++) {
            const jit_fn *cf = &jm->fns[e.cfx[i].target];
            x_bind(&e.b, e.cfx[i].at, e.cfx[i].kind == FX_FUNC_REG ? cf->reg_off : cf->code_off);
        }
        size_t got = 0;
        uint8_t *code = jit_code_alloc(e.b.n ? e.b.n : 1, &got);
        if (!code) {
            snprintf(err, errsize, "out of JIT code memory");
            rc = KP_ERR_NOMEM;
        } else {
            if (e.b.n) /* an empty plugin has no code: memcpy(NULL, NULL, 0) is UB */
                memcpy(code, e.b.p, e.b.n);
            if (jit_code_seal(code, got) != 0) {
                jit_code_free(code, got);
                snprintf(err, errsize, "cannot make JIT code executable");
                rc = KP_ERR_NOMEM;
            } else {
                jm->code = code;
                jm->code_size = got;
                for (uint32_t i = 0; i < jm->nfns; i++)
                    jm->fns[i].entry = code + jm->fns[i].code_off;
                jm->pcmap = e.pc;
                jm->npc = (uint32_t)e.npc;
                e.pc = NULL;
                jm->dbg = e.dl;
                jm->ndbg = (uint32_t)e.ndl;
                e.dl = NULL;
            }
        }
    }
    free(e.b.p);
    free(e.fx);
    free(e.cfx);
    free(e.ps);
    free(e.st);
    free(e.pc);
    free(e.blk);
    free(e.dl);
    return rc;
}
#endif

/*
 * stub.c — the entry stub of one prepared call (kp_engine_ops.prepare):
 * kp_call_prepared's fast path and the entry trampoline's work in one
 * piece of machine code, specialised for what the prepared call fixes
 * (runtime, slot, prototype, call record, thread). See docs/jit.md,
 * "Prepared-call stubs", and exec.c, "Prepared calls".
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <pthread.h>
#include <stddef.h>

#include "x64.h"
#include "../../runtime/rt_private.h"

_Static_assert(offsetof(kp_exec, trap_located) == offsetof(kp_exec, trap_code) + 4,
               "the stub reads trap_code and trap_located as one word");

/* a %fs-relative operand */
static xmem fsm(int32_t off)
{
    return (xmem){-1, -1, 1, off};
}

/* op [fs:off], imm32 (mov: 0xC7 /0; cmp: 0x81 /7) */
static void fs_mov_i(xbuf *b, int w, int32_t off, int32_t imm)
{
    xb1(b, 0x64);
    x_rm(b, 0, w, 0xC7, 1, 0, fsm(off), 0);
    xb4(b, (uint32_t)imm);
}

static void fs_cmp_i(xbuf *b, int w, int32_t off, int32_t imm)
{
    xb1(b, 0x64);
    x_alu_mi(b, w, ALU_CMP, fsm(off), imm);
}

static void fs_store(xbuf *b, int32_t off, int reg)
{
    xb1(b, 0x64);
    x_store(b, 1, fsm(off), reg);
}

/* mov qword [m], imm32 (sign-extended) */
static void mov_mi(xbuf *b, int w, xmem m, int32_t imm)
{
    x_rm(b, 0, w, 0xC7, 1, 0, m, 0);
    xb4(b, (uint32_t)imm);
}

/* jmp to an absolute address (rax is free on every exit that uses it) */
static void jmp_abs(xbuf *b, const void *to)
{
    x_mov_ri(b, 1, RAX, (uint64_t)(uintptr_t)to);
    x_jmp_r(b, RAX);
}

static int is32(uint8_t t)
{
    return t == KP_T_I32 || t == KP_T_F32 || t == KP_T_PTR;
}

/*
 * Entered as int stub(rdi = p, rsi = args, rdx = ret) by a jump from
 * kp_call_prepared. Registers: rcx = rt until the arguments, rax = the
 * armed entry (p->entry); from the frame on rbp = ret,
 * r13-r15 as emit.c expects (r14 = the call record, inside p); the
 * arguments in jit_prep_regs's registers where the prototype fits. The
 * stack:
 *
 *   host's return address
 *   rbx rbp r12 r13 r14 r15 (the host's)
 *   jit_frame (JF_ROOM)
 *   outgoing arguments     <- rsp at the call (none: in registers)
 *
 * which is the entry trampoline's frame shape (six pushes, JF_ROOM), so
 * unwind() and the signal stub restore the host's registers as they do
 * for it; the frame's prev, JF_PREV_STUB, sends them on to prepared_end
 * (with the host's return address still on the stack) instead of
 * returning, and keeps them from restoring ex->sp/depth from the frame's
 * sp0/depth0, which the stub does not write (prepared_end does).
 *
 * What it leaves out of the C path, and why that is safe: p->busy (on
 * the owner thread busy implies an announced call, nest > 0, which sends
 * the call to C; prepared_end sets it around the cleanups it runs), the
 * t->exec check (t->exec is set only inside an announced call), the
 * prototype, the limits and the rest of the call record (unchanged while
 * rt->callgen is, see exec.c), ex->sp and ex->depth (every return and
 * every trap restores them), ex->caller (generated code sets it before
 * each call out, which is where it is read), ex->interrupt_gen (the C
 * path wrote the runtime's, and kp_interrupt moves rt->callgen),
 * ex->rt_interrupt_gen (only read for an exec whose interrupt word is not
 * the runtime's).
 *
 * The path is bound by its memory operations and taken branches more
 * than by its instruction count (bench/RESULTS.md).
 */
static void gen(xbuf *b, const kp_prep_desc *d, jit_stub_cfi *cfi)
{
    size_t j_slow[4], j_fin[3];
    int ns = 0, nf = 0;
    int n = d->nparams;
    int8_t areg[IR_MAX_PARAMS];
    int inregs = jit_prep_regs(d->params, n, areg);
    int32_t out = inregs ? 0 : (int32_t)((8 * (n ? n : 1) + 15) & ~15);
    int32_t room = JF_ROOM + out;
    static const int saved[6] = {RBX, RBP, R12, R13, R14, R15};

    /* ---- may the stub serve this call? (else the C path, untouched) */
    if (n) {
        x_test_rr(b, 1, RSI, RSI);
        j_slow[ns++] = x_jcc32(b, CC_E);
    }
    /* id, then nest: nest == 0 and id == owner_id are the 8 bytes at id
     * reading owner_id, an immediate while it fits in 31 bits */
    int paired = d->tls_nest == d->tls_id + 4;
    int imm_id = d->owner_id <= INT32_MAX;
    if (paired && imm_id) {
        fs_cmp_i(b, 1, d->tls_id, (int32_t)d->owner_id);
        j_slow[ns++] = x_jcc32(b, CC_NE);
    } else if (paired) {
        x_mov_ri(b, 0, RAX, d->owner_id);
        xb1(b, 0x64);
        x_alu_rm(b, 1, ALU_CMP, RAX, fsm(d->tls_id));
        j_slow[ns++] = x_jcc32(b, CC_NE);
    } else {
        x_mov_ri(b, 0, RAX, d->owner_id);
        xb1(b, 0x64);
        x_alu_rm(b, 0, ALU_CMP, RAX, fsm(d->tls_id));
        j_slow[ns++] = x_jcc32(b, CC_NE);
        fs_cmp_i(b, 0, d->tls_nest, 0);
        j_slow[ns++] = x_jcc32(b, CC_NE);
    }

    /* ---- announce the outermost call (rd_enter): the runtime, then the
     * epoch; the reclaimer's membarrier orders these stores before the
     * loads below, or mfence where it has none */
    x_mov_ri(b, 1, RCX, (uint64_t)(uintptr_t)d->rt);
    /* rd.rt is read only while an epoch is announced, and usually names
     * this runtime still: compared, and stored out of line when not */
    xb1(b, 0x64);
    x_alu_rm(b, 1, ALU_CMP, RCX, fsm(d->tls_rdrt));
    size_t j_other = x_jcc32(b, CC_NE);
    size_t l_same = b->n;
    x_mov_ri(b, 1, RAX, (uint64_t)(uintptr_t)d->epoch_now);
    x_load(b, 1, RAX, xm(RAX, 0));
    fs_store(b, d->tls_epoch, RAX);
    if (d->fenced) {
        xb1(b, 0x0F), xb1(b, 0xAE), xb1(b, 0xF0); /* mfence */
    }
    fs_mov_i(b, 0, d->tls_nest, 1);

    /* ---- the binding: the generation the C path armed p at (a store to
     * the slot moves it before and after, limit changes move it), so the
     * slot holds the function whose entry it recorded, with the limits it
     * loaded into the call record; read after the announcement, which
     * keeps that function's code from being freed */
    x_load(b, 1, R8, xm(RCX, (int32_t)d->rt_gen));
    x_alu_rm(b, 1, ALU_CMP, R8, xm(RDI, (int32_t)d->p_gen));
    size_t j_ann = x_jcc32(b, CC_NE);
    x_load(b, 1, RAX, xm(RDI, (int32_t)d->p_entry));

    /* ---- the frame: the host's registers, jit_frame */
    for (int i = 0; i < 6; i++) {
        x_push(b, saved[i]);
        cfi->push_end[i] = (uint32_t)b->n;
    }
    x_alu_ri(b, 1, ALU_SUB, RSP, room);
    cfi->frame_at = (uint32_t)b->n;
    cfi->room = room;
    x_lea(b, 1, R14, xm(RDI, (int32_t)d->p_ex));
    fs_store(b, d->tls_cur, R14);
    x_store(b, 1, xm(RSP, out + JF_EX), R14);
    /* the outermost call on this thread (nest was 0): no enclosing frame,
     * and a trap ends in prepared_end (engine.c, trap_restore) */
    mov_mi(b, 1, xm(RSP, out + JF_PREV), (int32_t)(intptr_t)JF_PREV_STUB);
    if (out) {
        x_lea(b, 1, R8, xm(RSP, out));
        fs_store(b, jit_g.tls_frame_off, R8);
    } else {
        fs_store(b, jit_g.tls_frame_off, RSP);
    }
    x_mov_rr(b, 1, RBP, RDX);
    x_mov_ri(b, 1, R15, (uint64_t)(uintptr_t)d->mem);
    x_mov_ri_nf(b, 0, R13, d->poll);
    /* arguments straight into the callee's slots, read at their width
     * (a 32-bit load zero-extends: the upper half of a kp_value holding
     * a 32-bit value is the host's garbage) */
    for (int i = 0; i < n && !inregs; i++) {
        x_load(b, !is32(d->params[i]), R8, xm(RSI, 16 * i + (int32_t)offsetof(kp_value, v)));
        x_store(b, 1, xm(RSP, 8 * i), R8);
    }
    /* or into their registers (jit_prep_regs), rsi's last: it points at
     * them */
    for (int pass = 0; pass < 2 && inregs; pass++)
        for (int i = 0; i < n; i++) {
            xmem src = xm(RSI, 16 * i + (int32_t)offsetof(kp_value, v));
            if ((areg[i] == RSI) != pass)
                continue;
            if (areg[i] >= 16)
                x_fload(b, d->params[i] == KP_T_F64, areg[i] - 16, src);
            else
                x_load(b, !is32(d->params[i]), areg[i], src);
        }
    x_call_r(b, RAX);

    /* ---- back: the raw result in rax (rbx, rbp, r12, r14 preserved) */
    if (d->ret == KP_T_F32)
        x_movd_gx(b, 0, RAX, 0);
    else if (d->ret == KP_T_F64)
        x_movd_gx(b, 1, RAX, 0);
    else if (is32(d->ret))
        x_mov_rr(b, 0, RAX, RAX);
    /* the runtime's retired modules (32 bits, zero-extended), trap_code
     * and trap_located (8 bytes) and cleanups or'ed: one branch */
    x_mov_ri(b, 1, RDX, (uint64_t)(uintptr_t)d->rt + d->rt_nretired);
    x_load(b, 0, RCX, xm(RDX, 0));
    x_alu_rm(b, 1, ALU_OR, RCX, xm(R14, (int32_t)d->ex_cleanups));
    x_alu_rm(b, 1, ALU_OR, RCX, xm(R14, offsetof(kp_exec, trap_code)));
    j_fin[nf++] = x_jcc32(b, CC_NE);
    /* the frame stays in jit_tls_frame_: it is read only while JIT code
     * runs, and every entry into JIT code links its own frame first */
    x_test_rr(b, 1, RBP, RBP);
    size_t j_noret = x_jcc32(b, CC_E);
    /* kp_value: type, 4 bytes of padding (zero), the union */
    mov_mi(b, 1, xm(RBP, 0), d->ret);
    if (d->ret == KP_T_VOID)
        mov_mi(b, 1, xm(RBP, offsetof(kp_value, v)), 0);
    else
        x_store(b, 1, xm(RBP, offsetof(kp_value, v)), RAX);
    x_bind(b, j_noret, b->n);
    /* ---- the call is over: rd_leave's stores, the thread idle again */
    if (d->tls_epoch == d->tls_cur + 8) {
        x_xorps(b, 1, 1);
        xb1(b, 0x64);
        x_rm(b, 0, 0, 0x0F11, 2, 1, fsm(d->tls_cur), 0); /* movups */
    } else {
        fs_mov_i(b, 1, d->tls_cur, 0);
        fs_mov_i(b, 1, d->tls_epoch, 0);
    }
    if (paired) {
        /* nest = 0 as an 8-byte store with the id: the next call's 8-byte
         * load of both is forwarded from it; after a 4-byte store it would
         * wait for the store to reach the cache (+4 ns here) */
        if (imm_id) {
            fs_mov_i(b, 1, d->tls_id, (int32_t)d->owner_id);
        } else {
            x_mov_ri(b, 0, RCX, d->owner_id);
            fs_store(b, d->tls_id, RCX);
        }
    } else {
        fs_mov_i(b, 0, d->tls_nest, 0);
    }
    x_alu_ri(b, 1, ALU_ADD, RSP, room);
    cfi->unframe_at = (uint32_t)b->n;
    for (int i = 6; i-- > 0;) {
        x_pop(b, saved[i]);
        cfi->pop_end[5 - i] = (uint32_t)b->n;
    }
    x_rr(b, 0, 0, 0x31, 1, RAX, RAX);
    x_ret(b);

    /* ---- trap_code or cleanups set, or retired modules: prepared_end(p,
     * KP_OK, raw result, ret) after the frame is unlinked */
    size_t l_fin = b->n;
    fs_mov_i(b, 1, jit_g.tls_frame_off, 0);
    x_lea(b, 1, RDI, xm(R14, -(int32_t)d->p_ex));
    x_rr(b, 0, 0, 0x31, 1, RSI, RSI);
    x_mov_rr(b, 1, RDX, RAX);
    x_mov_rr(b, 1, RCX, RBP);
    x_alu_ri(b, 1, ALU_ADD, RSP, room);
    for (int i = 6; i-- > 0;)
        x_pop(b, saved[i]);
    jmp_abs(b, d->end);
    for (int i = 0; i < nf; i++)
        x_bind(b, j_fin[i], l_fin);

    x_bind(b, j_other, b->n);
    fs_store(b, d->tls_rdrt, RCX);
    x_bind(b, x_jmp32(b), l_same);

    /* ---- not for the stub: the C path, after undoing the announcement
     * or with nothing done */
    x_bind(b, j_ann, b->n);
    jmp_abs(b, d->slow_ann);
    size_t l_slow = b->n;
    jmp_abs(b, d->slow);
    for (int i = 0; i < ns; i++)
        x_bind(b, j_slow[i], l_slow);
}

/*
 * Stubs are shared. Nothing in one is particular to its kp_prepared (the
 * stub reaches p through rdi: its generation, entry and call record), so
 * every prepared call whose description is the same — runtime, segment,
 * thread, prototype — runs the same code: one stub (a page of code memory
 * and two mprotects) per runtime, thread and prototype, not per
 * kp_prepare. Counted; the last unprepare frees it. The key is the whole
 * description with p cleared (exec.c zeroes it before filling it, so
 * padding compares equal); code generated from equal descriptions is
 * equal, so a runtime created at a freed one's address may share too.
 */
typedef struct shared_stub {
    kp_prep_desc key;
    uint8_t *code;
    size_t size;
    unsigned refs;
    struct shared_stub *next;
} shared_stub;

static pthread_mutex_t stubs_lock = PTHREAD_MUTEX_INITIALIZER;
static shared_stub *stubs;

static void *stub_make(const kp_prep_desc *d, size_t *size);

void *jit_prepare(const kp_prep_desc *d, size_t *size)
{
    kp_prep_desc key = *d;
    key.p = NULL;
    pthread_mutex_lock(&stubs_lock);
    shared_stub *s = stubs;
    while (s && memcmp(&s->key, &key, sizeof key) != 0)
        s = s->next;
    if (s) {
        s->refs++;
        *size = s->size;
        pthread_mutex_unlock(&stubs_lock);
        return s->code;
    }
    pthread_mutex_unlock(&stubs_lock);
    /* made outside the lock (two mprotects): another thread's prepare
     * never has the same key (the thread is part of it) */
    s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->code = stub_make(&key, &s->size);
    if (!s->code) {
        free(s);
        return NULL;
    }
    s->key = key;
    s->refs = 1;
    pthread_mutex_lock(&stubs_lock);
    s->next = stubs;
    stubs = s;
    pthread_mutex_unlock(&stubs_lock);
    *size = s->size;
    return s->code;
}

void jit_unprepare(void *stub, size_t size)
{
    (void)size;
    pthread_mutex_lock(&stubs_lock);
    shared_stub **pp = &stubs, *s;
    while ((s = *pp) && s->code != stub)
        pp = &s->next;
    if (s && --s->refs == 0)
        *pp = s->next;
    else
        s = NULL;
    pthread_mutex_unlock(&stubs_lock);
    if (s) {
        jit_gdb_stub_unregister(s->code);
        jit_code_free(s->code, s->size);
        free(s);
    }
}

static void *stub_make(const kp_prep_desc *d, size_t *size)
{
    /* the preparing thread's signal stack and stack limit: the stub does
     * not check them per call as the entry trampoline does */
    if (jit_init() != 0 || jit_thread_init() != 0)
        return NULL;
    /* the same for every stub: a trap's end (engine.c) reads them */
    atomic_store_explicit(&jit_g.prep_ex_off, d->p_ex, memory_order_relaxed);
    atomic_store_explicit(&jit_g.prep_end, d->end, memory_order_release);
    xbuf bb = {0}, *b = &bb;
    jit_stub_cfi cfi;
    gen(b, d, &cfi);
    if (b->nomem) {
        free(b->p);
        return NULL;
    }
    size_t got = 0;
    uint8_t *code = jit_code_alloc(b->n, &got);
    if (!code) {
        free(b->p);
        return NULL;
    }
    memcpy(code, b->p, b->n);
    free(b->p);
    if (jit_code_seal(code, got) != 0) {
        jit_code_free(code, got);
        return NULL;
    }
    /* debuggers unwind through it (KPLUG_GDB=1; else nothing happens) */
    jit_gdb_stub_register(code, b->n, &cfi);
    *size = got;
    return code;
}
#endif

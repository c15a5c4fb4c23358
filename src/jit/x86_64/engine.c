/*
 * engine.c — kp_jit_engine: load/unload/call, the trampolines (generated
 * once per process into code memory), and the C helpers generated code
 * calls for the rare or complex cases (traps, calls that are not
 * plugin -> plugin of this engine, runtime library, block copies).
 */
#include "../jit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if KP_JIT_AVAILABLE
#include <pthread.h>
#include <unistd.h>

#include "x64.h"
#include "../../runtime/rt_private.h"


jit_globals jit_g;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

typedef int (*enter_fn)(kp_exec *, kp_fn *, const uint64_t *, uint64_t *);
typedef void (*unwind_fn)(jit_frame *, int) __attribute__((noreturn));

static int jit_call_slow(kp_exec *ex, kp_fn *fn, const uint64_t *args, uint64_t *ret);

/* rsp at the jit_frame: the frame goes, the host's registers come back */
static void frame_pop(xbuf *b)
{
    x_alu_ri(b, 1, ALU_ADD, RSP, JF_ROOM);
    x_pop(b, R15);
    x_pop(b, R14);
    x_pop(b, R13);
    x_pop(b, R12);
    x_pop(b, RBP);
    x_pop(b, RBX);
}

static void epilogue_restore(xbuf *b)
{
    frame_pop(b);
    x_ret(b);
}

/* mov reg, fs:[off] (store: mov fs:[off], reg) */
static void x_fs_mov(xbuf *b, int store, int reg, int32_t off)
{
    xb1(b, 0x64);
    x_rm(b, 0, 1, store ? 0x89 : 0x8B, 1, reg, (xmem){-1, -1, 1, off}, 0);
}

/* A trap left the trampoline's frame at rsp: ex->sp and ex->depth back to
 * what they were at the entry (rax, the status, is kept; rcx = ex). A
 * stub's frame (prev = JF_PREV_STUB) goes on at the label whose jump this
 * returns instead: its end writes those (the stub leaves them unset). */
static size_t trap_restore(xbuf *b)
{
    x_load(b, 1, RCX, xm(RSP, JF_EX));
    x_alu_mi(b, 1, ALU_CMP, xm(RSP, JF_PREV), (int32_t)(intptr_t)JF_PREV_STUB);
    size_t j_stub = x_jcc32(b, CC_E);
    x_load(b, 0, RDX, xm(RSP, JF_SP0));
    x_store(b, 0, xm(RCX, offsetof(kp_exec, sp)), RDX);
    x_load(b, 0, RDX, xm(RSP, JF_DEPTH0));
    x_store(b, 0, xm(RCX, offsetof(kp_exec, depth)), RDX);
    return j_stub;
}

_Static_assert(offsetof(jit_frame, ex) == JF_EX &&
                   offsetof(jit_frame, ret) == JF_RET && offsetof(jit_frame, prev) == JF_PREV &&
                   offsetof(jit_frame, fn) == JF_FN && offsetof(jit_frame, sp0) == JF_SP0 &&
                   offsetof(jit_frame, depth0) == JF_DEPTH0,
               "the trampoline's frame offsets");
_Static_assert(sizeof(jit_frame) <= JF_ROOM && JF_ROOM % 16 == 8,
               "the frame fits, and 6 pushes + JF_ROOM keep rsp 16-aligned");

static void gen_trampolines(void)
{
    xbuf bb = {0}, *b = &bb;
    jit_g.tls_frame_off = jit_tls_frame_offset();
    jit_g.tls_ready_off = jit_tls_ready_offset();
    /* enter(rdi = ex, rsi = fn, rdx = args, rcx = ret) is the engine's
     * call itself (kp_engine_ops.call), so that a host -> plugin call
     * builds no C frame of its own: it checks the function (else, and on
     * a thread not set up yet, jit_call_slow), builds the jit_frame as
     * its own frame's bottom (rsp = its address: the signal stub, resumed
     * there, calls below it), links it into jit_tls_frame_
     * and unlinks it on return (on a trap: unwind(), jit_sig_continue()). */
    size_t o_enter = b->n;
    x_load(b, 1, RAX, xm(RSI, offsetof(kp_fn, code)));
    x_test_rr(b, 1, RAX, RAX);
    size_t j_slow1 = x_jcc32(b, CC_E);
    x_mov_ri(b, 1, R8, JIT_FN_MAGIC);
    x_alu_rm(b, 1, ALU_CMP, R8, xm(RAX, offsetof(jit_fn, magic)));
    size_t j_slow2 = x_jcc32(b, CC_NE);
    xb1(b, 0x64);
    x_rm(b, 0, 0, 0x8B, 1, R8, (xmem){-1, -1, 1, jit_g.tls_ready_off}, 0);
    x_test_rr(b, 0, R8, R8);
    size_t j_slow3 = x_jcc32(b, CC_E);
    x_push(b, RBX);
    x_push(b, RBP);
    x_push(b, R12);
    x_push(b, R13);
    x_push(b, R14);
    x_push(b, R15);
    x_alu_ri(b, 1, ALU_SUB, RSP, JF_ROOM);
    x_mov_rr(b, 1, RBX, RSP);
    size_t o_cfi = b->n;
    x_store(b, 1, xm(RBX, JF_EX), RDI);
    x_store(b, 1, xm(RBX, JF_RET), RCX);
    x_store(b, 1, xm(RBX, JF_FN), RSI);
    x_load(b, 0, R8, xm(RDI, offsetof(kp_exec, sp)));
    x_store(b, 0, xm(RBX, JF_SP0), R8);
    x_load(b, 0, R8, xm(RDI, offsetof(kp_exec, depth)));
    x_store(b, 0, xm(RBX, JF_DEPTH0), R8);
    x_fs_mov(b, 0, R8, jit_g.tls_frame_off);
    x_store(b, 1, xm(RBX, JF_PREV), R8);
    x_fs_mov(b, 1, RBX, jit_g.tls_frame_off);
    x_mov_rr(b, 1, R14, RDI);
    x_load(b, 1, R15, xm(R14, offsetof(kp_exec, mem)));
    /* the poll countdown lives in r13 while JIT code runs (emit.c) */
    x_load(b, 0, R13, xm(R14, offsetof(kp_exec, poll_countdown)));
    x_rm(b, 0, 0, 0x0FB6, 2, RCX, xm(RSI, offsetof(kp_fn, sig.nparams)), 0);
    x_load(b, 1, RSI, xm(RAX, offsetof(jit_fn, entry)));
    /* outgoing area: 8 * max(nargs, 1), 16-aligned */
    x_mov_rr(b, 1, RAX, RCX);
    x_shift_i(b, 1, 4, RAX, 3);
    x_alu_ri(b, 1, ALU_ADD, RAX, 15 + 8);
    x_alu_ri(b, 1, ALU_AND, RAX, -16);
    x_alu_rr(b, 1, ALU_SUB, RSP, RAX);
    x_test_rr(b, 1, RCX, RCX);
    size_t jz = x_jcc32(b, CC_E);
    x_rr(b, 0, 0, 0x31, 1, RAX, RAX);
    size_t loop = b->n;
    x_load(b, 1, R8, (xmem){RDX, RAX, 8, 0});
    x_store(b, 1, (xmem){RSP, RAX, 8, 0}, R8);
    x_alu_ri(b, 1, ALU_ADD, RAX, 1);
    x_alu_rr(b, 1, ALU_CMP, RAX, RCX);
    x_bind(b, x_jcc32(b, CC_B), loop);
    x_bind(b, jz, b->n);
    x_call_r(b, RSI);
    /* the result: xmm0 for float and double, else rax */
    x_load(b, 1, RCX, xm(RBX, JF_RET));
    x_test_rr(b, 1, RCX, RCX);
    size_t j_noret = x_jcc32(b, CC_E);
    x_load(b, 1, RDX, xm(RBX, JF_FN));
    x_rm(b, 0, 0, 0x0FB6, 2, RDX, xm(RDX, offsetof(kp_fn, sig.ret)), 0);
    x_alu_ri(b, 0, ALU_SUB, RDX, IR_F32);
    x_alu_ri(b, 0, ALU_CMP, RDX, IR_F64 - IR_F32);
    size_t j_int = x_jcc32(b, CC_A);
    x_fstore(b, 1, xm(RCX, 0), 0);
    size_t j_done = x_jmp32(b);
    x_bind(b, j_int, b->n);
    x_store(b, 1, xm(RCX, 0), RAX);
    x_bind(b, j_done, b->n);
    x_bind(b, j_noret, b->n);
    x_load(b, 1, RDX, xm(RBX, JF_EX));
    x_store(b, 0, xm(RDX, offsetof(kp_exec, poll_countdown)), R13);
    x_load(b, 1, RAX, xm(RBX, JF_PREV));
    x_fs_mov(b, 1, RAX, jit_g.tls_frame_off);
    x_rr(b, 0, 0, 0x31, 1, RAX, RAX);
    x_mov_rr(b, 1, RSP, RBX);
    epilogue_restore(b);
    /* not compiled by this engine, or the thread not set up: in C, which
     * comes back here once the thread is */
    x_bind(b, j_slow1, b->n);
    x_bind(b, j_slow2, b->n);
    x_bind(b, j_slow3, b->n);
    x_mov_ri(b, 1, RAX, (uint64_t)(uintptr_t)jit_call_slow);
    x_jmp_r(b, RAX);
    size_t o_enter_end = b->n;
    /* unwind(rdi = jit_frame *, esi = status) */
    while (b->n % 16)
        xb1(b, 0xCC);
    size_t o_unwind = b->n;
    x_mov_rr(b, 1, RSP, RDI);
    x_mov_rr(b, 0, RAX, RSI);
    size_t j_stub1 = trap_restore(b);
    epilogue_restore(b);
    /* signal stub: rsp = rdi = jit_frame * */
    while (b->n % 16)
        xb1(b, 0xCC);
    size_t o_sig = b->n;
    x_call_abs(b, (const void *)jit_sig_continue);
    size_t j_stub2 = trap_restore(b);
    epilogue_restore(b);
    /* a stub's frame: the host's registers back, then, with the host's
     * return address on the stack, prep_end(ex - prep_ex_off, status, 0,
     * NULL) returns the call's result to the host */
    x_bind(b, j_stub1, b->n);
    x_bind(b, j_stub2, b->n);
    x_mov_rr(b, 0, RSI, RAX);
    x_mov_ri(b, 1, RAX, (uint64_t)(uintptr_t)&jit_g.prep_ex_off);
    x_load(b, 0, RAX, xm(RAX, 0));
    x_mov_rr(b, 1, RDI, RCX);
    x_alu_rr(b, 1, ALU_SUB, RDI, RAX);
    x_rr(b, 0, 0, 0x31, 1, RDX, RDX);
    x_rr(b, 0, 0, 0x31, 1, RCX, RCX);
    x_mov_ri(b, 1, RAX, (uint64_t)(uintptr_t)&jit_g.prep_end);
    x_load(b, 1, RAX, xm(RAX, 0));
    frame_pop(b);
    x_jmp_r(b, RAX);
    /* poll thunk: keeps every allocatable register */
    while (b->n % 16)
        xb1(b, 0xCC);
    size_t o_poll = b->n;
    static const int saved[6] = {RSI, RDI, R8, R9, R10, R11};
    for (int i = 0; i < 6; i++)
        x_push(b, saved[i]);
    x_alu_ri(b, 1, ALU_SUB, RSP, 120);
    for (int i = 0; i < 14; i++)
        x_fstore(b, 1, xm(RSP, 8 * i), i);
    x_mov_rr(b, 1, RDI, R14);
    x_store(b, 0, xm(R14, offsetof(kp_exec, poll_countdown)), R13);
    x_call_abs(b, (const void *)kp_exec_poll_slow);
    x_load(b, 0, R13, xm(R14, offsetof(kp_exec, poll_countdown)));
    for (int i = 0; i < 14; i++)
        x_fload(b, 1, i, xm(RSP, 8 * i));
    x_alu_ri(b, 1, ALU_ADD, RSP, 120);
    for (int i = 6; i-- > 0;)
        x_pop(b, saved[i]);
    x_ret(b);

    if (b->nomem) {
        free(b->p);
        return;
    }
    size_t got = 0;
    uint8_t *code = jit_code_alloc(b->n, &got);
    if (!code) {
        free(b->p);
        return;
    }
    memcpy(code, b->p, b->n);
    free(b->p);
    if (jit_code_seal(code, got) != 0) {
        jit_code_free(code, got);
        return;
    }
    jit_g.enter = code + o_enter;
    jit_g.unwind = code + o_unwind;
    jit_g.sigstub = code + o_sig;
    jit_g.poll_thunk = code + o_poll;
    jit_g.tls_limit_off = jit_tls_limit_offset();
    jit_g.enter_len = (uint32_t)(o_enter_end - o_enter);
    jit_g.enter_cfi_off = (uint32_t)(o_cfi - o_enter);
    if (jit_signals_init() != 0)
        return;
    jit_g.ok = 1;
    jit_gdb_trampolines();
}

int jit_init(void)
{
    pthread_once(&init_once, gen_trampolines);
    return jit_g.ok ? 0 : -1;
}

/* ---- helpers called from generated code ---- */

static __attribute__((noreturn)) void unwind(kp_exec *ex, int status)
{
    jit_frame *jf = jit_tls_frame();
    if (ex->trap_code)
        status = ex->trap_code;
    if (!status)
        status = KP_TRAP_BAD_CALL;
    jit_tls_set_frame(jit_frame_prev(jf));
    ((unwind_fn)jit_g.unwind)(jf, status);
}

void jit_h_trap(kp_exec *ex, const kp_fn *fn, uint32_t line, uint32_t col, int status)
{
    kp_exec_locate(ex, fn, line, col);
    unwind(ex, status);
}

void jit_h_entry_trap(kp_exec *ex, const kp_fn *fn, int what)
{
    if (what == 0)
        kp_exec_trap(ex, KP_TRAP_STACK, "call depth limit (%u) exceeded", ex->max_depth);
    else if (what == 1)
        kp_exec_trap(ex, KP_TRAP_STACK, "plugin stack exhausted");
    else
        kp_exec_trap(ex, KP_TRAP_STACK, "native stack exhausted");
    kp_exec_locate(ex, fn, fn->ir ? fn->ir->line : 0, 0);
    unwind(ex, KP_TRAP_STACK);
}

void jit_h_unlinked(kp_exec *ex, const kp_slot *slot, const kp_fn *fn, uint32_t line,
                    uint32_t col)
{
    kp_exec_trap(ex, KP_TRAP_UNLINKED, "call to unlinked function '%s'",
                 slot->name ? slot->name : "?");
    kp_exec_locate(ex, fn, line, col);
    unwind(ex, KP_TRAP_UNLINKED);
}

kp_fn *jit_h_handle(kp_exec *ex, uint32_t h)
{
    int code = KP_TRAP_BAD_CALL;
    kp_fn *c = kp_rt_handle_fn(ex->rt, h, &code);
    if (!c) {
        if (code == KP_TRAP_UNLINKED)
            kp_exec_trap(ex, KP_TRAP_UNLINKED,
                         "call through a function pointer to an unlinked function");
        else
            kp_exec_trap(ex, KP_TRAP_BAD_CALL, "call through an invalid function pointer (0x%x)",
                         h);
    }
    return c;
}

int jit_h_generic(kp_exec *ex, kp_fn *callee, const jit_callsite *site, uint64_t *args)
{
    if (!ir_sig_equal(&callee->sig, site->want))
        return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "prototype mismatch calling '%s'",
                            callee->name ? callee->name : "?");
    uint64_t rv = 0;
    int rc;
    ex->caller = site->caller;
    if (callee->kind == KP_FN_BUILTIN)
        rc = kp_rt_call_builtin(ex, callee, args, site->types, site->nargs, &rv);
    else
        rc = kp_rt_invoke(ex, callee, args, site->types, site->nargs, &rv);
    args[0] = rv;
    return rc;
}

int jit_h_builtin(kp_exec *ex, kp_fn *callee, const jit_callsite *site, uint64_t *args)
{
    uint64_t rv = 0;
    ex->caller = site->caller;
    int rc = kp_rt_call_builtin(ex, callee, args, site->types, site->nargs, &rv);
    args[0] = rv;
    return rc;
}

int jit_h_rtlib(kp_exec *ex, int id, uint64_t *args, const kp_fn *caller)
{
    uint64_t rv = 0;
    ex->caller = caller;
    int rc = kp_rt_rtlib(ex, id, args, &rv);
    args[0] = rv;
    return rc;
}

static int memfault(kp_exec *ex, int is_write, uint32_t size, int64_t a)
{
    if (a < 0)
        return kp_exec_trap(ex, KP_TRAP_MEMORY, "invalid memory %s of %u bytes at -0x%llx",
                            is_write ? "write" : "read", size, (unsigned long long)-a);
    return kp_exec_trap(ex, KP_TRAP_MEMORY, "invalid memory %s of %u bytes at 0x%08llx",
                        is_write ? "write" : "read", size, (unsigned long long)a);
}

int jit_h_copy(kp_exec *ex, uint32_t dst, uint32_t src, uint32_t n)
{
    if (!kp_exec_mem_ok(ex, src, 0, n))
        return memfault(ex, 0, n, src);
    if (!kp_exec_mem_ok(ex, dst, 0, n))
        return memfault(ex, 1, n, dst);
    memmove(ex->mem + dst, ex->mem + src, n);
    return 0;
}

int jit_h_zero(kp_exec *ex, uint32_t dst, uint32_t n)
{
    if (!kp_exec_mem_ok(ex, dst, 0, n))
        return memfault(ex, 1, n, dst);
    memset(ex->mem + dst, 0, n);
    return 0;
}

uint64_t jit_sig_continue(jit_frame *jf)
{
    kp_exec *ex = jf->ex;
    /* the fault hit JIT code, where r13 is the poll countdown */
    ex->poll_countdown = (uint32_t)jf->regs[R13];
    jit_module *jm = jit_registry_find((uintptr_t)jf->fault_pc);
    const jit_pcmap *pm = NULL;
    uint32_t off = 0;
    if (jm) {
        off = (uint32_t)((uintptr_t)jf->fault_pc - (uintptr_t)jm->code);
        uint32_t lo = 0, hi = jm->npc;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (jm->pcmap[mid].off < off)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < jm->npc && jm->pcmap[lo].off == off)
            pm = &jm->pcmap[lo];
    }
    if (pm && pm->cdreg >= 0) /* a counted loop: r13 holds its strip (emit.c) */
        ex->poll_countdown = (uint32_t)jf->regs[R13] + (uint32_t)(jf->regs[R13] >> 32) -
                             (uint32_t)jf->regs[pm->cdreg] + pm->cdbias;
    else if (pm) /* inside an unrolled loop r13 runs ahead of the count (emit.c) */
        ex->poll_countdown += pm->cdbias;
    if (pm && (pm->kind == JIT_PC_READ || pm->kind == JIT_PC_WRITE)) {
        int64_t a = pm->disp;
        if (pm->areg >= 0)
            a += (int64_t)(uint32_t)jf->regs[pm->areg];
        memfault(ex, pm->kind == JIT_PC_WRITE, pm->size, a);
    } else if (pm && pm->kind == JIT_PC_RTLIB) {
        /* an inlined memcpy/memmove/memset faulted: the library function,
         * given the same arguments, finds the same bad range and records
         * the same trap before touching anything */
        uint64_t args[3] = {(uint32_t)jf->regs[pm->areg],
                            pm->dreg >= 0 ? (uint32_t)jf->regs[pm->dreg] : 0, pm->size};
        int bad = !kp_exec_mem_ok(ex, (uint32_t)args[0], 0, pm->size) ||
                  (pm->dreg >= 0 && !kp_exec_mem_ok(ex, (uint32_t)args[1], 0, pm->size));
        if (!bad || jit_h_rtlib(ex, pm->disp, args, &jm->kmod->fns[pm->fn]) == 0)
            kp_exec_trap(ex, KP_TRAP_MEMORY, "invalid memory access in generated code");
    } else if (pm && pm->kind == JIT_PC_DIV) {
        uint64_t d = jf->regs[pm->dreg];
        if (pm->size == 4)
            d = (uint32_t)d;
        if (d == 0)
            kp_exec_trap(ex, KP_TRAP_DIV, "integer division by zero");
        else
            kp_exec_trap(ex, KP_TRAP_DIV, "integer overflow in division (minimum / -1)");
    } else if (jf->sig == SIGFPE) {
        kp_exec_trap(ex, KP_TRAP_DIV, "arithmetic fault in generated code");
    } else {
        kp_exec_trap(ex, KP_TRAP_MEMORY, "invalid memory access in generated code");
    }
    if (jm) {
        if (pm) {
            kp_exec_locate(ex, &jm->kmod->fns[pm->fn], pm->line, pm->col);
        } else {
            for (uint32_t i = 0; i < jm->nfns; i++)
                if (off >= jm->fns[i].code_off && off < jm->fns[i].code_off + jm->fns[i].code_len) {
                    kp_exec_locate(ex, &jm->kmod->fns[i], jm->kmod->fns[i].ir ? jm->kmod->fns[i].ir->line : 0, 0);
                    break;
                }
        }
    }
    jit_tls_set_frame(jit_frame_prev(jf)); /* the stub returns from the trampoline */
    return (uint64_t)(uint32_t)(ex->trap_code ? ex->trap_code : KP_TRAP_MEMORY);
}

/* ---- profilers ---- */

/* Opt-in (environment KPLUG_PERF_MAP=1): append "start size plugin:function"
 * lines to /tmp/perf-PID.map so that `perf report` names generated code. */
static pthread_mutex_t perf_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t perf_once = PTHREAD_ONCE_INIT;
static int perf_on;

/* read once, as KPLUG_GDB is: getenv walks the environment, per add */
static void perf_init(void)
{
    const char *on = getenv("KPLUG_PERF_MAP");
    perf_on = on && *on && *on != '0';
}

static void perf_map(const jit_module *jm)
{
    pthread_once(&perf_once, perf_init);
    if (!perf_on)
        return;
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    pthread_mutex_lock(&perf_lock);
    FILE *fp = fopen(path, "a");
    if (fp) {
        for (uint32_t i = 0; i < jm->nfns; i++)
            fprintf(fp, "%lx %x %s:%s\n", (unsigned long)(uintptr_t)jm->fns[i].entry,
                    jm->fns[i].code_len, jm->kmod->name ? jm->kmod->name : "?",
                    jm->kmod->fns[i].name ? jm->kmod->fns[i].name : "?");
        fclose(fp);
    }
    pthread_mutex_unlock(&perf_lock);
}

/* ---- the engine ---- */

static void jm_free(jit_module *jm)
{
    if (!jm)
        return;
    if (jm->code)
        jit_code_free(jm->code, jm->code_size);
    free(jm->pcmap); /* fns, sites and types are in jm's block */
    if (jm->dbg_ir)
        for (uint32_t i = 0; i < jm->nfns; i++)
            jit_opt_free(jm->dbg_ir[i]);
    free(jm->dbg_ir);
    free(jm->dbg);
    free(jm);
}

void jit_debug_keep(int on) { jit_g.keep_debug = on; }
void jit_set_polling(int on) { jit_g.no_poll = !on; }
void jit_set_loop_forms(int on) { jit_g.plain_loops = !on; }

static kp_modx *modx_of(kp_runtime *rt, const char *name)
{
    for (kp_modx *x = rt->modules; x; x = x->next)
        if (x->m.name && name && !strcmp(x->m.name, name))
            return x;
    return NULL;
}

const ir_module *jit_module_ir(kp_runtime *rt, const char *name)
{
    kp_modx *x = modx_of(rt, name);
    return x ? x->m.ir : NULL;
}

const jit_module *jit_module_of(kp_runtime *rt, const char *name)
{
    for (kp_modx *x = rt->modules; x; x = x->next)
        if (x->m.name && name && !strcmp(x->m.name, name) && x->m.engine_data &&
            *(const kp_engine_ops *const *)x->m.engine_data == &kp_jit_engine)
            return x->m.engine_data;
    return NULL;
}

static int jit_load(kp_module *mod, char *err, size_t errsize)
{
    if (jit_init() != 0) {
        snprintf(err, errsize, "the JIT could not initialise (code memory or signal handlers)");
        return KP_ERR_NOMEM;
    }
    const ir_module *m = mod->ir;
    jit_module *jm = NULL;
    /* call sites: CALLI/CALLP in emission order */
    size_t nsites = 0, ntypes = 0;
    uint32_t fi0 = m->nfuncs; /* the first function with a site */
    for (uint32_t fi = 0; fi < m->nfuncs; fi++) {
        const ir_func *f = m->funcs[fi];
        for (uint32_t bi = 0; bi < f->nblocks; bi++)
            for (uint32_t i = 0; i < f->blocks[bi].ninsns; i++) {
                const ir_insn *in = &f->blocks[bi].insns[i];
                if (in->op == IR_CALLI || in->op == IR_CALLP) {
                    if (!nsites)
                        fi0 = fi;
                    nsites++;
                    ntypes += in->nargs;
                }
            }
    }
    /* the module, its functions, sites and argument types in one block
     * (jm_free frees jm only) */
    size_t nfa = m->nfuncs ? m->nfuncs : 1, nsa = nsites ? nsites : 1;
    jm = calloc(1, sizeof *jm + nfa * sizeof *jm->fns + nsa * sizeof *jm->sites +
                       (ntypes ? ntypes : 1));
    if (!jm)
        goto nomem;
    jm->ops = &kp_jit_engine;
    jm->kmod = mod;
    jm->nfns = m->nfuncs;
    jm->fns = (jit_fn *)(jm + 1);
    jm->sites = (jit_callsite *)(jm->fns + nfa);
    jm->types = (uint8_t *)(jm->sites + nsa);
    jm->nsites = (uint32_t)nsites;
    size_t si = 0, ti = 0;
    /* the walk again, only over the functions from the first site on and
     * up to the last (a plugin without built-in calls skips it) */
    for (uint32_t fi = fi0; fi < m->nfuncs && si < nsites; fi++) {
        const ir_func *f = m->funcs[fi];
        for (uint32_t bi = 0; bi < f->nblocks && si < nsites; bi++)
            for (uint32_t i = 0; i < f->blocks[bi].ninsns; i++) {
                const ir_insn *in = &f->blocks[bi].insns[i];
                if (in->op != IR_CALLI && in->op != IR_CALLP)
                    continue;
                jit_callsite *s = &jm->sites[si++];
                s->want = in->op == IR_CALLI ? &m->imports[in->imm].sig : in->sig;
                s->slot = in->op == IR_CALLI ? mod->imports[in->imm] : NULL;
                s->nargs = in->nargs;
                s->caller = &mod->fns[fi];
                s->types = jm->types + ti;
                for (uint32_t a = 0; a < in->nargs; a++)
                    jm->types[ti++] = f->reg_types[in->args[a]];
            }
    }
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        jm->fns[i].magic = JIT_FN_MAGIC;
        jm->fns[i].kfn = &mod->fns[i];
        jm->fns[i].jm = jm;
    }
    int rc = jit_emit_module(jm, err, errsize);
    if (rc) {
        jm_free(jm);
        return rc;
    }
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        mod->fns[i].code = &jm->fns[i];
        mod->fns[i].prep_entry =
            jm->fns[i].prep_off ? (const void *)(jm->code + jm->fns[i].prep_off) : jm->fns[i].entry;
    }
    mod->engine_data = jm;
    mod->code_bytes = jm->code_size + jm->npc * sizeof *jm->pcmap +
                      jm->nsites * sizeof *jm->sites + ntypes + jm->nfns * sizeof *jm->fns;
    jit_registry_add(jm);
    perf_map(jm);
    jit_gdb_register(jm);
    return KP_OK;
nomem:
    jm_free(jm);
    snprintf(err, errsize, "out of memory loading the plugin into the JIT");
    return KP_ERR_NOMEM;
}

static void jit_unload(kp_module *mod)
{
    jit_module *jm = mod->engine_data;
    if (!jm)
        return;
    jit_registry_remove(jm);
    jit_gdb_unregister(jm);
    for (uint32_t i = 0; i < mod->nfns; i++) {
        mod->fns[i].code = NULL;
        mod->fns[i].prep_entry = NULL;
    }
    mod->engine_data = NULL;
    jm_free(jm);
}

static int jit_call_slow(kp_exec *ex, kp_fn *fn, const uint64_t *args, uint64_t *ret)
{
    const jit_fn *jfn = fn->code;
    if (!jfn || jfn->magic != JIT_FN_MAGIC)
        return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "'%s' is not compiled by the JIT",
                            fn->name ? fn->name : "?");
    if (jit_thread_init() != 0)
        return kp_exec_trap(ex, KP_TRAP_STACK, "cannot set up a signal stack for this thread");
    return ((enter_fn)jit_g.enter)(ex, fn, args, ret);
}

/* The entry trampoline is the call (a sibling call: no frame here). */
static int jit_call(kp_exec *ex, kp_fn *fn, const uint64_t *args, uint64_t *ret)
{
    return ((enter_fn)jit_g.enter)(ex, fn, args, ret);
}

const kp_engine_ops kp_jit_engine = {"jit", jit_load, jit_unload, jit_call, jit_prepare,
                                     jit_unprepare};

#else /* no JIT on this host */

static int nojit_load(kp_module *mod, char *err, size_t errsize)
{
    (void)mod;
    snprintf(err, errsize, "the JIT engine is not available on this platform");
    return KP_ERR_ARG;
}
static void nojit_unload(kp_module *mod) { (void)mod; }
static int nojit_call(kp_exec *ex, kp_fn *fn, const uint64_t *args, uint64_t *ret)
{
    (void)fn; (void)args; (void)ret;
    return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "the JIT engine is not available");
}
const kp_engine_ops kp_jit_engine = {"jit", nojit_load, nojit_unload, nojit_call};
void jit_debug_keep(int on) { (void)on; }
void jit_set_polling(int on) { (void)on; }
void jit_set_loop_forms(int on) { (void)on; }
const jit_module *jit_module_of(kp_runtime *rt, const char *name)
{
    (void)rt, (void)name;
    return NULL;
}
const ir_module *jit_module_ir(kp_runtime *rt, const char *name)
{
    (void)rt, (void)name;
    return NULL;
}
#endif

/*
 * jit.h — the native engine's internal interface (see docs/jit.md).
 *
 *   x86_64/x64.h       the instruction encoder (inline helpers, no state)
 *   x86_64/codemem.c   code memory: one process-wide reservation, W^X chunks
 *   x86_64/regalloc.c  liveness and linear-scan register allocation
 *   x86_64/opt.c       local optimizations on a private copy of the IR
 *   x86_64/emit.c      instruction selection and emission of one module
 *   x86_64/engine.c    kp_jit_engine: load/unload/call, trampolines, helpers
 *   x86_64/trap.c      signal handlers: faults in generated code -> traps
 *
 * Register conventions of generated code (x86-64):
 *   r15  segment base (ex->mem)         r14  kp_exec *
 *   rax rcx rdx r11, xmm14 xmm15        scratch, never allocated
 *   rbx rbp r12 r13                     allocatable, preserved by callees
 *   rsi rdi r8 r9 r10, xmm0-13          allocatable, clobbered by calls
 * I32 values are always kept zero-extended in their 64-bit register, so a
 * register holding a plugin address is used directly as an index:
 * [r15 + reg + disp32].
 *
 * Internal call convention (plugin -> plugin): the caller stores argument i
 * as a 64-bit raw slot at [rsp + 8*i] and executes `call`; the callee finds
 * it at [rsp + 8 + 8*i] on entry. Results come back in rax (integers) or
 * xmm0 (floats). Callees preserve rbx rbp r12-r15. A trap never returns to
 * the caller: it unwinds straight to the entry trampoline.
 */
#ifndef KP_JIT_H
#define KP_JIT_H

#include <signal.h>
#include <stdint.h>

#include "../runtime/rt.h"

#if defined(__x86_64__) && defined(__linux__)
#define KP_JIT_AVAILABLE 1
#else
#define KP_JIT_AVAILABLE 0
#endif

extern const kp_engine_ops kp_jit_engine;

/* First word of every jit_fn: identifies functions of this engine through
 * kp_fn.code (not a canonical address, so no pointer equals it). */
#define JIT_FN_MAGIC 0x4755504c4b54494aull

typedef struct jit_module jit_module;

/* kp_fn.code of a function compiled by this engine. */
typedef struct jit_fn {
    uint64_t magic;          /* JIT_FN_MAGIC */
    void *entry;             /* machine code entry point */
    /* the prepared-call entry (emit.c, emit_prep_entry) and the register
     * entry for calls from the plugin itself (emit_reg_entry): chunk
     * offsets, 0 for none */
    uint32_t prep_off, reg_off;
    kp_fn *kfn;
    jit_module *jm;
    uint32_t code_off, code_len; /* inside jm's chunk */
    /* native frame, for debuggers' unwind tables (gdb.c): after the
     * prologue (at code_off + prologue_len) the return address is at
     * rsp + frame_bytes + 8*npush and pushed[i] at rsp + frame_bytes +
     * 8*(npush-1-i) */
    uint32_t frame_bytes;
    uint16_t prologue_len;
    uint8_t npush, pushed[4];
} jit_fn;

/* The prepared-call convention (stub.c calls, emit.c's prepared entry
 * receives): arguments in registers, integers and pointers in rsi, rdi,
 * r8, r9, r10, r11 (the allocator's first choices for values not live
 * across calls, so that most parameters need no move) and floats in
 * xmm0..xmm7, each class in order, already
 * at their width (32-bit values zero-extended). Fills reg[i] with the
 * register of argument i (a GPR number, or 16 + the xmm number) and
 * returns 1, or 0 if the prototype does not fit (such functions are
 * called with their arguments on the stack, as by every other caller). */
static inline int jit_prep_regs(const uint8_t *types, int n, int8_t *reg)
{
    static const int8_t gpr[6] = {6, 7, 8, 9, 10, 11}; /* rsi rdi r8 r9 r10 r11 */
    int ni = 0, nx = 0;
    for (int i = 0; i < n; i++) {
        if (types[i] == IR_F32 || types[i] == IR_F64) {
            if (nx == 8)
                return 0;
            reg[i] = (int8_t)(16 + nx++);
        } else {
            if (ni == 6)
                return 0;
            reg[i] = gpr[ni++];
        }
    }
    return 1;
}

/* What a faulting instruction was (pc map entry, sorted by off). */
/* JIT_PC_RTLIB: an inlined memcpy/memmove/memset (emit.c, jit_mem_inline):
 * areg holds the destination, dreg the source (-1 for memset), size is the
 * byte count and disp the ir_rtlib id. */
enum { JIT_PC_READ = 1, JIT_PC_WRITE = 2, JIT_PC_DIV = 3, JIT_PC_RTLIB = 4 };
typedef struct jit_pcmap {
    uint32_t off;            /* instruction start, relative to the chunk */
    uint32_t fn;             /* function index */
    uint32_t line, col;
    uint8_t kind;            /* JIT_PC_* */
    uint8_t size;            /* memory access size */
    int8_t areg;             /* native register holding the address, -1 none */
    int8_t dreg;             /* divisor register (JIT_PC_DIV) */
    int32_t disp;            /* address = zext32(areg) + disp (areg -1: disp) */
    uint32_t cdbias;         /* poll countdown = r13 + cdbias here (unrolled loops) */
    int8_t cdreg;            /* >= 0: a counted loop's induction register; the
                                countdown is then low32(r13) + high32(r13)
                                - cdreg + cdbias (emit.c, emit_counted) */
} jit_pcmap;

/* A CALLI/CALLP site: what the slow path needs. */
typedef struct jit_callsite {
    const ir_sig *want;      /* prototype the caller expects */
    const uint8_t *types;    /* ir_type of each argument */
    uint32_t nargs;
    kp_slot *slot;           /* CALLI: the import's slot */
    const kp_fn *caller;     /* the function containing the call */
} jit_callsite;

struct jit_module {
    const kp_engine_ops *ops;   /* first member, &kp_jit_engine */
    kp_module *kmod;
    uint8_t *code;              /* the chunk (read+exec once loaded) */
    size_t code_size;           /* bytes reserved for the chunk */
    uint32_t nfns;
    jit_fn *fns;
    jit_pcmap *pcmap;
    uint32_t npc;
    jit_callsite *sites;
    uint32_t nsites;
    uint8_t *types;             /* storage for sites[].types */
    jit_module *next, *prev;    /* registry of loaded modules (trap lookup) */
    /* Kept only when jit_debug_keep(1) was called before load (tools):
     * the IR each function was compiled from (the JIT's optimized copy)
     * and which instruction every piece of machine code came from. */
    ir_func **dbg_ir;           /* per function, NULL if not kept */
    struct jit_dbgline *dbg;    /* sorted by off */
    uint32_t ndbg;
    void *gdb_entry;            /* GDB JIT interface registration (gdb.c) */
};

/* Machine code from dbg.off up to the next entry's off was emitted for
 * instruction `insn` of block `block` of function `fn` (block -1: the
 * prologue; -2: out-of-line stubs; -3: the poll pad of loop header block
 * `insn`; -4: the prepared-call entry; -5: the register entry). */
typedef struct jit_dbgline {
    uint32_t off;
    uint32_t fn;
    int32_t block;
    uint32_t insn;
} jit_dbgline;

/* Per-activation record of the entry trampoline (host -> plugin call). */
/* Lives in the entry trampoline's own stack frame (it links and unlinks
 * it in jit_tls_frame_), so that a host -> plugin call builds no second
 * frame in C. Its address is the trampoline's rsp after the frame is
 * made: a trap's unwind resumes there. */
typedef struct jit_frame {
    kp_exec *ex;
    uint64_t *ret;              /* the caller's result, or NULL */
    struct jit_frame *prev;     /* enclosing activation on this thread */
    const kp_fn *fn;            /* the function called */
    uint32_t sp0, depth0;       /* ex->sp and ex->depth, restored on a trap */
    /* filled by the signal handler */
    int sig;
    uint64_t fault_pc, fault_addr;
    uint64_t regs[16];          /* rax..r15 at the fault */
} jit_frame;

/* jit_frame.prev of a prepared call's stub frame (stub.c): no enclosing
 * frame (the stub runs only outside any call), and a trap ends in the
 * stub's C end (jit_g.prep_end) instead of returning to the host. */
#define JF_PREV_STUB ((jit_frame *)1)

static inline jit_frame *jit_frame_prev(const jit_frame *jf)
{
    return jf->prev == JF_PREV_STUB ? NULL : jf->prev;
}

/* Offsets the trampolines use. */
#define JF_EX 0
#define JF_RET 8
#define JF_PREV 16
#define JF_FN 24
#define JF_SP0 32
#define JF_DEPTH0 36
/* Bytes the entry trampoline reserves below its 6 pushes: the frame, and
 * 16-byte alignment of the stack at the call of the plugin function. */
#define JF_ROOM 216

/* ---- codemem.c ---- */
/* A chunk of at least size bytes, readable+writable (not executable).
 * The caller writes at most size bytes of it (*got is the chunk's size,
 * for seal and free): a reused chunk's next user overwrites the old
 * code with int3 only that far. */
uint8_t *jit_code_alloc(size_t size, size_t *got);
/* Make a chunk read+exec (never writable again). 0 on success. */
int jit_code_seal(uint8_t *p, size_t size);
void jit_code_free(uint8_t *p, size_t size);
/* Is pc inside any code chunk? Async-signal-safe. */
int jit_code_contains(uintptr_t pc);

/* ---- regalloc.c ---- */
enum { JL_NONE = 0, JL_REG = 1, JL_SPILL = 2, JL_CONST = 3 };
typedef struct jit_loc {
    uint8_t kind;            /* JL_* */
    uint8_t reg;             /* native GP or XMM number */
    uint8_t saved;           /* JL_REG in a clobbered register, live across
                                a call: saved to `slot` around calls */
    uint32_t slot;           /* spill (or save) slot index */
    uint64_t k;              /* JL_CONST: the raw value */
} jit_loc;

typedef struct jit_ra {
    jit_loc *loc;            /* per IR register */
    uint32_t nslots;         /* spill slots (8 bytes each) */
    uint32_t used_callee;    /* bitmask of callee-saved GP regs used */
    uint32_t *uses;          /* use count per IR register */
    int64_t *s, *e;          /* live interval per IR register (e < 0: none) */
    ir_reg *saved;           /* the registers with loc.saved set */
    uint32_t nsaved;
    ir_reg *undef;           /* non-parameters that may be read before any
                                definition: zeroed at entry (isolation) */
    uint32_t nundef;
    kp_arena mem;            /* holds all of the above; jit_ra_free frees it */
} jit_ra;

/* Allocate registers for f. Constants (single definition by CONST/GADDR/
 * FADDR) are resolved with kmod. Returns 0, or a KP_ERR_* code with err. */
int jit_regalloc(const ir_func *f, const kp_module *kmod, jit_ra *ra, char *err,
                 size_t errsize);
void jit_ra_free(jit_ra *ra);

/* Which registers an instruction reads (up to 3 + args): fills out[],
 * returns the count; *def gets the register written (0 none). Inline: the
 * optimizer and the allocator ask it for every instruction several times
 * per compile, and a call cost more than the answer. */
enum { JIT_RD_A = 1, JIT_RD_B = 2, JIT_RD_ARGS = 4, JIT_WR_DST = 8 };

static inline unsigned jit_op_shape(unsigned op)
{
    /* gcc turns this switch into a table lookup */
    switch (op) {
    case IR_CONST: case IR_FRAME: case IR_GADDR: case IR_FADDR:
        return JIT_WR_DST;
    case IR_STORE: case IR_COPY:
        return JIT_RD_A | JIT_RD_B;
    case IR_ZERO: case IR_BR: case IR_SWITCH: case IR_RET:
        return JIT_RD_A;
    case IR_JMP:
        return 0;
    case IR_CALLP:
        return JIT_RD_A | JIT_RD_ARGS | JIT_WR_DST;
    case IR_CALL: case IR_CALLI: case IR_CALLR:
        return JIT_RD_ARGS | JIT_WR_DST;
    case IR_MOV: case IR_NEG: case IR_NOT: case IR_LOAD:
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16:
    case IR_SEXT32: case IR_ZEXT32: case IR_TRUNC: case IR_SITOF: case IR_UITOF:
    case IR_FTOSI: case IR_FTOUI: case IR_FCVT: case IR_BITCAST:
        return JIT_RD_A | JIT_WR_DST;
    default: /* binary operations, comparisons, JIT_OP_ENTRY (a, b, dst 0) */
        return JIT_RD_A | JIT_RD_B | JIT_WR_DST;
    }
}

static inline uint32_t jit_insn_regs(const ir_insn *in, ir_reg *out, uint32_t cap, ir_reg *def)
{
    unsigned sh = jit_op_shape(in->op);
    uint32_t n = 0;
    if ((sh & JIT_RD_A) && in->a) {
        if (n < cap)
            out[n] = in->a;
        n++;
    }
    if ((sh & JIT_RD_B) && in->b) {
        if (n < cap)
            out[n] = in->b;
        n++;
    }
    if (sh & JIT_RD_ARGS)
        for (uint32_t i = 0; i < in->nargs; i++)
            if (in->args[i]) {
                if (n < cap)
                    out[n] = in->args[i];
                n++;
            }
    if (def)
        *def = (sh & JIT_WR_DST) ? in->dst : 0;
    return n;
}

/* ---- opt.c ---- */
/* A private copy of f (a function of m) with small leaf functions of m
 * inlined, local CSE and post-increment rewriting applied (NULL if out of
 * memory). Its reg_types is its own. */
ir_func *jit_opt_copy(const ir_module *m, const ir_func *f);
/* The JIT's one private IR operation, only in such copies: the entry
 * checks (call depth, poll) of function `imm` of the module, whose body
 * follows inline; line/col are the call's. */
#define JIT_OP_ENTRY (IR_NUM_OPS + 1)
void jit_opt_free(ir_func *c);

/* ---- emit.c ---- */
/* Emit code for every function of mod into jm (allocates jm->code etc.). */
int jit_emit_module(jit_module *jm, char *err, size_t errsize);
/* The byte count n of a COPY/ZERO, or of a memcpy/memmove/memset call with
 * a constant count, when the emitter expands it inline (n = 0, 1, 2, 4, 8,
 * 16: one load and one store at most, no call); -1 otherwise. loc: the
 * allocator's constants. Such instructions clobber no allocatable
 * register, so the allocator does not count them as calls. */
int jit_mem_inline(const ir_insn *in, const jit_loc *loc);

/* ---- engine.c: what generated code calls ---- */
typedef struct jit_globals {
    void *enter;          /* kp_engine_ops.call: int enter(kp_exec *, kp_fn *,
                             const uint64_t *args, uint64_t *ret) */
    void *unwind;         /* void unwind(jit_frame *, int status) */
    void *sigstub;        /* resumed into by the signal handler (rdi = jit_frame *) */
    void *poll_thunk;     /* saves clobbered registers, kp_exec_poll_slow(r14) */
    int32_t tls_limit_off;/* fs-relative offset of the native stack limit */
    int32_t tls_frame_off;/* fs-relative offset of jit_tls_frame_ */
    int32_t tls_ready_off;/* ... of jit_tls_ready_ */
    int ok;
    int keep_debug;       /* jit_debug_keep */
    int no_poll;          /* jit_set_polling(0): benchmarking only */
    int plain_loops;      /* jit_set_loop_forms(0): benchmarking only */
    unsigned long counted_loops; /* loops emitted in the counted form (tests) */
    uint32_t enter_len;   /* bytes of the entry trampoline (gdb.c) */
    uint32_t enter_cfi_off; /* from there on rbx = jit_frame * (gdb.c) */
    /* where a trap through a stub frame ends: int end(p, status, 0, NULL)
     * with p = the frame's exec - prep_ex_off (kp_prep_desc; the same for
     * every stub, set by the first jit_prepare) */
    const void *_Atomic prep_end;
    _Atomic uint32_t prep_ex_off;
} jit_globals;
extern jit_globals jit_g;
int jit_init(void);
/* ---- stub.c: prepared-call entry stubs (kp_engine_ops.prepare) ---- */
void *jit_prepare(const kp_prep_desc *d, size_t *size);
void jit_unprepare(void *stub, size_t size);

/* C helpers (called from generated code; those returning int return 0 or a
 * trap code already recorded). */
void jit_h_trap(kp_exec *ex, const kp_fn *fn, uint32_t line, uint32_t col, int status)
    __attribute__((noreturn));
void jit_h_entry_trap(kp_exec *ex, const kp_fn *fn, int what) __attribute__((noreturn));
void jit_h_unlinked(kp_exec *ex, const kp_slot *slot, const kp_fn *fn, uint32_t line,
                    uint32_t col) __attribute__((noreturn));
int jit_h_generic(kp_exec *ex, kp_fn *callee, const jit_callsite *site, uint64_t *args);
/* A built-in whose prototype generated code has already compared with the
 * call's: jit_h_generic without the check. */
int jit_h_builtin(kp_exec *ex, kp_fn *callee, const jit_callsite *site, uint64_t *args);
kp_fn *jit_h_handle(kp_exec *ex, uint32_t handle);
int jit_h_rtlib(kp_exec *ex, int id, uint64_t *args, const kp_fn *caller);
int jit_h_copy(kp_exec *ex, uint32_t dst, uint32_t src, uint32_t n);
int jit_h_zero(kp_exec *ex, uint32_t dst, uint32_t n);
uint64_t jit_sig_continue(jit_frame *jf);

/* ---- trap.c ---- */
int jit_signals_init(void);       /* once per process */
int32_t jit_tls_limit_offset(void); /* fs-relative offset of the native stack limit */
int32_t jit_tls_frame_offset(void);  /* ... of jit_tls_frame_ */
int32_t jit_tls_ready_offset(void);  /* ... of jit_tls_ready_ */
/* The thread's innermost JIT activation and whether the thread is set up:
 * initial-exec TLS, read inline on every host -> plugin call. */
extern __thread jit_frame *jit_tls_frame_ __attribute__((tls_model("initial-exec")));
extern __thread int jit_tls_ready_ __attribute__((tls_model("initial-exec")));
int jit_thread_init_slow(void);   /* alternate signal stack, limits */
/* Once per thread before entering generated code. 0 on success. */
static inline int jit_thread_init(void)
{
    return __builtin_expect(jit_tls_ready_, 1) ? 0 : jit_thread_init_slow();
}
static inline jit_frame *jit_tls_frame(void) { return jit_tls_frame_; }
static inline void jit_tls_set_frame(jit_frame *jf) { jit_tls_frame_ = jf; }
/* Find the module whose chunk holds pc (normal context, takes the lock). */
jit_module *jit_registry_find(uintptr_t pc);
void jit_registry_add(jit_module *jm);
void jit_registry_remove(jit_module *jm);

/* ---- for tools (kplug disasm); not part of the public API ---- */
/* Keep debug information (jit_module.dbg_ir, dbg) for modules loaded from
 * now on, process-wide. Costs memory and load time: off by default. */
void jit_debug_keep(int on);
/* Benchmarking only (bench/bench.c section 7), never for hosts: with
 * on = 0, modules loaded from now on (process-wide) contain no polls at
 * all -- neither at function entries nor at back-edges -- so deadlines,
 * interrupts and fuel budgets do nothing in them. The entry checks of call
 * depth and native/plugin stack stay. Read at load time; set it while no
 * other thread loads a module. Default on. */
void jit_set_polling(int on);
/* Benchmarking only (bench/bench.c section 3), never for hosts: with
 * on = 0, modules loaded from now on (process-wide) keep every loop in
 * its plain form -- a poll per iteration, no counted or unrolled loop --
 * which is the form of a loop that calls out. Semantics are unchanged.
 * Read at load time, like jit_set_polling. Default on. */
void jit_set_loop_forms(int on);
/* The JIT module of plugin `name` in rt (NULL if absent or not compiled by
 * the JIT). The caller must not link or unlink concurrently. */
const jit_module *jit_module_of(kp_runtime *rt, const char *name);
/* The IR of plugin `name` in rt, whatever the engine (NULL if absent). */
const ir_module *jit_module_ir(kp_runtime *rt, const char *name);

/* ---- gdb.c: GDB's JIT interface (opt-in, KPLUG_GDB=1) ---- */
void jit_gdb_register(jit_module *jm);
void jit_gdb_unregister(jit_module *jm);
void jit_gdb_trampolines(void); /* once, when they are generated */
/* A prepared call's stub (stub.c): its frame is the host's six registers
 * pushed at push_at (offsets in the stub, each push 1-2 bytes), rsp
 * lowered by room at frame_at (room + 56 above rsp is the CFA), raised
 * at unframe_at and the six popped at pop_at[0..5]. */
typedef struct jit_stub_cfi {
    uint32_t push_end[6];    /* just after each push */
    uint32_t frame_at;       /* just after sub rsp, room */
    uint32_t unframe_at;     /* just after add rsp, room */
    uint32_t pop_end[6];     /* just after each pop */
    int32_t room;
} jit_stub_cfi;
void jit_gdb_stub_register(const void *code, size_t len, const jit_stub_cfi *cfi);
void jit_gdb_stub_unregister(const void *code);

#endif /* KP_JIT_H */

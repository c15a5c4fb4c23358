/*
 * interp_vm.c — the dispatch loop of the portable engine.
 *
 * Plugin-to-plugin calls never recurse on the native stack: frames of
 * register slots are pushed on a per-thread value stack, reused across
 * calls so that a call costs no allocation in steady state. Each frame is
 * preceded by a header of VM_HDR slots saying where to return:
 *
 *     R[-1]  the caller's pc (after its call instruction)
 *     R[-2]  the caller's interp_fn (NULL: return to the host)
 *     R[-3]  the caller's frame base (low 32 bits) and the caller's slot
 *            receiving the result (high 32 bits)
 *
 * and the caller's slots end right below the header, so the caller's R is
 * R - VM_HDR - caller->nslots. A built-in that calls back into a plugin
 * re-enters interp_vm_call, which stacks its frames above st->vtop.
 *
 * Every opcode body is written once behind vmcase/vmbreak: computed goto
 * under GCC/clang, a plain switch when KP_INTERP_SWITCH is defined.
 */
#include "interp.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && !defined(KP_INTERP_SWITCH)
#define VM_THREADED 1
#endif

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

/* ---- per-thread stacks ---------------------------------------------------- */

typedef struct interp_stack {
    uint64_t *v;
    size_t vcap, vtop;       /* slots; vtop = first slot free for a new call */
} interp_stack;

#define VM_HDR INTERP_HDR

/* The value stack may not grow past this many slots (512 MiB). */
#define VM_MAX_SLOTS ((size_t)1 << 26)

static pthread_key_t vm_key;
static pthread_once_t vm_once = PTHREAD_ONCE_INIT;
static int vm_key_ok;
static _Thread_local interp_stack *vm_tls;

static void vm_stack_free(void *p)
{
    interp_stack *st = p;
    if (!st)
        return;
    free(st->v);
    free(st);
}

static void vm_key_init(void)
{
    vm_key_ok = pthread_key_create(&vm_key, vm_stack_free) == 0;
}

static interp_stack *vm_stack(void)
{
    interp_stack *st = vm_tls;
    if (LIKELY(st != NULL))
        return st;
    pthread_once(&vm_once, vm_key_init);
    st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    /* Without the key the stack leaks at thread exit, which is still safe. */
    if (vm_key_ok)
        pthread_setspecific(vm_key, st);
    vm_tls = st;
    return st;
}

static int vm_grow_v(interp_stack *st, size_t need)
{
    if (need <= st->vcap)
        return 0;
    if (need > VM_MAX_SLOTS)
        return -1;
    size_t cap = st->vcap ? st->vcap : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > VM_MAX_SLOTS)
        cap = VM_MAX_SLOTS;
    uint64_t *nv = realloc(st->v, cap * sizeof *nv);
    if (!nv)
        return -1;
    st->v = nv;
    st->vcap = cap;
    return 0;
}


/* ---- value helpers --------------------------------------------------------- */

static inline float f32_of(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline uint64_t of_f32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline double f64_of(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}
static inline uint64_t of_f64(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* Float to int exactly as ir.h specifies (x86 cvtt* behaviour), written
 * without relying on C's undefined out-of-range conversions. */
static inline uint32_t ftosi32(double x)
{
    if (x > -2147483649.0 && x < 2147483648.0)
        return (uint32_t)(int32_t)x;
    return 0x80000000u;
}
static inline uint64_t ftosi64(double x)
{
    if (x >= -9223372036854775808.0 && x < 9223372036854775808.0)
        return (uint64_t)(int64_t)x;
    return 0x8000000000000000ull;
}
static inline uint64_t ftoui64(double x)
{
    if (x < 9223372036854775808.0)
        return ftosi64(x);
    return ftosi64(x - 9223372036854775808.0) ^ 0x8000000000000000ull;
}

/* Plugin memory is little-endian whatever the host. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif
static inline uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return LE16(v); }
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return LE32(v); }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return LE64(v); }
static inline void wr16(uint8_t *p, uint16_t v) { v = LE16(v); memcpy(p, &v, 2); }
static inline void wr32(uint8_t *p, uint32_t v) { v = LE32(v); memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { v = LE64(v); memcpy(p, &v, 8); }

/* ---- traps ----------------------------------------------------------------- */

static void vm_locate(kp_exec *ex, const interp_fn *F, const uint32_t *pc)
{
    uint32_t off = (uint32_t)(pc - F->code), lo = 0, hi = F->npos;
    uint32_t line = F->line, col = 0;
    while (lo < hi) { /* last entry with pos.off <= off */
        uint32_t mid = lo + (hi - lo) / 2;
        if (F->pos[mid].off <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && F->pos[lo - 1].line) {
        line = F->pos[lo - 1].line;
        col = F->pos[lo - 1].col;
    }
    kp_exec_locate(ex, F->kfn, line, col);
}

/* A poll trap on a jump: pc is the word holding the jump's offset. It is
 * located by the IR's rule for the block the jump goes to (ir_poll_sites),
 * as on every engine, not by the instruction the translator put there. */
static void vm_locate_poll(kp_exec *ex, const interp_fn *F, const uint32_t *pc)
{
    uint32_t off = (uint32_t)(pc - F->code), lo = 0, hi = F->nppos;
    while (lo < hi) { /* first entry with ppos.off >= off */
        uint32_t mid = lo + (hi - lo) / 2;
        if (F->ppos[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < F->nppos && F->ppos[lo].off == off)
        kp_exec_locate(ex, F->kfn, F->ppos[lo].line, F->ppos[lo].col);
    else
        vm_locate(ex, F, pc); /* not a polling jump: cannot happen */
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int vm_memfault(kp_exec *ex, int is_write, uint32_t size, uint64_t x)
{
    /* x is the address minus the first page, wrapped to 64 bits */
    int64_t a = (int64_t)(x + KP_PAGE_SIZE);
    if (a < 0)
        return kp_exec_trap(ex, KP_TRAP_MEMORY, "invalid memory %s of %u bytes at -0x%llx",
                            is_write ? "write" : "read", size, (unsigned long long)-a);
    return kp_exec_trap(ex, KP_TRAP_MEMORY, "invalid memory %s of %u bytes at 0x%08llx",
                        is_write ? "write" : "read", size, (unsigned long long)a);
}

/* ---- the loop -------------------------------------------------------------- */

#ifdef VM_THREADED
#define vmdispatch() goto *(const void *)(vm_base + (int32_t)pc[0])
#define vmcase(op) L_##op:
#define vmbreak(n) do { pc += (n); vmdispatch(); } while (0)
#define VM_BEGIN vmdispatch();
#define VM_END
#else
#define vmdispatch() goto vm_next
#define vmcase(op) case IOP_##op:
#define vmbreak(n) do { pc += (n); goto vm_next; } while (0)
#define VM_BEGIN vm_next: switch (pc[0]) {
#define VM_END default: rc = kp_exec_trap(ex, KP_TRAP_BAD_CALL, "interpreter: bad opcode"); \
                        goto trapped; }
#endif

/* operands */
#define RA(i) (R[pc[i]])
#define U32(i) ((uint32_t)R[pc[i]])
#define S32(i) ((int32_t)(uint32_t)R[pc[i]])
#define S64(i) ((int64_t)R[pc[i]])
#define KS(i) ((int64_t)(int32_t)pc[i])   /* sign-extended immediate */
/* Every jump to the same or an earlier word polls: each cycle of the
 * threaded code contains one, whatever the IR's block order (the
 * translator duplicates blocks, so IR back-edges alone would not do). */
#define JUMP(i)                                                                \
    do {                                                                       \
        int32_t o_ = (int32_t)pc[i];                                           \
        if (UNLIKELY(o_ <= plim) && UNLIKELY((rc = kp_exec_poll(ex)) != 0)) {  \
            pc += (i); /* the jump's offset word: which jump trapped */        \
            goto poll_trapped;                                                 \
        }                                                                      \
        pc += o_;                                                              \
        vmdispatch();                                                          \
    } while (0)

/* Binary ops in two forms, register or immediate last operand. */
#define BIN(NAME, T, LD, KLD, EXPR, CHECK)                                     \
    vmcase(NAME) {                                                             \
        T x = LD(2), y = LD(3);                                                \
        CHECK                                                                  \
        R[pc[1]] = (uint64_t)(EXPR);                                           \
        vmbreak(4);                                                            \
    }                                                                          \
    vmcase(NAME##_K) {                                                         \
        T x = LD(2), y = (T)KLD(3);                                            \
        R[pc[1]] = (uint64_t)(EXPR);                                           \
        vmbreak(4);                                                            \
    }
#define LDU64(i) ((uint64_t)R[pc[i]])
#define KU64(i) ((uint64_t)KS(i))
#define KU32(i) (pc[i])
#define KS32(i) ((int32_t)pc[i])
#define NOCHECK
#define DIVCHECK if (UNLIKELY(y == 0)) goto divzero;
#define DIVS32CHECK DIVCHECK if (UNLIKELY(y == -1 && x == INT32_MIN)) goto divovf;
#define DIVS64CHECK DIVCHECK if (UNLIKELY(y == -1 && x == INT64_MIN)) goto divovf;

/* Compare into a register, and compare-and-branch. */
#define CMP(NAME, T, LD, KLD, OP)                                              \
    vmcase(NAME) { T x = LD(2), y = LD(3); R[pc[1]] = x OP y; vmbreak(4); }    \
    vmcase(NAME##_K) { T x = LD(2), y = (T)KLD(3); R[pc[1]] = x OP y; vmbreak(4); } \
    vmcase(B##NAME) {                                                          \
        T x = LD(1), y = LD(2);                                                \
        if (x OP y) JUMP(3); else JUMP(4);                                     \
    }                                                                          \
    vmcase(B##NAME##_K) {                                                      \
        T x = LD(1), y = (T)KLD(2);                                            \
        if (x OP y) JUMP(3); else JUMP(4);                                     \
    }
#define CMPW(W, TS, TU, LDS, LDU, KS_, KU_)                                    \
    CMP(EQ##W, TU, LDU, KU_, ==) CMP(NE##W, TU, LDU, KU_, !=)                  \
    CMP(LTS##W, TS, LDS, KS_, <) CMP(LES##W, TS, LDS, KS_, <=)                 \
    CMP(GTS##W, TS, LDS, KS_, >) CMP(GES##W, TS, LDS, KS_, >=)                 \
    CMP(LTU##W, TU, LDU, KU_, <) CMP(LEU##W, TU, LDU, KU_, <=)                 \
    CMP(GTU##W, TU, LDU, KU_, >) CMP(GEU##W, TU, LDU, KU_, >=)

#define FBIN(NAME, GET, PUT, OP)                                               \
    vmcase(NAME) { R[pc[1]] = PUT(GET(R[pc[2]]) OP GET(R[pc[3]])); vmbreak(4); }
#define FCMP(NAME, GET, OP)                                                    \
    vmcase(NAME) { R[pc[1]] = GET(R[pc[2]]) OP GET(R[pc[3]]); vmbreak(4); }
#define CONV(NAME, EXPR) vmcase(NAME) { uint64_t x = R[pc[2]]; R[pc[1]] = (EXPR); vmbreak(3); }

/* Memory: x = address - 4096 (64-bit, no wrap for valid addresses); valid
 * iff x + n <= lim = mem_size - 4096. One compare per access. */
#define ADDR(ia, id) ((uint64_t)(uint32_t)R[pc[ia]] + (uint64_t)KS(id))
#define MEMCHECK(x, n, w)                                                      \
    if (UNLIKELY((x) > lim - (n))) { fx = (x); fn = (n); fw = (w); goto memfault; }
/* n may exceed lim: test it first to keep lim - n meaningful */
#define MEMCHECKN(x, n, w)                                                     \
    if (UNLIKELY((n) > lim || (x) > lim - (n))) { fx = (x); fn = (n); fw = (w); goto memfault; }
#define LD(NAME, N, EXPR)                                                      \
    vmcase(NAME) {                                                             \
        uint64_t x = ADDR(2, 3);                                               \
        MEMCHECK(x, N, 0)                                                      \
        const uint8_t *p = mem4k + x;                                          \
        R[pc[1]] = (uint64_t)(EXPR);                                           \
        vmbreak(4);                                                            \
    }
#define ST(NAME, N, STMT)                                                      \
    vmcase(NAME) {                                                             \
        uint64_t x = ADDR(1, 3);                                               \
        MEMCHECK(x, N, 1)                                                      \
        uint8_t *p = mem4k + x;                                                \
        uint64_t v = R[pc[2]];                                                 \
        STMT;                                                                  \
        vmbreak(4);                                                            \
    }

/* Indexed forms: address = (uint32)(base + (idx << shift)) + disp, the
 * fusion of "t = shl/mul idx, 2^k; p = add base, t; load/store [p + disp]"
 * (the 32-bit add wraps exactly as the separate instructions would). */
#define ADDRX(ib, ii, is, id)                                                  \
    ((uint64_t)(uint32_t)(R[pc[ib]] + (R[pc[ii]] << pc[is])) + (uint64_t)KS(id))
#define LDX(NAME, N, EXPR)                                                     \
    vmcase(NAME) {                                                             \
        uint64_t x = ADDRX(2, 3, 4, 5);                                        \
        MEMCHECK(x, N, 0)                                                      \
        const uint8_t *p = mem4k + x;                                          \
        R[pc[1]] = (uint64_t)(EXPR);                                           \
        vmbreak(6);                                                            \
    }
#define STX(NAME, N, STMT)                                                     \
    vmcase(NAME) {                                                             \
        uint64_t x = ADDRX(1, 3, 4, 5);                                        \
        MEMCHECK(x, N, 1)                                                      \
        uint8_t *p = mem4k + x;                                                \
        uint64_t v = R[pc[2]];                                                 \
        STMT;                                                                  \
        vmbreak(6);                                                            \
    }

/* What a built-in, the runtime library or a nested call may read. */
#define SYNC_EX()                                                              \
    do {                                                                       \
        ex->sp = fp;                                                           \
        ex->depth = depth;                                                     \
    } while (0)

#define RELOAD_MEM()                                                           \
    do {                                                                       \
        mem4k = ex->mem + KP_PAGE_SIZE;                                        \
        lim = ex->mem_size - KP_PAGE_SIZE;                                     \
    } while (0)

/* With table != NULL, only fills the opcode table: the labels of a
 * computed-goto loop are visible only inside its function. */
static int interp_vm_run(kp_exec *ex, const interp_fn *F0, const uint64_t *args, uint64_t *ret,
                  int32_t *table)
{
#ifdef VM_THREADED
    static const void *const labels[IOP_COUNT] = {
#define VM_LABEL(n) &&L_##n,
        INTERP_OPS(VM_LABEL)
#undef VM_LABEL
    };
    const char *const vm_base = (const char *)&&L_K32;
    if (table) {
        for (int i = 0; i < IOP_COUNT; i++)
            table[i] = (int32_t)((const char *)labels[i] - vm_base);
        return 0;
    }
#else
    if (table) {
        for (int i = 0; i < IOP_COUNT; i++)
            table[i] = i;
        return 0;
    }
#endif
    interp_stack *st = vm_stack();
    if (!st)
        return kp_exec_trap(ex, KP_TRAP_STACK, "out of memory for the interpreter stack");
    if (ex->mem_size < 2 * KP_PAGE_SIZE)
        return kp_exec_trap(ex, KP_TRAP_MEMORY, "runtime memory too small");

    /* what to restore when the call ends, normally or not */
    const size_t vtop0 = st->vtop;
    const uint32_t sp0 = ex->sp, depth0 = ex->depth;

    const interp_fn *F = NULL, *G = F0;
    int32_t plim = 0; /* F->poll_le: jumps by offsets <= plim poll */
    const uint32_t *pc = NULL;
    uint64_t *R, *NR;
    /* ex->sp and ex->depth live in locals while plugin code runs (fp is
     * the current frame base = the plugin sp), and are written back
     * before anything outside the loop can look at them (SYNC_EX). */
    uint32_t fp = ex->sp, depth = ex->depth;
    const uint32_t max_depth = ex->max_depth, stack_lo = ex->stack_lo;
    uint8_t *mem4k;
    uint64_t lim;
    int rc = 0;
    uint64_t fx = 0; /* memory fault details */
    uint32_t fn = 0;
    int fw = 0;
    RELOAD_MEM();

    /* The host's call is entered like a plugin call from a NULL caller. */
    if (vm_grow_v(st, vtop0 + VM_HDR + 1 + G->kfn->sig.nparams)) {
        rc = kp_exec_trap(ex, KP_TRAP_STACK, "out of memory for the interpreter stack");
        goto entry_trap;
    }
    NR = st->v + vtop0 + VM_HDR;
    for (unsigned i = 0; i < G->kfn->sig.nparams; i++)
        NR[1 + i] = args[i];
    NR[-1] = 0;
    NR[-2] = 0;
    NR[-3] = fp;
    goto enter;

enter:
    /* G: callee; NR: its slots, with the parameters and the header set */
    if (UNLIKELY(depth >= max_depth)) {
        rc = kp_exec_trap(ex, KP_TRAP_STACK, "call depth limit (%u) exceeded", max_depth);
        goto entry_trap;
    }
    depth++;
    if (G->frame_size) {
        int64_t nsp = ((int64_t)fp - (int64_t)G->frame_size) & ~(int64_t)G->frame_mask;
        if (UNLIKELY(nsp < (int64_t)stack_lo)) {
            rc = kp_exec_trap(ex, KP_TRAP_STACK, "plugin stack exhausted");
            goto entry_trap;
        }
        fp = (uint32_t)nsp;
    }
    {
        size_t nbase = (size_t)(NR - st->v);
        if (UNLIKELY(nbase + G->reserve > st->vcap)) {
            if (vm_grow_v(st, nbase + G->reserve)) {
                rc = kp_exec_trap(ex, KP_TRAP_STACK, "interpreter stack exhausted");
                goto entry_trap;
            }
            NR = st->v + nbase;
        }
    }
    if (LIKELY(G->poll_le == 0) && UNLIKELY((rc = kp_exec_poll(ex)) != 0))
        goto entry_trap;
    for (uint32_t i = 0; i < G->nkinit; i++)
        NR[G->kslot[i]] = G->kval[i];
    F = G;
    plim = F->poll_le;
    R = NR;
    pc = F->code;

    VM_BEGIN

    vmcase(K32) { R[pc[1]] = pc[2]; vmbreak(3); }
    vmcase(K64) { R[pc[1]] = (uint64_t)pc[2] | (uint64_t)pc[3] << 32; vmbreak(4); }
    vmcase(MOV) { R[pc[1]] = R[pc[2]]; vmbreak(3); }

    /* Width-agnostic: the low 32 bits of the 64-bit result are the I32 result. */
    BIN(ADD, uint64_t, LDU64, KU64, x + y, NOCHECK)
    BIN(SUB, uint64_t, LDU64, KU64, x - y, NOCHECK)
    BIN(MUL, uint64_t, LDU64, KU64, x * y, NOCHECK)
    BIN(AND, uint64_t, LDU64, KU64, x & y, NOCHECK)
    BIN(OR, uint64_t, LDU64, KU64, x | y, NOCHECK)
    BIN(XOR, uint64_t, LDU64, KU64, x ^ y, NOCHECK)
    BIN(SHL32, uint32_t, U32, KU32, x << (y & 31), NOCHECK)
    BIN(SHRS32, int32_t, S32, KS32, (uint32_t)(x >> (y & 31)), NOCHECK)
    BIN(SHRU32, uint32_t, U32, KU32, x >> (y & 31), NOCHECK)
    BIN(SHL64, uint64_t, LDU64, KU64, x << (y & 63), NOCHECK)
    BIN(SHRS64, int64_t, S64, KS, (uint64_t)(x >> (y & 63)), NOCHECK)
    BIN(SHRU64, uint64_t, LDU64, KU64, x >> (y & 63), NOCHECK)
    /* The _K forms of division are emitted only for divisors other than 0 and -1. */
    BIN(DIVS32, int32_t, S32, KS32, (uint32_t)(x / y), DIVS32CHECK)
    BIN(DIVU32, uint32_t, U32, KU32, x / y, DIVCHECK)
    BIN(REMS32, int32_t, S32, KS32, (uint32_t)(x % y), DIVS32CHECK)
    BIN(REMU32, uint32_t, U32, KU32, x % y, DIVCHECK)
    BIN(DIVS64, int64_t, S64, KS, (uint64_t)(x / y), DIVS64CHECK)
    BIN(DIVU64, uint64_t, LDU64, KU64, x / y, DIVCHECK)
    BIN(REMS64, int64_t, S64, KS, (uint64_t)(x % y), DIVS64CHECK)
    BIN(REMU64, uint64_t, LDU64, KU64, x % y, DIVCHECK)
    /* d = a * K1 + K2: the "i * stride + base" of array indexing */
    vmcase(MADD_K) { R[pc[1]] = R[pc[2]] * (uint64_t)KS(3) + (uint64_t)KS(4); vmbreak(5); }
    vmcase(NEG) { R[pc[1]] = 0 - R[pc[2]]; vmbreak(3); }
    vmcase(NOT) { R[pc[1]] = ~R[pc[2]]; vmbreak(3); }

    CMPW(32, int32_t, uint32_t, S32, U32, KS32, KU32)
    CMPW(64, int64_t, uint64_t, S64, LDU64, KS, KU64)

    FBIN(FADD32, f32_of, of_f32, +) FBIN(FSUB32, f32_of, of_f32, -)
    FBIN(FMUL32, f32_of, of_f32, *) FBIN(FDIV32, f32_of, of_f32, /)
    FBIN(FADD64, f64_of, of_f64, +) FBIN(FSUB64, f64_of, of_f64, -)
    FBIN(FMUL64, f64_of, of_f64, *) FBIN(FDIV64, f64_of, of_f64, /)
    vmcase(FNEG32) { R[pc[1]] = (uint32_t)R[pc[2]] ^ 0x80000000u; vmbreak(3); }
    vmcase(FNEG64) { R[pc[1]] = R[pc[2]] ^ 0x8000000000000000ull; vmbreak(3); }
    FCMP(FEQ32, f32_of, ==) FCMP(FNE32, f32_of, !=) FCMP(FLT32, f32_of, <)
    FCMP(FLE32, f32_of, <=) FCMP(FGT32, f32_of, >) FCMP(FGE32, f32_of, >=)
    FCMP(FEQ64, f64_of, ==) FCMP(FNE64, f64_of, !=) FCMP(FLT64, f64_of, <)
    FCMP(FLE64, f64_of, <=) FCMP(FGT64, f64_of, >) FCMP(FGE64, f64_of, >=)

    CONV(SEXT8, (uint64_t)(int64_t)(int8_t)(uint8_t)x)
    CONV(ZEXT8, x & 0xff)
    CONV(SEXT16, (uint64_t)(int64_t)(int16_t)(uint16_t)x)
    CONV(ZEXT16, x & 0xffff)
    CONV(SEXT32, (uint64_t)(int64_t)(int32_t)(uint32_t)x)
    CONV(ZEXT32, x & 0xffffffffu)
    CONV(SITOF_F32_I32, of_f32((float)(int32_t)(uint32_t)x))
    CONV(SITOF_F64_I32, of_f64((double)(int32_t)(uint32_t)x))
    CONV(SITOF_F32_I64, of_f32((float)(int64_t)x))
    CONV(SITOF_F64_I64, of_f64((double)(int64_t)x))
    CONV(UITOF_F32_I32, of_f32((float)(uint32_t)x))
    CONV(UITOF_F64_I32, of_f64((double)(uint32_t)x))
    CONV(UITOF_F32_I64, of_f32((float)x))
    CONV(UITOF_F64_I64, of_f64((double)x))
    CONV(FTOSI_I32_F32, ftosi32(f32_of(x)))
    CONV(FTOSI_I64_F32, ftosi64(f32_of(x)))
    CONV(FTOSI_I32_F64, ftosi32(f64_of(x)))
    CONV(FTOSI_I64_F64, ftosi64(f64_of(x)))
    CONV(FTOUI_I64_F32, ftoui64(f32_of(x)))
    CONV(FTOUI_I64_F64, ftoui64(f64_of(x)))
    CONV(FCVT_F64_F32, of_f64((double)f32_of(x)))
    CONV(FCVT_F32_F64, of_f32((float)f64_of(x)))

    LD(LD_I8, 1, (int64_t)(int8_t)p[0])
    LD(LD_U8, 1, p[0])
    LD(LD_I16, 2, (int64_t)(int16_t)rd16(p))
    LD(LD_U16, 2, rd16(p))
    LD(LD_I32, 4, (int64_t)(int32_t)rd32(p))
    LD(LD_U32, 4, rd32(p))
    LD(LD_64, 8, rd64(p))
    ST(ST_8, 1, p[0] = (uint8_t)v)
    ST(ST_16, 2, wr16(p, (uint16_t)v))
    ST(ST_32, 4, wr32(p, (uint32_t)v))
    ST(ST_64, 8, wr64(p, v))

    LDX(LDX_I8, 1, (int64_t)(int8_t)p[0])
    LDX(LDX_U8, 1, p[0])
    LDX(LDX_I16, 2, (int64_t)(int16_t)rd16(p))
    LDX(LDX_U16, 2, rd16(p))
    LDX(LDX_I32, 4, (int64_t)(int32_t)rd32(p))
    LDX(LDX_U32, 4, rd32(p))
    LDX(LDX_64, 8, rd64(p))
    STX(STX_8, 1, p[0] = (uint8_t)v)
    STX(STX_16, 2, wr16(p, (uint16_t)v))
    STX(STX_32, 4, wr32(p, (uint32_t)v))
    STX(STX_64, 8, wr64(p, v))

    vmcase(FRAME) { R[pc[1]] = (uint32_t)(fp + pc[2]); vmbreak(3); }
    vmcase(COPY) {
        uint64_t d = (uint64_t)(uint32_t)R[pc[1]] - KP_PAGE_SIZE;
        uint64_t s = (uint64_t)(uint32_t)R[pc[2]] - KP_PAGE_SIZE;
        uint32_t n = pc[3];
        if (n) {
            MEMCHECKN(s, n, 0)
            MEMCHECKN(d, n, 1)
            memmove(mem4k + d, mem4k + s, n);
        }
        vmbreak(4);
    }
    vmcase(ZERO) {
        uint64_t d = (uint64_t)(uint32_t)R[pc[1]] - KP_PAGE_SIZE;
        uint32_t n = pc[2];
        if (n) {
            MEMCHECKN(d, n, 1)
            memset(mem4k + d, 0, n);
        }
        vmbreak(3);
    }

    /* ---- calls ---- */
    {
        kp_fn *callee;
        const ir_sig *want;
        const uint32_t *argv;
        const uint8_t *types;
        uint32_t nargs;

    vmcase(CALL) {
        nargs = pc[3];
        G = &F->im->fns[pc[2]];
        NR = R + F->nslots + VM_HDR;
        for (uint32_t i = 0; i < nargs; i++)
            NR[1 + i] = R[pc[4 + i]];
        NR[-1] = (uintptr_t)(pc + 4 + nargs);
        NR[-2] = (uintptr_t)F;
        NR[-3] = fp | (uint64_t)pc[1] << 32;
        goto enter;
    }
    vmcase(CALLI) {
        kp_slot *slot = F->im->kmod->imports[pc[2]];
        callee = atomic_load_explicit(&slot->fn, memory_order_acquire);
        if (UNLIKELY(!callee)) {
            rc = kp_exec_trap(ex, KP_TRAP_UNLINKED, "call to unlinked function '%s'",
                              slot->name ? slot->name : "?");
            goto trapped;
        }
        want = &F->im->imp_sigs[pc[2]];
        nargs = pc[3];
        types = F->types + pc[4];
        argv = pc + 5;
        goto call_fn;
    }
    vmcase(CALLP) {
        int code = KP_TRAP_BAD_CALL;
        uint32_t h = U32(2);
        callee = kp_rt_handle_fn(ex->rt, h, &code);
        if (UNLIKELY(!callee)) {
            if (code == KP_TRAP_UNLINKED)
                rc = kp_exec_trap(ex, KP_TRAP_UNLINKED,
                                  "call through a function pointer to an unlinked function");
            else
                rc = kp_exec_trap(ex, KP_TRAP_BAD_CALL,
                                  "call through an invalid function pointer (0x%x)", h);
            goto trapped;
        }
        want = &F->sigs[pc[5]];
        nargs = pc[3];
        types = F->types + pc[4];
        argv = pc + 6;
        goto call_fn;
    }
    call_fn:
        if (UNLIKELY(!ir_sig_equal(&callee->sig, want))) {
            rc = kp_exec_trap(ex, KP_TRAP_BAD_CALL, "prototype mismatch calling '%s'",
                              callee->name ? callee->name : "?");
            goto trapped;
        }
        if (LIKELY(interp_owns(callee))) {
            G = callee->code;
            NR = R + F->nslots + VM_HDR;
            for (uint32_t i = 0; i < nargs; i++)
                NR[1 + i] = R[argv[i]];
            NR[-1] = (uintptr_t)(argv + nargs);
            NR[-2] = (uintptr_t)F;
            NR[-3] = fp | (uint64_t)pc[1] << 32;
            goto enter;
        }
        {
            uint64_t abuf[IR_MAX_PARAMS], *av = abuf, rv = 0;
            size_t roff = (size_t)(R - st->v);
            if (nargs > IR_MAX_PARAMS && !(av = malloc(nargs * sizeof *av))) {
                rc = kp_exec_trap(ex, KP_TRAP_STACK, "out of memory for call arguments");
                goto trapped;
            }
            for (uint32_t i = 0; i < nargs; i++)
                av[i] = R[argv[i]];
            st->vtop = roff + F->nslots;
            SYNC_EX();
            ex->caller = F->kfn; /* cleanup hooks tie to the innermost plugin */
            if (callee->kind == KP_FN_BUILTIN)
                rc = kp_rt_call_builtin(ex, callee, av, types, nargs, &rv);
            else
                rc = kp_rt_invoke(ex, callee, av, types, nargs, &rv);
            if (av != abuf)
                free(av);
            R = st->v + roff;
            RELOAD_MEM();
            if (UNLIKELY(rc))
                goto trapped;
            R[pc[1]] = rv;
            pc = argv + nargs;
            vmdispatch();
        }
    }
    vmcase(CALLR) {
        uint64_t av[4] = {0, 0, 0, 0}, rv = 0;
        uint32_t nargs = pc[3];
        size_t roff = (size_t)(R - st->v);
        for (uint32_t i = 0; i < nargs && i < 4; i++)
            av[i] = R[pc[4 + i]];
        st->vtop = roff + F->nslots;
        SYNC_EX();
        ex->caller = F->kfn;
        rc = kp_rt_rtlib(ex, (int)pc[2], av, &rv);
        R = st->v + roff;
        RELOAD_MEM();
        if (UNLIKELY(rc))
            goto trapped;
        R[pc[1]] = rv;
        vmbreak(4 + nargs);
    }

    /* ---- control ---- */
    vmcase(JMP) { JUMP(1); }
    vmcase(BAND32_K) {
        if ((uint32_t)R[pc[1]] & pc[2]) JUMP(3); else JUMP(4);
    }
    vmcase(BR) {
        if ((uint32_t)R[pc[1]]) JUMP(2); else JUMP(3);
    }
    vmcase(SWT32) {
        uint64_t i = (uint64_t)(int64_t)S32(1) - ((uint64_t)pc[2] | (uint64_t)pc[3] << 32);
        if (i < pc[4]) JUMP(6 + i); else JUMP(5);
    }
    vmcase(SWT64) {
        uint64_t i = R[pc[1]] - ((uint64_t)pc[2] | (uint64_t)pc[3] << 32);
        if (i < pc[4]) JUMP(6 + i); else JUMP(5);
    }
    {
        int64_t sx;
    vmcase(SWB32) { sx = S32(1); goto sw_search; }
    vmcase(SWB64) { sx = S64(1); goto sw_search; }
    sw_search: {
            uint32_t lo = 0, hi = pc[2];
            const uint32_t *e = pc + 4;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                int64_t v = (int64_t)((uint64_t)e[3 * mid] | (uint64_t)e[3 * mid + 1] << 32);
                if (v == sx)
                    JUMP(4 + 3 * mid + 2);
                if (v < sx)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            JUMP(3);
        }
    }
    {
        uint64_t rv;
    vmcase(RET) { rv = R[pc[1]]; goto do_ret; }
    vmcase(RETV) { rv = 0; goto do_ret; }
    do_ret: {
            uint64_t h = R[-3];
            depth--;
            fp = (uint32_t)h;
            F = (const interp_fn *)(uintptr_t)R[-2];
            if (UNLIKELY(!F)) {
                *ret = rv;
                st->vtop = vtop0;
                ex->sp = sp0;
                ex->depth = depth0;
                return KP_OK;
            }
            pc = (const uint32_t *)(uintptr_t)R[-1];
            plim = F->poll_le;
            R -= VM_HDR + F->nslots;
            R[h >> 32] = rv;
            vmdispatch();
        }
    }

    VM_END

divzero:
    rc = kp_exec_trap(ex, KP_TRAP_DIV, "integer division by zero");
    goto trapped;
divovf:
    rc = kp_exec_trap(ex, KP_TRAP_DIV, "integer overflow in division (minimum / -1)");
    goto trapped;
memfault:
    rc = vm_memfault(ex, fw, fn, fx);
    goto trapped;
entry_trap:
    /* a trap while entering G: it is the innermost plugin frame */
    kp_exec_locate(ex, G->kfn, G->line, 0);
    goto unwind;
trapped:
    vm_locate(ex, F, pc);
    goto unwind;
poll_trapped:
    vm_locate_poll(ex, F, pc);
unwind:
    ex->sp = sp0;
    ex->depth = depth0;
    st->vtop = vtop0;
    return rc;
}

void interp_vm_table(int32_t *table)
{
    interp_vm_run(NULL, NULL, NULL, NULL, table);
}

int interp_vm_call(kp_exec *ex, const interp_fn *F, const uint64_t *args, uint64_t *ret)
{
    uint64_t dummy;
    return interp_vm_run(ex, F, args, ret ? ret : &dummy, NULL);
}

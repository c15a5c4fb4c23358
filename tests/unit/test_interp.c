/*
 * test_interp.c — unit tests of the portable engine, the IR verifier and
 * the IR printer, with IR built by hand and a stub runtime (a malloc'd
 * fake segment and stub kp_exec_* / kp_rt_* functions defined below).
 *
 * Build (see tests/unit/run_interp_tests.sh):
 *   cc -std=gnu11 -O2 -Iinclude tests/unit/test_interp.c src/interp/interp*.c \
 *      src/ir/ir.c src/ir/ir_verify.c src/ir/ir_print.c src/util/arena.c -lpthread -lm
 * Run `test_interp bench` for timings against the same code compiled by C.
 */
#include "../../src/interp/interp.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- allocation failure injection (build with TEST_FAILALLOC and
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc) ------------------------------ */

#ifdef TEST_FAILALLOC
static long fail_after = -1; /* allocations left before every later one fails */
static long load_fail_after = -1; /* fail_after for the engine's load only */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
static int alloc_fails(void) { return fail_after >= 0 && fail_after-- == 0 ? (fail_after = 0, 1) : 0; }
void *__wrap_malloc(size_t n) { return alloc_fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return alloc_fails() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return alloc_fails() ? NULL : __real_realloc(p, n); }
#endif

/* ---- stub runtime ----------------------------------------------------------- */

#define MEMSZ (1u << 22)
#define STACK_SIZE (256u << 10)
#define DATA_BASE 0x10000u

static uint8_t *MEM;
static atomic_uint IWORD;
static int polls_until_timeout; /* 0: never */
static int nslow_polls;

int kp_exec_trap(kp_exec *ex, int code, const char *fmt, ...)
{
    if (ex->trap_code)
        return code;
    ex->trap_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ex->trap_msg, sizeof ex->trap_msg, fmt, ap);
    va_end(ap);
    return code;
}

void kp_exec_locate(kp_exec *ex, const kp_fn *fn, uint32_t line, uint32_t col)
{
    if (ex->trap_located)
        return;
    ex->trap_located = 1;
    ex->trap_func = fn ? fn->name : "?";
    ex->trap_line = line;
    ex->trap_col = col;
}

int kp_exec_poll_slow(kp_exec *ex)
{
    nslow_polls++;
    if (atomic_load(ex->interrupt_word) != ex->interrupt_gen)
        return kp_exec_trap(ex, KP_TRAP_INTERRUPTED, "interrupted");
    ex->poll_countdown = 100;
    if (polls_until_timeout && nslow_polls >= polls_until_timeout)
        return kp_exec_trap(ex, KP_TRAP_TIMEOUT, "deadline");
    return 0;
}

/* handles: index into a table of slots */
static kp_slot *HANDLES[65536];
static uint32_t NHANDLES = 1;

static uint32_t handle_new(kp_slot *s)
{
    HANDLES[NHANDLES] = s;
    s->handle = NHANDLES;
    return NHANDLES++;
}

kp_fn *kp_rt_handle_fn(kp_runtime *rt, uint32_t h, int *code)
{
    (void)rt;
    if (h == 0 || h >= NHANDLES || !HANDLES[h]) {
        *code = KP_TRAP_BAD_CALL;
        return NULL;
    }
    kp_fn *fn = atomic_load(&HANDLES[h]->fn);
    if (!fn)
        *code = KP_TRAP_UNLINKED;
    return fn;
}

typedef int (*raw_fn)(kp_exec *ex, const uint64_t *args, const uint8_t *types, uint32_t n,
                      uint64_t *ret);
typedef struct raw_builtin {
    raw_fn f;
} raw_builtin;

int kp_rt_call_builtin(kp_exec *ex, const kp_fn *fn, const uint64_t *args,
                       const uint8_t *types, uint32_t nargs, uint64_t *ret)
{
    return ((const raw_builtin *)fn->userdata)->f(ex, args, types, nargs, ret);
}

static uint32_t heap_top = 0x200000;

int kp_rt_rtlib(kp_exec *ex, int id, const uint64_t *args, uint64_t *ret)
{
    uint32_t a0 = (uint32_t)args[0], a1 = (uint32_t)args[1], a2 = (uint32_t)args[2];
    switch (id) {
    case IR_RT_MEMSET:
        if (!kp_exec_mem_ok(ex, a0, 0, a2))
            return kp_exec_trap(ex, KP_TRAP_MEMORY, "memset out of range");
        memset(ex->mem + a0, (int)a1, a2);
        *ret = a0;
        return 0;
    case IR_RT_STRLEN: {
        uint32_t n = 0;
        while (kp_exec_mem_ok(ex, a0 + n, 0, 1) && ex->mem[a0 + n])
            n++;
        *ret = n;
        return 0;
    }
    case IR_RT_MALLOC:
        *ret = heap_top;
        heap_top += (a0 + 15) & ~15u;
        return 0;
    case IR_RT_ABORT:
        return kp_exec_trap(ex, KP_TRAP_BUILTIN, "abort() called");
    }
    return kp_exec_trap(ex, KP_TRAP_BUILTIN, "rtlib %d not stubbed", id);
}

int kp_rt_invoke(kp_exec *ex, kp_fn *fn, const uint64_t *args, const uint8_t *types,
                 uint32_t nargs, uint64_t *ret)
{
    if (fn->kind == KP_FN_PLUGIN)
        return kp_interp_engine.call(ex, fn, args, ret);
    return kp_rt_call_builtin(ex, fn, args, types, nargs, ret);
}

static kp_exec EX;

static void exec_reset(void)
{
    memset(&EX, 0, sizeof EX);
    EX.mem = MEM;
    EX.mem_size = MEMSZ;
    EX.sp = MEMSZ;
    EX.stack_lo = MEMSZ - STACK_SIZE;
    EX.max_depth = 1000;
    EX.interrupt_word = &IWORD;
    EX.interrupt_gen = atomic_load(&IWORD);
    EX.poll_countdown = 100;
    nslow_polls = 0;
}

/* ---- checks ------------------------------------------------------------------ */

static int npass, nfail;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (cond) {                                                            \
            npass++;                                                           \
        } else {                                                               \
            nfail++;                                                           \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                        \
            printf(__VA_ARGS__);                                               \
            printf("\n");                                                      \
        }                                                                      \
    } while (0)

/* ---- IR building ----------------------------------------------------------- */

static ir_module *M;
static ir_func *F;
static uint32_t CB;
static uint32_t LINE;

static ir_func *fn_begin(const char *name, int ret, int n, ...)
{
    ir_sig s = {0};
    s.ret = (uint8_t)ret;
    s.nparams = (uint8_t)n;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s.params[i] = (uint8_t)va_arg(ap, int);
    va_end(ap);
    F = ir_func_new(M, name, &s);
    CB = ir_block_new(M, F);
    return F;
}

static uint32_t blk(void) { return ir_block_new(M, F); }
static void at(uint32_t b) { CB = b; }
static ir_reg reg(int t) { return ir_reg_new(M, F, (ir_type)t); }
static int rty(ir_reg r) { return F->reg_types[r]; }
static void emit(ir_insn in)
{
    if (!in.line && LINE)
        in.line = LINE, in.col = 1;
    ir_emit(M, F, CB, &in);
}
static ir_reg kI(int32_t v) { ir_reg d = reg(IR_I32); emit((ir_insn){.op = IR_CONST, .type = IR_I32, .dst = d, .imm = v}); return d; }
static ir_reg kL(int64_t v) { ir_reg d = reg(IR_I64); emit((ir_insn){.op = IR_CONST, .type = IR_I64, .dst = d, .imm = v}); return d; }
static ir_reg kF(float v) { ir_reg d = reg(IR_F32); emit((ir_insn){.op = IR_CONST, .type = IR_F32, .dst = d, .fimm = v}); return d; }
static ir_reg kD(double v) { ir_reg d = reg(IR_F64); emit((ir_insn){.op = IR_CONST, .type = IR_F64, .dst = d, .fimm = v}); return d; }
static ir_reg op2(int op, ir_reg a, ir_reg b)
{
    ir_reg d = reg(rty(a));
    emit((ir_insn){.op = (uint8_t)op, .type = (uint8_t)rty(a), .dst = d, .a = a, .b = b});
    return d;
}
static void op2to(int op, ir_reg d, ir_reg a, ir_reg b)
{
    emit((ir_insn){.op = (uint8_t)op, .type = (uint8_t)rty(a), .dst = d, .a = a, .b = b});
}
static ir_reg op1(int op, ir_reg a)
{
    ir_reg d = reg(rty(a));
    emit((ir_insn){.op = (uint8_t)op, .type = (uint8_t)rty(a), .dst = d, .a = a});
    return d;
}
static void mov(ir_reg d, ir_reg a) { emit((ir_insn){.op = IR_MOV, .type = (uint8_t)rty(a), .dst = d, .a = a}); }
static ir_reg cmp(int op, ir_reg a, ir_reg b)
{
    ir_reg d = reg(IR_I32);
    emit((ir_insn){.op = (uint8_t)op, .type = (uint8_t)rty(a), .dst = d, .a = a, .b = b});
    return d;
}
static ir_reg conv(int op, int t, ir_reg a)
{
    ir_reg d = reg(t);
    emit((ir_insn){.op = (uint8_t)op, .type = (uint8_t)t, .stype = (uint8_t)rty(a), .dst = d, .a = a});
    return d;
}
static ir_reg load(int kind, int t, ir_reg a, int64_t disp)
{
    ir_reg d = reg(t);
    emit((ir_insn){.op = IR_LOAD, .type = (uint8_t)t, .stype = (uint8_t)kind, .dst = d, .a = a, .imm = disp});
    return d;
}
static void store(int kind, ir_reg a, ir_reg b, int64_t disp)
{
    emit((ir_insn){.op = IR_STORE, .type = (uint8_t)rty(b), .stype = (uint8_t)kind, .a = a, .b = b, .imm = disp});
}
static void br(ir_reg a, uint32_t t1, uint32_t t2) { emit((ir_insn){.op = IR_BR, .a = a, .t1 = t1, .t2 = t2}); }
static void jmp(uint32_t t) { emit((ir_insn){.op = IR_JMP, .t1 = t}); }
static void ret(ir_reg a) { emit((ir_insn){.op = IR_RET, .type = a ? (uint8_t)rty(a) : 0, .a = a}); }
static ir_reg callx(int op, int64_t imm, ir_reg fa, int rett, const ir_sig *sig, int n, ...)
{
    ir_reg *args = kp_arena_alloc(&M->arena, (n ? n : 1) * sizeof *args);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        args[i] = va_arg(ap, ir_reg);
    va_end(ap);
    ir_reg d = rett ? reg(ir_sig_regtype(rett)) : 0;
    emit((ir_insn){.op = (uint8_t)op, .dst = d, .a = fa, .imm = imm, .nargs = (uint32_t)n,
                   .args = args, .sig = sig});
    return d;
}
static ir_reg prm(int i) { return (ir_reg)(i + 1); }

/* ---- loading and running ------------------------------------------------- */

typedef struct tmod {
    kp_module km;
    kp_fn *fns;
    kp_slot **imps;
    uint32_t *fh, *ih;
    kp_slot *fslots;
} tmod;

static kp_slot IMPORT_SLOTS[16]; /* test namespace: by name */
static int NIMPORT_SLOTS;

static kp_slot *ns_slot(const char *name)
{
    for (int i = 0; i < NIMPORT_SLOTS; i++)
        if (!strcmp(IMPORT_SLOTS[i].name, name))
            return &IMPORT_SLOTS[i];
    kp_slot *s = &IMPORT_SLOTS[NIMPORT_SLOTS++];
    s->name = name;
    atomic_store(&s->fn, NULL);
    handle_new(s);
    return s;
}

static int mod_load(tmod *t, ir_module *m, uint32_t data_base)
{
    memset(t, 0, sizeof *t);
    t->km.ir = m;
    t->km.name = "test";
    t->km.data_base = data_base;
    t->km.nfns = m->nfuncs;
    t->fns = calloc(m->nfuncs + 1, sizeof *t->fns);
    t->fh = calloc(m->nfuncs + 1, sizeof *t->fh);
    t->fslots = calloc(m->nfuncs + 1, sizeof *t->fslots);
    t->imps = calloc(m->nimports + 1, sizeof *t->imps);
    t->ih = calloc(m->nimports + 1, sizeof *t->ih);
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        kp_fn *fn = &t->fns[i];
        fn->kind = KP_FN_PLUGIN;
        fn->sig = m->funcs[i]->sig;
        fn->name = m->funcs[i]->name;
        fn->mod = &t->km;
        fn->index = i;
        fn->ir = m->funcs[i];
        t->fslots[i].name = fn->name;
        atomic_store(&t->fslots[i].fn, fn);
        t->fh[i] = fn->handle = handle_new(&t->fslots[i]);
    }
    for (uint32_t i = 0; i < m->nimports; i++) {
        t->imps[i] = ns_slot(m->imports[i].name);
        t->ih[i] = t->imps[i]->handle;
    }
    t->km.fns = t->fns;
    t->km.imports = t->imps;
    t->km.func_handles = t->fh;
    t->km.import_handles = t->ih;
    if (m->data_size)
        memcpy(MEM + data_base, m->data, m->data_size);
    char err[256] = "";
#ifdef TEST_FAILALLOC
    fail_after = load_fail_after;
#endif
    int rc = kp_interp_engine.load(&t->km, err, sizeof err);
#ifdef TEST_FAILALLOC
    fail_after = -1;
    if (rc && load_fail_after >= 0)
        return rc;
#endif
    if (rc)
        printf("load failed: %s\n", err);
    return rc;
}

static void mod_unload(tmod *t)
{
    kp_interp_engine.unload(&t->km);
    for (uint32_t i = 0; i < t->km.nfns; i++)
        HANDLES[t->fh[i]] = NULL;
    free(t->fns);
    free(t->fh);
    free(t->fslots);
    free(t->imps);
    free(t->ih);
}

static int run(tmod *t, uint32_t fi, const uint64_t *args, uint64_t *ret)
{
    exec_reset();
    *ret = 0xdeadbeefdeadbeefull;
    if (!t->fns[fi].code) {
        CHECK(0, "function %u not loaded", fi);
        return -999;
    }
    int rc = kp_interp_engine.call(&EX, &t->fns[fi], args, ret);
    CHECK(EX.sp == MEMSZ && EX.depth == 0, "sp/depth restored (sp %u depth %u)", EX.sp, EX.depth);
    return rc;
}

static void new_module(void)
{
    M = ir_module_new();
    LINE = 0;
}

static int verify_ok(void)
{
    char buf[256];
    int rc = ir_verify(M, buf, sizeof buf);
    if (rc)
        printf("verify: %s\n", buf);
    return rc == 0;
}

/* ---- integer operations ---------------------------------------------------- */

static uint64_t ref_int(int op, int t, uint64_t a, uint64_t b, int *trap)
{
    *trap = 0;
    if (t == IR_I32) {
        uint32_t x = (uint32_t)a, y = (uint32_t)b;
        int32_t sx = (int32_t)x, sy = (int32_t)y;
        switch (op) {
        case IR_ADD: return (uint32_t)(x + y);
        case IR_SUB: return (uint32_t)(x - y);
        case IR_MUL: return (uint32_t)(x * y);
        case IR_AND: return x & y;
        case IR_OR: return x | y;
        case IR_XOR: return x ^ y;
        case IR_SHL: return (uint32_t)(x << (y & 31));
        case IR_SHRU: return x >> (y & 31);
        case IR_SHRS: return (uint32_t)(sx >> (y & 31));
        case IR_DIVS: case IR_REMS:
            if (y == 0 || (sy == -1 && sx == INT32_MIN)) { *trap = 1; return 0; }
            return (uint32_t)(op == IR_DIVS ? sx / sy : sx % sy);
        case IR_DIVU: case IR_REMU:
            if (y == 0) { *trap = 1; return 0; }
            return op == IR_DIVU ? x / y : x % y;
        case IR_EQ: return x == y;
        case IR_NE: return x != y;
        case IR_LTS: return sx < sy;
        case IR_LES: return sx <= sy;
        case IR_GTS: return sx > sy;
        case IR_GES: return sx >= sy;
        case IR_LTU: return x < y;
        case IR_LEU: return x <= y;
        case IR_GTU: return x > y;
        case IR_GEU: return x >= y;
        }
    } else {
        uint64_t x = a, y = b;
        int64_t sx = (int64_t)x, sy = (int64_t)y;
        switch (op) {
        case IR_ADD: return x + y;
        case IR_SUB: return x - y;
        case IR_MUL: return x * y;
        case IR_AND: return x & y;
        case IR_OR: return x | y;
        case IR_XOR: return x ^ y;
        case IR_SHL: return x << (y & 63);
        case IR_SHRU: return x >> (y & 63);
        case IR_SHRS: return (uint64_t)(sx >> (y & 63));
        case IR_DIVS: case IR_REMS:
            if (y == 0 || (sy == -1 && sx == INT64_MIN)) { *trap = 1; return 0; }
            return (uint64_t)(op == IR_DIVS ? sx / sy : sx % sy);
        case IR_DIVU: case IR_REMU:
            if (y == 0) { *trap = 1; return 0; }
            return op == IR_DIVU ? x / y : x % y;
        case IR_EQ: return x == y;
        case IR_NE: return x != y;
        case IR_LTS: return sx < sy;
        case IR_LES: return sx <= sy;
        case IR_GTS: return sx > sy;
        case IR_GES: return sx >= sy;
        case IR_LTU: return x < y;
        case IR_LEU: return x <= y;
        case IR_GTU: return x > y;
        case IR_GEU: return x >= y;
        }
    }
    return 0;
}

static const int64_t VALS32[] = {0, 1, -1, 2, 7, -7, 31, 32, 33, 100, INT32_MIN, INT32_MAX,
                                 0x12345678, -0x12345678};
static const int64_t VALS64[] = {0, 1, -1, 2, 7, -7, 63, 64, 65, INT64_MIN, INT64_MAX,
                                 0x123456789abcdef0ll, -(1ll << 33), 1ll << 40, INT32_MIN,
                                 0xffffffffll};

static void test_int_ops(void)
{
    static const int ops[] = {IR_ADD, IR_SUB, IR_MUL, IR_DIVS, IR_DIVU, IR_REMS, IR_REMU,
                              IR_AND, IR_OR, IR_XOR, IR_SHL, IR_SHRS, IR_SHRU,
                              IR_EQ, IR_NE, IR_LTS, IR_LES, IR_GTS, IR_GES,
                              IR_LTU, IR_LEU, IR_GTU, IR_GEU};
    for (int ti = 0; ti < 2; ti++) {
        int t = ti ? IR_I64 : IR_I32;
        const int64_t *vals = ti ? VALS64 : VALS32;
        int nv = ti ? (int)(sizeof VALS64 / sizeof *VALS64) : (int)(sizeof VALS32 / sizeof *VALS32);
        for (size_t oi = 0; oi < sizeof ops / sizeof *ops; oi++) {
            int op = ops[oi], is_cmp = op >= IR_EQ && op <= IR_GEU;
            for (int bi = 0; bi < nv; bi++) {
                /* f0(a,b) = a op b; f1(a) = a op K; f2(b) = K op b;
                 * f3(a,b) = a op b ? 1 : 0 through a branch (fused);
                 * f4(a) = a op K through a branch */
                int64_t kb = vals[bi];
                new_module();
                fn_begin("rr", is_cmp ? IR_I32 : t, 2, t, t);
                ret(is_cmp ? cmp(op, prm(0), prm(1)) : op2(op, prm(0), prm(1)));
                fn_begin("rk", is_cmp ? IR_I32 : t, 1, t);
                ir_reg k = t == IR_I32 ? kI((int32_t)kb) : kL(kb);
                ret(is_cmp ? cmp(op, prm(0), k) : op2(op, prm(0), k));
                fn_begin("kr", is_cmp ? IR_I32 : t, 1, t);
                k = t == IR_I32 ? kI((int32_t)kb) : kL(kb);
                ret(is_cmp ? cmp(op, k, prm(0)) : op2(op, k, prm(0)));
                if (is_cmp) {
                    for (int v = 0; v < 2; v++) {
                        fn_begin(v ? "brk" : "brr", IR_I32, 2, t, t);
                        uint32_t b1 = blk(), b2 = blk();
                        k = t == IR_I32 ? kI((int32_t)kb) : kL(kb);
                        br(cmp(op, prm(0), v ? k : prm(1)), b1, b2);
                        at(b1);
                        ret(kI(1));
                        at(b2);
                        ret(kI(0));
                    }
                }
                if (!verify_ok()) {
                    CHECK(0, "verify %s", ir_op_name(op));
                    ir_module_free(M);
                    continue;
                }
                tmod tm;
                if (mod_load(&tm, M, DATA_BASE)) {
                    CHECK(0, "load");
                    ir_module_free(M);
                    continue;
                }
                for (int ai = 0; ai < nv; ai++) {
                    uint64_t a = (uint64_t)vals[ai], b = (uint64_t)kb, r;
                    uint64_t mask = t == IR_I32 ? 0xffffffffu : ~0ull;
                    int trap, trap2;
                    uint64_t want = ref_int(op, t, a, b, &trap);
                    uint64_t want2 = ref_int(op, t, b, a, &trap2);
                    uint64_t args[2] = {a, b};
                    int rc = run(&tm, 0, args, &r);
                    CHECK(trap ? rc == KP_TRAP_DIV : rc == 0 && (r & mask) == want,
                          "%s.%s rr %" PRIx64 ", %" PRIx64 ": rc %d got %" PRIx64 " want %" PRIx64,
                          ir_op_name(op), ir_type_name(t), a, b, rc, r & mask, want);
                    rc = run(&tm, 1, args, &r);
                    CHECK(trap ? rc == KP_TRAP_DIV : rc == 0 && (r & mask) == want,
                          "%s.%s rk %" PRIx64 ", %" PRIx64 ": rc %d got %" PRIx64 " want %" PRIx64,
                          ir_op_name(op), ir_type_name(t), a, b, rc, r & mask, want);
                    rc = run(&tm, 2, args, &r);
                    CHECK(trap2 ? rc == KP_TRAP_DIV : rc == 0 && (r & mask) == want2,
                          "%s.%s kr %" PRIx64 ", %" PRIx64 ": rc %d got %" PRIx64 " want %" PRIx64,
                          ir_op_name(op), ir_type_name(t), b, a, rc, r & mask, want2);
                    if (trap && rc == KP_TRAP_DIV)
                        CHECK(strstr(EX.trap_msg, "division") != NULL, "div msg %s", EX.trap_msg);
                    if (is_cmp) {
                        rc = run(&tm, 3, args, &r);
                        CHECK(rc == 0 && (uint32_t)r == want, "%s.%s br rr", ir_op_name(op), ir_type_name(t));
                        rc = run(&tm, 4, args, &r);
                        CHECK(rc == 0 && (uint32_t)r == want, "%s.%s br rk %" PRIx64 " %" PRIx64 " got %u",
                              ir_op_name(op), ir_type_name(t), a, b, (uint32_t)r);
                    }
                }
                mod_unload(&tm);
                ir_module_free(M);
            }
        }
    }
    /* unary */
    for (int ti = 0; ti < 2; ti++) {
        int t = ti ? IR_I64 : IR_I32;
        new_module();
        fn_begin("neg", t, 1, t);
        ret(op1(IR_NEG, prm(0)));
        fn_begin("not", t, 1, t);
        ret(op1(IR_NOT, prm(0)));
        CHECK(verify_ok(), "verify unary");
        tmod tm;
        mod_load(&tm, M, DATA_BASE);
        uint64_t mask = t == IR_I32 ? 0xffffffffu : ~0ull, r;
        for (int i = 0; i < 10; i++) {
            uint64_t a = (uint64_t)(ti ? VALS64[i] : VALS32[i]);
            run(&tm, 0, &a, &r);
            CHECK((r & mask) == ((0 - a) & mask), "neg");
            run(&tm, 1, &a, &r);
            CHECK((r & mask) == (~a & mask), "not");
        }
        mod_unload(&tm);
        ir_module_free(M);
    }
}

/* ---- floats and conversions ------------------------------------------------- */

static uint64_t bits_d(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint64_t bits_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static double d_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static float f_bits(uint64_t v) { uint32_t u = (uint32_t)v; float f; memcpy(&f, &u, 4); return f; }

static void test_floats(void)
{
    new_module();
    static const int bops[] = {IR_ADD, IR_SUB, IR_MUL, IR_DIVS};
    static const int cops[] = {IR_EQ, IR_NE, IR_LTS, IR_LES, IR_GTS, IR_GES, IR_LTU};
    for (int ti = 0; ti < 2; ti++) {
        int t = ti ? IR_F64 : IR_F32;
        for (int i = 0; i < 4; i++) {
            fn_begin("fbin", t, 2, t, t);
            ret(op2(bops[i], prm(0), prm(1)));
        }
        fn_begin("fneg", t, 1, t);
        ret(op1(IR_NEG, prm(0)));
        for (int i = 0; i < 7; i++) {
            fn_begin("fcmp", IR_I32, 2, t, t);
            ret(cmp(cops[i], prm(0), prm(1)));
        }
        fn_begin("fk", t, 0); /* float constant register */
        ret(op2(IR_ADD, t == IR_F32 ? kF(1.5f) : kD(1.5), t == IR_F32 ? kF(0.25f) : kD(0.25)));
    }
    CHECK(verify_ok(), "verify floats");
    tmod tm;
    mod_load(&tm, M, DATA_BASE);
    const double dv[] = {0.0, -0.0, 1.5, -2.25, 1e300, NAN, INFINITY, 3.0};
    for (int ti = 0; ti < 2; ti++) {
        uint32_t base = ti * 13;
        for (int x = 0; x < 8; x++)
            for (int y = 0; y < 8; y++) {
                uint64_t args[2], r;
                if (ti) {
                    args[0] = bits_d(dv[x]);
                    args[1] = bits_d(dv[y]);
                } else {
                    args[0] = bits_f((float)dv[x]);
                    args[1] = bits_f((float)dv[y]);
                }
                for (int i = 0; i < 4; i++) {
                    run(&tm, base + i, args, &r);
                    if (ti) {
                        double a = dv[x], b = dv[y];
                        double w = i == 0 ? a + b : i == 1 ? a - b : i == 2 ? a * b : a / b;
                        CHECK(bits_d(w) == r || (isnan(w) && isnan(d_bits(r))), "f64 op %d", i);
                    } else {
                        float a = (float)dv[x], b = (float)dv[y];
                        float w = i == 0 ? a + b : i == 1 ? a - b : i == 2 ? a * b : a / b;
                        CHECK(bits_f(w) == (uint32_t)r || (isnan(w) && isnan(f_bits(r))), "f32 op %d", i);
                    }
                }
                for (int i = 0; i < 7; i++) {
                    double a = ti ? dv[x] : (float)dv[x], b = ti ? dv[y] : (float)dv[y];
                    int w = i == 0 ? a == b : i == 1 ? a != b : (i == 2 || i == 6) ? a < b
                          : i == 3 ? a <= b : i == 4 ? a > b : a >= b;
                    run(&tm, base + 5 + i, args, &r);
                    CHECK((uint32_t)r == (uint32_t)w, "fcmp %d %g %g", i, a, b);
                }
            }
        uint64_t a = ti ? bits_d(NAN) : bits_f(NAN), r;
        run(&tm, base + 4, &a, &r);
        CHECK(ti ? r == (a ^ 0x8000000000000000ull) : (uint32_t)r == (uint32_t)(a ^ 0x80000000u),
              "fneg flips the sign of NaN");
        run(&tm, base + 12, NULL, &r);
        CHECK(ti ? d_bits(r) == 1.75 : f_bits(r) == 1.75f, "float const");
    }
    mod_unload(&tm);
    ir_module_free(M);
}

typedef struct conv_case {
    int op, t, st;
    uint64_t in;   /* bits */
    uint64_t want; /* bits; compared in the width of t */
} conv_case;

#define D(x) bits_d(x)
#define FL(x) bits_f(x)
static void test_conversions(void)
{
    const double two63 = 9223372036854775808.0;
    const conv_case cs[] = {
        {IR_FTOSI, IR_I32, IR_F64, D(1.9), 1},
        {IR_FTOSI, IR_I32, IR_F64, D(-1.9), 0xffffffff},
        {IR_FTOSI, IR_I32, IR_F64, D(2147483647.9), 0x7fffffff},
        {IR_FTOSI, IR_I32, IR_F64, D(2147483648.0), 0x80000000},
        {IR_FTOSI, IR_I32, IR_F64, D(-2147483648.9), 0x80000000},
        {IR_FTOSI, IR_I32, IR_F64, D(-2147483649.0), 0x80000000},
        {IR_FTOSI, IR_I32, IR_F64, D(NAN), 0x80000000},
        {IR_FTOSI, IR_I32, IR_F64, D(INFINITY), 0x80000000},
        {IR_FTOSI, IR_I32, IR_F64, D(-INFINITY), 0x80000000},
        {IR_FTOSI, IR_I32, IR_F32, FL(-5.5f), 0xfffffffb},
        {IR_FTOSI, IR_I32, IR_F32, FL(3e9f), 0x80000000},
        {IR_FTOSI, IR_I64, IR_F64, D(two63), 0x8000000000000000ull},
        {IR_FTOSI, IR_I64, IR_F64, D(-two63), 0x8000000000000000ull},
        {IR_FTOSI, IR_I64, IR_F64, D(1e19), 0x8000000000000000ull},
        {IR_FTOSI, IR_I64, IR_F64, D(-1e19), 0x8000000000000000ull},
        {IR_FTOSI, IR_I64, IR_F64, D(NAN), 0x8000000000000000ull},
        {IR_FTOSI, IR_I64, IR_F64, D(-123456789012.7), (uint64_t)-123456789012ll},
        {IR_FTOSI, IR_I64, IR_F32, FL(1e20f), 0x8000000000000000ull},
        {IR_FTOUI, IR_I32, IR_F64, D(4294967295.0), 0xffffffff},
        {IR_FTOUI, IR_I32, IR_F64, D(4294967296.0), 0},
        {IR_FTOUI, IR_I32, IR_F64, D(-1.0), 0xffffffff},
        {IR_FTOUI, IR_I32, IR_F64, D(1e20), 0},
        {IR_FTOUI, IR_I32, IR_F64, D(NAN), 0},
        {IR_FTOUI, IR_I32, IR_F32, FL(3e9f), 3000000000u},
        {IR_FTOUI, IR_I64, IR_F64, D(two63), 0x8000000000000000ull},
        {IR_FTOUI, IR_I64, IR_F64, D(18446744073709549568.0), 0xfffffffffffff800ull},
        {IR_FTOUI, IR_I64, IR_F64, D(18446744073709551616.0), 0},
        {IR_FTOUI, IR_I64, IR_F64, D(-1.0), 0xffffffffffffffffull},
        {IR_FTOUI, IR_I64, IR_F64, D(NAN), 0},
        {IR_FTOUI, IR_I64, IR_F64, D(INFINITY), 0},
        {IR_FTOUI, IR_I64, IR_F32, FL(1.5e19f), 0xd02ab50000000000ull},
        {IR_SITOF, IR_F64, IR_I32, 0xffffffff, D(-1.0)},
        {IR_SITOF, IR_F32, IR_I32, 0x80000000, FL(-2147483648.0f)},
        {IR_SITOF, IR_F64, IR_I64, 0x8000000000000000ull, D(-two63)},
        {IR_SITOF, IR_F32, IR_I64, 0x7fffffffffffffffull, FL(9223372036854775807.0f)},
        {IR_UITOF, IR_F64, IR_I32, 0xffffffff, D(4294967295.0)},
        {IR_UITOF, IR_F32, IR_I32, 0xffffffff, FL(4294967296.0f)},
        {IR_UITOF, IR_F64, IR_I64, 0xffffffffffffffffull, D(18446744073709551616.0)},
        {IR_UITOF, IR_F32, IR_I64, 0x8000000000000001ull, FL(9223372036854775808.0f)},
        {IR_FCVT, IR_F64, IR_F32, FL(0.1f), D((double)0.1f)},
        {IR_FCVT, IR_F32, IR_F64, D(0.1), FL(0.1f)},
        {IR_FCVT, IR_F32, IR_F64, D(1e300), FL(INFINITY)},
        {IR_SEXT8, IR_I32, IR_I32, 0x1ff80, 0xffffff80},
        {IR_ZEXT8, IR_I32, IR_I32, 0x1ff80, 0x80},
        {IR_SEXT16, IR_I32, IR_I32, 0x18000, 0xffff8000},
        {IR_ZEXT16, IR_I32, IR_I32, 0x18000, 0x8000},
        {IR_SEXT8, IR_I64, IR_I64, 0x17f, 0x7f},
        {IR_SEXT16, IR_I64, IR_I64, 0xffff, 0xffffffffffffffffull},
        {IR_ZEXT16, IR_I64, IR_I64, 0xffffffffffffffffull, 0xffff},
        {IR_SEXT32, IR_I64, IR_I32, 0x80000000, 0xffffffff80000000ull},
        {IR_ZEXT32, IR_I64, IR_I32, 0x80000000, 0x80000000},
        {IR_TRUNC, IR_I32, IR_I64, 0x123456789ull, 0x23456789},
        {IR_BITCAST, IR_F64, IR_I64, 0x3ff0000000000000ull, D(1.0)},
        {IR_BITCAST, IR_I32, IR_F32, FL(1.0f), 0x3f800000},
    };
    size_t n = sizeof cs / sizeof *cs;
    new_module();
    for (size_t i = 0; i < n; i++) {
        fn_begin("conv", cs[i].t, 1, cs[i].st);
        ret(conv(cs[i].op, cs[i].t, prm(0)));
    }
    /* constant operand: conversion of a constant register */
    fn_begin("convk", IR_I32, 0);
    ret(conv(IR_FTOSI, IR_I32, kD(-7.9)));
    CHECK(verify_ok(), "verify conversions");
    tmod tm;
    mod_load(&tm, M, DATA_BASE);
    for (size_t i = 0; i < n; i++) {
        uint64_t r, a = cs[i].in;
        int rc = run(&tm, (uint32_t)i, &a, &r);
        int w32 = cs[i].t == IR_I32 || cs[i].t == IR_F32;
        uint64_t got = w32 ? (uint32_t)r : r;
        CHECK(rc == 0 && got == cs[i].want, "conv %zu (%s %s<-%s): got %" PRIx64 " want %" PRIx64,
              i, ir_op_name(cs[i].op), ir_type_name(cs[i].t), ir_type_name(cs[i].st), got,
              cs[i].want);
    }
    uint64_t r;
    run(&tm, (uint32_t)n, NULL, &r);
    CHECK((int32_t)r == -7, "ftosi of constant");
    mod_unload(&tm);
    ir_module_free(M);
}

/* ---- memory ------------------------------------------------------------------ */

static void test_memory(void)
{
    static const struct { int kind, t; uint64_t want; } lk[] = {
        {IR_M_I8, IR_I32, 0xfffffff0}, {IR_M_U8, IR_I32, 0xf0},
        {IR_M_I16, IR_I32, 0xfffff1f0}, {IR_M_U16, IR_I32, 0xf1f0},
        {IR_M_I32, IR_I32, 0xf3f2f1f0}, {IR_M_I8, IR_I64, 0xfffffffffffffff0ull},
        {IR_M_U8, IR_I64, 0xf0}, {IR_M_I16, IR_I64, 0xfffffffffffff1f0ull},
        {IR_M_U16, IR_I64, 0xf1f0}, {IR_M_I32, IR_I64, 0xfffffffff3f2f1f0ull},
        {IR_M_U32, IR_I64, 0xf3f2f1f0}, {IR_M_I64, IR_I64, 0x07060504f3f2f1f0ull},
        {IR_M_F32, IR_F32, 0xf3f2f1f0}, {IR_M_F64, IR_F64, 0x07060504f3f2f1f0ull},
    };
    size_t nl = sizeof lk / sizeof *lk;
    new_module();
    for (size_t i = 0; i < nl; i++) { /* f(p) = load [p + 8] */
        fn_begin("ld", lk[i].t, 1, IR_I32);
        ret(load(lk[i].kind, lk[i].t, prm(0), 8));
    }
    static const struct { int kind, t; } sk[] = {
        {IR_M_I8, IR_I32}, {IR_M_U16, IR_I32}, {IR_M_I32, IR_I32}, {IR_M_I8, IR_I64},
        {IR_M_I16, IR_I64}, {IR_M_U32, IR_I64}, {IR_M_I64, IR_I64}, {IR_M_F32, IR_F32},
        {IR_M_F64, IR_F64},
    };
    size_t ns = sizeof sk / sizeof *sk;
    for (size_t i = 0; i < ns; i++) { /* f(p, v): store [p - 4] = v */
        fn_begin("st", IR_VOID, 2, IR_I32, sk[i].t);
        store(sk[i].kind, prm(0), prm(1), -4);
        ret(0);
    }
    /* copy(d, s) 10 bytes; zero(d) 5 bytes */
    uint32_t fcopy = M->nfuncs;
    fn_begin("copy", IR_VOID, 2, IR_I32, IR_I32);
    emit((ir_insn){.op = IR_COPY, .a = prm(0), .b = prm(1), .imm = 10});
    ret(0);
    fn_begin("zero", IR_VOID, 1, IR_I32);
    emit((ir_insn){.op = IR_ZERO, .a = prm(0), .imm = 5});
    ret(0);
    fn_begin("copybig", IR_VOID, 2, IR_I32, IR_I32);
    emit((ir_insn){.op = IR_COPY, .a = prm(0), .b = prm(1), .imm = 0xffffffffll});
    ret(0);
    uint32_t fld4 = M->nfuncs; /* f(p, ) = load.i32 [p + 0] with a line number */
    LINE = 42;
    fn_begin("ld4", IR_I32, 1, IR_I32);
    ret(load(IR_M_I32, IR_I32, prm(0), 0));
    LINE = 0;
    fn_begin("ldneg", IR_I32, 1, IR_I32);
    ret(load(IR_M_U8, IR_I32, prm(0), -1));
    fn_begin("ldbig", IR_I32, 1, IR_I32);
    ret(load(IR_M_U8, IR_I32, prm(0), 8));
    CHECK(verify_ok(), "verify memory");
    tmod tm;
    mod_load(&tm, M, DATA_BASE);
    memset(MEM, 0, MEMSZ);
    const uint32_t P = 0x20000;
    const uint8_t pat[] = {0xf0, 0xf1, 0xf2, 0xf3, 4, 5, 6, 7};
    memcpy(MEM + P + 8, pat, 8);
    uint64_t r;
    for (size_t i = 0; i < nl; i++) {
        uint64_t a = P;
        int rc = run(&tm, (uint32_t)i, &a, &r);
        int w32 = lk[i].t == IR_I32 || lk[i].t == IR_F32;
        CHECK(rc == 0 && (w32 ? (uint32_t)r : r) == lk[i].want, "load %zu: %" PRIx64, i, r);
    }
    for (size_t i = 0; i < ns; i++) {
        uint64_t args[2] = {P + 0x100, 0x8877665544332211ull};
        memset(MEM + P + 0xf0, 0xee, 32);
        int rc = run(&tm, (uint32_t)(nl + i), args, &r);
        int sz = sk[i].kind <= IR_M_U8 ? 1 : sk[i].kind <= IR_M_U16 ? 2
               : (sk[i].kind <= IR_M_U32 || sk[i].kind == IR_M_F32) ? 4 : 8;
        uint8_t want[16];
        memset(want, 0xee, 16);
        memcpy(want + 4, "\x11\x22\x33\x44\x55\x66\x77\x88", (size_t)sz);
        CHECK(rc == 0 && !memcmp(MEM + P + 0xf8, want, 16), "store %zu", i);
    }
    /* copy overlapping (memmove) and zero */
    for (int i = 0; i < 16; i++)
        MEM[P + i] = (uint8_t)i;
    uint64_t ca[2] = {P + 2, P};
    CHECK(run(&tm, fcopy, ca, &r) == 0 && MEM[P + 2] == 0 && MEM[P + 11] == 9 && MEM[P + 12] == 12,
          "copy overlap");
    ca[0] = P + 1;
    CHECK(run(&tm, fcopy + 1, ca, &r) == 0 && MEM[P] == 0 && MEM[P + 1] == 0 && MEM[P + 5] == 0 &&
              MEM[P + 6] == 4,
          "zero");
    ca[0] = MEMSZ - 5;
    ca[1] = P;
    CHECK(run(&tm, fcopy, ca, &r) == KP_TRAP_MEMORY, "copy past the end traps");
    ca[0] = 100;
    CHECK(run(&tm, fcopy + 1, ca, &r) == KP_TRAP_MEMORY, "zero in page 0 traps");
    ca[0] = P;
    ca[1] = P;
    CHECK(run(&tm, fcopy + 2, ca, &r) == KP_TRAP_MEMORY, "copy of 4 GiB traps");
    /* bounds */
    static const struct { uint64_t a; int ok; } bt[] = {
        {0, 0}, {16, 0}, {4092, 0}, {4093, 0}, {4096, 1}, {MEMSZ - 4, 1}, {MEMSZ - 3, 0},
        {MEMSZ, 0}, {0xfffffffc, 0}, {0xffffffff, 0},
    };
    for (size_t i = 0; i < sizeof bt / sizeof *bt; i++) {
        uint64_t a = bt[i].a;
        int rc = run(&tm, fld4, &a, &r);
        CHECK(bt[i].ok ? rc == 0 : rc == KP_TRAP_MEMORY, "load4 at %" PRIx64 ": rc %d", a, rc);
    }
    uint64_t a = 16;
    run(&tm, fld4, &a, &r);
    CHECK(!strcmp(EX.trap_msg, "invalid memory read of 4 bytes at 0x00000010"), "msg: %s",
          EX.trap_msg);
    CHECK(EX.trap_line == 42 && EX.trap_func && !strcmp(EX.trap_func, "ld4"), "trap location %u",
          EX.trap_line);
    a = 4096;
    CHECK(run(&tm, fld4 + 1, &a, &r) == KP_TRAP_MEMORY, "4096 - 1 traps");
    a = 4097;
    CHECK(run(&tm, fld4 + 1, &a, &r) == 0, "4097 - 1 ok");
    a = 0xfffffffc; /* + 8 must not wrap to 4 */
    CHECK(run(&tm, fld4 + 2, &a, &r) == KP_TRAP_MEMORY, "no wrap-around");
    CHECK(strstr(EX.trap_msg, "0x100000004") != NULL, "unwrapped address in msg: %s", EX.trap_msg);
    uint64_t sa[2] = {0, 1};
    CHECK(run(&tm, (uint32_t)nl, sa, &r) == KP_TRAP_MEMORY && strstr(EX.trap_msg, "write"),
          "NULL store traps: %s", EX.trap_msg);
    mod_unload(&tm);
    ir_module_free(M);
}

/* ---- control flow, calls, frames ----------------------------------------------- */

static int64_t c_sum(int64_t n)
{
    int64_t s = 0;
    for (int32_t i = 0; i < n; i++)
        s += i ^ (i >> 3);
    return s;
}

static int32_t c_fib(int32_t n) { return n < 2 ? n : c_fib(n - 1) + c_fib(n - 2); }

/* sum(n): for (i = 0; i < n; i++) s += i ^ (i >> 3), over I32 i and I64 s */
static void build_sum(void)
{
    fn_begin("sum", IR_I64, 1, IR_I64);
    ir_reg s = reg(IR_I64), i = reg(IR_I32);
    uint32_t head = blk(), body = blk(), done = blk();
    mov(s, kL(0));
    mov(i, kI(0));
    jmp(head);
    at(head);
    ir_reg n32 = conv(IR_TRUNC, IR_I32, prm(0));
    br(cmp(IR_LTS, i, n32), body, done);
    at(body);
    ir_reg x = op2(IR_XOR, i, op2(IR_SHRS, i, kI(3)));
    op2to(IR_ADD, s, s, conv(IR_SEXT32, IR_I64, x));
    op2to(IR_ADD, i, i, kI(1));
    jmp(head);
    at(done);
    ret(s);
}

static void build_fib(uint32_t self)
{
    fn_begin("fib", IR_I32, 1, IR_I32);
    uint32_t rec = blk(), base = blk();
    br(cmp(IR_LTS, prm(0), kI(2)), base, rec);
    at(base);
    ret(prm(0));
    at(rec);
    ir_reg a = callx(IR_CALL, self, 0, IR_I32, NULL, 1, op2(IR_SUB, prm(0), kI(1)));
    ir_reg b = callx(IR_CALL, self, 0, IR_I32, NULL, 1, op2(IR_SUB, prm(0), kI(2)));
    ret(op2(IR_ADD, a, b));
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int raw_add3(kp_exec *ex, const uint64_t *args, const uint8_t *types, uint32_t n,
                    uint64_t *ret)
{
    (void)ex;
    uint64_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += types[i] == IR_I32 ? (uint64_t)(int64_t)(int32_t)args[i] : args[i];
    *ret = s;
    return 0;
}
static int raw_fail(kp_exec *ex, const uint64_t *args, const uint8_t *types, uint32_t n,
                    uint64_t *ret)
{
    (void)args; (void)types; (void)n; (void)ret;
    return kp_exec_trap(ex, KP_TRAP_BUILTIN, "builtin failed");
}
/* Calls back into the plugin through a handle: re-enters the engine while
 * the caller's frames are suspended (args: handle, n). */
static int raw_callback(kp_exec *ex, const uint64_t *args, const uint8_t *types, uint32_t n,
                        uint64_t *ret)
{
    (void)types; (void)n;
    int code;
    kp_fn *fn = kp_rt_handle_fn(NULL, (uint32_t)args[0], &code);
    if (!fn)
        return kp_exec_trap(ex, code, "bad handle");
    uint64_t a = args[1];
    return kp_rt_invoke(ex, fn, &a, NULL, 1, ret);
}
typedef struct thread_arg {
    kp_fn *fn;
    uint64_t n, ret;
    int rc;
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *ta = p;
    kp_exec ex;
    memset(&ex, 0, sizeof ex);
    ex.mem = MEM;
    ex.mem_size = MEMSZ;
    ex.sp = MEMSZ - STACK_SIZE - (uint32_t)(ta->n * 65536); /* a private plugin stack */
    ex.stack_lo = ex.sp - 65536;
    ex.max_depth = 1000;
    ex.interrupt_word = &IWORD;
    ex.interrupt_gen = atomic_load(&IWORD);
    ex.poll_countdown = 1u << 30;
    for (int i = 0; i < 50 && (i == 0 || ta->rc == 0); i++)
        ta->rc = kp_interp_engine.call(&ex, ta->fn, &ta->n, &ta->ret);
    return NULL;
}

static raw_builtin B_ADD3 = {raw_add3}, B_FAIL = {raw_fail}, B_CALLBACK = {raw_callback};

static void test_control(int bench)
{
    new_module();
    build_sum();                  /* 0 */
    build_fib(1);                 /* 1 */
    /* 2: depth(n) = n == 0 ? 0 : depth(n - 1) + 1, with a frame of 64 bytes
     * storing n at frame+8 and reading it back */
    fn_begin("depth", IR_I32, 1, IR_I32);
    F->frame_size = 64;
    F->frame_align = 8;
    {
        uint32_t z = blk(), nz = blk();
        ir_reg fr = reg(IR_I32);
        emit((ir_insn){.op = IR_FRAME, .type = IR_I32, .dst = fr, .imm = 8});
        store(IR_M_I32, fr, prm(0), 0);
        br(cmp(IR_EQ, prm(0), kI(0)), z, nz);
        at(z);
        ret(kI(0));
        at(nz);
        ir_reg r = callx(IR_CALL, 2, 0, IR_I32, NULL, 1, op2(IR_SUB, prm(0), kI(1)));
        ir_reg back = load(IR_M_I32, IR_I32, fr, 0);
        ir_reg ok = cmp(IR_EQ, back, prm(0));
        ret(op2(IR_ADD, r, ok));
    }
    /* 3: switch, dense: x -> {0:10, 1:11, 2:12, 5:15, -1:9}, else 99 */
    fn_begin("swd", IR_I32, 1, IR_I32);
    {
        static const int64_t cv[] = {0, 1, 2, 5, -1};
        uint32_t def = blk();
        ir_case *c = kp_arena_alloc(&M->arena, 5 * sizeof *c);
        for (int i = 0; i < 5; i++) {
            c[i].value = cv[i];
            c[i].block = blk();
        }
        emit((ir_insn){.op = IR_SWITCH, .type = IR_I32, .a = prm(0), .t1 = def, .nargs = 5, .cases = c});
        at(def);
        ret(kI(99));
        for (int i = 0; i < 5; i++) {
            at(c[i].block);
            ret(kI((int32_t)(10 + cv[i])));
        }
    }
    /* 4: switch, sparse I64 */
    fn_begin("sws", IR_I32, 1, IR_I64);
    {
        static const int64_t cv[] = {1000000, -5, INT64_MIN, INT64_MAX, 77, 3};
        uint32_t def = blk();
        ir_case *c = kp_arena_alloc(&M->arena, 6 * sizeof *c);
        for (int i = 0; i < 6; i++) {
            c[i].value = cv[i];
            c[i].block = blk();
        }
        emit((ir_insn){.op = IR_SWITCH, .type = IR_I64, .a = prm(0), .t1 = def, .nargs = 6, .cases = c});
        at(def);
        ret(kI(-1));
        for (int i = 0; i < 6; i++) {
            at(c[i].block);
            ret(kI(i));
        }
    }
    /* 5: infinite loop (polls on its back-edge) */
    fn_begin("spin", IR_VOID, 0);
    {
        uint32_t l = blk();
        jmp(l);
        at(l);
        jmp(l);
    }
    /* 6: loop whose back-edge is a conditional branch: do { i++ } while (i != n) */
    fn_begin("dowhile", IR_I32, 1, IR_I32);
    {
        ir_reg i = reg(IR_I32);
        mov(i, kI(0));
        uint32_t l = blk(), e = blk();
        jmp(l);
        at(l);
        op2to(IR_ADD, i, i, kI(1));
        br(cmp(IR_NE, i, prm(0)), l, e);
        at(e);
        ret(i);
    }
    /* 7: calls through imports and handles */
    M->imports = kp_arena_alloc(&M->arena, 5 * sizeof *M->imports);
    M->nimports = 5;
    M->imports[0] = (ir_import){"add3", {IR_I64, 2, 1, {IR_I32, IR_I64}}};
    M->imports[1] = (ir_import){"nothere", {IR_I32, 0, 0, {0}}};
    M->imports[2] = (ir_import){"failer", {IR_VOID, 0, 0, {0}}};
    M->imports[3] = (ir_import){"fib", {IR_I64, 1, 0, {IR_I32}}}; /* wrong prototype */
    M->imports[4] = (ir_import){"callback", {IR_I32, 2, 0, {IR_I32, IR_I32}}};
    fn_begin("use_add3", IR_I64, 0); /* 7: add3(5, 1<<40, 7 (i32), 2.0?) variadic */
    ret(callx(IR_CALLI, 0, 0, IR_I64, NULL, 3, kI(-5), kL(1ll << 40), kI(7)));
    fn_begin("use_missing", IR_I32, 0); /* 8 */
    LINE = 77;
    ret(callx(IR_CALLI, 1, 0, IR_I32, NULL, 0));
    LINE = 0;
    fn_begin("use_failer", IR_VOID, 0); /* 9 */
    callx(IR_CALLI, 2, 0, 0, NULL, 0);
    ret(0);
    fn_begin("use_badproto", IR_I64, 0); /* 10 */
    ret(callx(IR_CALLI, 3, 0, IR_I64, NULL, 1, kI(3)));
    static const ir_sig sig_i_i = {IR_I32, 1, 0, {IR_I32}};
    static const ir_sig sig_l_i = {IR_I64, 1, 0, {IR_I32}};
    fn_begin("callp", IR_I32, 2, IR_I32, IR_I32); /* 11: callp(h, x) = h(x) */
    ret(callx(IR_CALLP, 0, prm(0), IR_I32, &sig_i_i, 1, prm(1)));
    fn_begin("callp_l", IR_I64, 2, IR_I32, IR_I32); /* 12: wrong prototype through a pointer */
    ret(callx(IR_CALLP, 0, prm(0), IR_I64, &sig_l_i, 1, prm(1)));
    fn_begin("fibaddr", IR_I32, 0); /* 13: &fib */
    {
        ir_reg h = reg(IR_I32);
        emit((ir_insn){.op = IR_FADDR, .type = IR_I32, .dst = h, .imm = 1});
        ret(h);
    }
    fn_begin("cb", IR_I32, 2, IR_I32, IR_I32); /* 14: callback(h, n) + 1 */
    ret(op2(IR_ADD, callx(IR_CALLI, 4, 0, IR_I32, NULL, 2, prm(0), prm(1)), kI(1)));
    fn_begin("strlen_memset", IR_I32, 1, IR_I32); /* 15: memset(p, 'a', 9); strlen(p) */
    callx(IR_CALLR, IR_RT_MEMSET, 0, IR_PTR, NULL, 3, prm(0), kI('a'), kI(9));
    ret(callx(IR_CALLR, IR_RT_STRLEN, 0, IR_I32, NULL, 1, prm(0)));
    fn_begin("abort", IR_VOID, 0); /* 16 */
    callx(IR_CALLR, IR_RT_ABORT, 0, 0, NULL, 0);
    ret(0);
    /* 17: globals: data[4..8) holds 41; return ++data[4] via GADDR; data[8]
     * holds a relocated pointer the loader (here: the test) does not patch */
    M->data_size = 16;
    M->data = kp_arena_alloc(&M->arena, 16);
    M->data[4] = 41;
    fn_begin("glob", IR_I32, 0);
    {
        ir_reg g = reg(IR_I32);
        emit((ir_insn){.op = IR_GADDR, .type = IR_I32, .dst = g, .imm = 4});
        ir_reg v = op2(IR_ADD, load(IR_M_I32, IR_I32, g, 0), kI(1));
        store(IR_M_I32, g, v, 0);
        ret(v);
    }
    /* 18: a long argument list, moved around */
    fn_begin("many", IR_I64, 8, IR_I32, IR_I64, IR_F64, IR_I32, IR_F32, IR_I64, IR_I32, IR_I32);
    {
        ir_reg s = conv(IR_SEXT32, IR_I64, prm(0));
        s = op2(IR_ADD, s, prm(1));
        s = op2(IR_ADD, s, conv(IR_FTOSI, IR_I64, prm(2)));
        s = op2(IR_ADD, s, conv(IR_SEXT32, IR_I64, prm(3)));
        s = op2(IR_ADD, s, conv(IR_FTOSI, IR_I64, prm(4)));
        s = op2(IR_ADD, s, prm(5));
        s = op2(IR_SUB, s, conv(IR_SEXT32, IR_I64, prm(6)));
        s = op2(IR_MUL, s, conv(IR_SEXT32, IR_I64, prm(7)));
        ret(s);
    }
    fn_begin("callmany", IR_I64, 0); /* 19 */
    ret(callx(IR_CALL, 18, 0, IR_I64, NULL, 8, kI(1), kL(2), kD(3.5), kI(4), kF(5.5f), kL(6),
              kI(7), kI(-2)));
    CHECK(verify_ok(), "verify control");

    /* the namespace */
    tmod tm;
    ns_slot("fib"); /* linked below once loaded */
    kp_fn b_add3 = {.kind = KP_FN_BUILTIN, .name = "add3", .sig = {IR_I64, 2, 1, {IR_I32, IR_I64}}, .userdata = &B_ADD3};
    kp_fn b_fail = {.kind = KP_FN_BUILTIN, .name = "failer", .sig = {IR_VOID, 0, 0, {0}}, .userdata = &B_FAIL};
    kp_fn b_cb = {.kind = KP_FN_BUILTIN, .name = "callback", .sig = {IR_I32, 2, 0, {IR_I32, IR_I32}}, .userdata = &B_CALLBACK};
    atomic_store(&ns_slot("add3")->fn, &b_add3);
    atomic_store(&ns_slot("failer")->fn, &b_fail);
    atomic_store(&ns_slot("callback")->fn, &b_cb);
    memset(MEM, 0, MEMSZ);
    if (mod_load(&tm, M, DATA_BASE)) {
        CHECK(0, "load control");
        return;
    }
    atomic_store(&ns_slot("fib")->fn, &tm.fns[1]);
    uint64_t r, a;

    a = 1000;
    CHECK(run(&tm, 0, &a, &r) == 0 && (int64_t)r == c_sum(1000), "sum %" PRId64, r);
    a = 20;
    CHECK(run(&tm, 1, &a, &r) == 0 && (int32_t)r == 6765, "fib(20) = %d", (int32_t)r);
    a = 500;
    CHECK(run(&tm, 2, &a, &r) == 0 && (int32_t)r == 500, "depth(500) with frames = %d", (int32_t)r);
    a = 5000; /* max_depth 1000 */
    CHECK(run(&tm, 2, &a, &r) == KP_TRAP_STACK && strstr(EX.trap_msg, "depth"), "depth limit: %s",
          EX.trap_msg);
    CHECK(EX.trap_func && !strcmp(EX.trap_func, "depth"), "depth trap located");
    exec_reset();
    EX.max_depth = 1000000; /* now the 256 KiB plugin stack runs out first (64-byte frames) */
    a = 100000;
    CHECK(kp_interp_engine.call(&EX, &tm.fns[2], &a, &r) == KP_TRAP_STACK &&
              strstr(EX.trap_msg, "plugin stack"),
          "plugin stack exhausted: %s", EX.trap_msg);
    CHECK(EX.sp == MEMSZ && EX.depth == 0, "restored after stack trap");
    exec_reset();
    EX.max_depth = 1000000;
    EX.stack_lo = 4096; /* deep recursion grows the interpreter's value stack */
    a = 60000;
    CHECK(kp_interp_engine.call(&EX, &tm.fns[2], &a, &r) == 0 && (int32_t)r == 60000,
          "depth(60000) = %d", (int32_t)r);

    static const int64_t sw[][2] = {{0, 10}, {1, 11}, {2, 12}, {3, 99}, {4, 99}, {5, 15},
                                    {-1, 9}, {-2, 99}, {6, 99}, {INT32_MIN, 99}, {0x100000000, 10}};
    for (size_t i = 0; i < sizeof sw / sizeof *sw; i++) {
        a = (uint64_t)sw[i][0];
        CHECK(run(&tm, 3, &a, &r) == 0 && (int32_t)r == sw[i][1], "switch dense %" PRId64 " -> %d",
              sw[i][0], (int32_t)r);
    }
    static const int64_t sws[][2] = {{1000000, 0}, {-5, 1}, {INT64_MIN, 2}, {INT64_MAX, 3},
                                     {77, 4}, {3, 5}, {4, -1}, {0, -1}, {-6, -1}};
    for (size_t i = 0; i < sizeof sws / sizeof *sws; i++) {
        a = (uint64_t)sws[i][0];
        CHECK(run(&tm, 4, &a, &r) == 0 && (int32_t)r == sws[i][1], "switch sparse %" PRId64, sws[i][0]);
    }
    polls_until_timeout = 5;
    CHECK(run(&tm, 5, NULL, &r) == KP_TRAP_TIMEOUT, "infinite loop stops at its deadline");
    polls_until_timeout = 0;
    exec_reset();
    atomic_fetch_add(&IWORD, 1); /* kp_interrupt() */
    CHECK(kp_interp_engine.call(&EX, &tm.fns[5], NULL, &r) == KP_TRAP_INTERRUPTED, "interrupted");
    a = 1000;
    CHECK(run(&tm, 6, &a, &r) == 0 && (int32_t)r == 1000, "do-while");
    polls_until_timeout = 5;
    a = 0; /* runs 2^32 times unless the conditional back-edge polls */
    CHECK(run(&tm, 6, &a, &r) == KP_TRAP_TIMEOUT, "conditional back-edge polls");
    polls_until_timeout = 0;

    CHECK(run(&tm, 7, NULL, &r) == 0 && (int64_t)r == (1ll << 40) + 2, "variadic builtin: %" PRId64, r);
    CHECK(run(&tm, 8, NULL, &r) == KP_TRAP_UNLINKED &&
              !strcmp(EX.trap_msg, "call to unlinked function 'nothere'") && EX.trap_line == 77,
          "unlinked: %s line %u", EX.trap_msg, EX.trap_line);
    CHECK(run(&tm, 9, NULL, &r) == KP_TRAP_BUILTIN && !strcmp(EX.trap_func, "use_failer"),
          "builtin failure");
    CHECK(run(&tm, 10, NULL, &r) == KP_TRAP_BAD_CALL && strstr(EX.trap_msg, "prototype mismatch"),
          "prototype mismatch: %s", EX.trap_msg);
    CHECK(run(&tm, 13, NULL, &r) == 0 && (uint32_t)r == tm.fh[1], "faddr");
    uint64_t pa[2] = {tm.fh[1], 15};
    CHECK(run(&tm, 11, pa, &r) == 0 && (int32_t)r == 610, "call through a handle");
    pa[0] = 999;
    CHECK(run(&tm, 11, pa, &r) == KP_TRAP_BAD_CALL, "bad handle");
    pa[0] = ns_slot("nothere")->handle;
    CHECK(run(&tm, 11, pa, &r) == KP_TRAP_UNLINKED, "unlinked handle");
    pa[0] = tm.fh[1];
    CHECK(run(&tm, 12, pa, &r) == KP_TRAP_BAD_CALL, "handle prototype mismatch");
    pa[0] = tm.fh[2]; /* callback into depth(3000): grows the value stack while suspended */
    pa[1] = 900;
    CHECK(run(&tm, 14, pa, &r) == 0 && (int32_t)r == 901, "re-entry: %d", (int32_t)r);
    a = 0x30000;
    CHECK(run(&tm, 15, &a, &r) == 0 && (int32_t)r == 9, "rtlib: %d", (int32_t)r);
    CHECK(run(&tm, 16, NULL, &r) == KP_TRAP_BUILTIN, "abort");
    CHECK(run(&tm, 17, NULL, &r) == 0 && (int32_t)r == 42 && MEM[DATA_BASE + 4] == 42, "globals");
    CHECK(run(&tm, 19, NULL, &r) == 0 && (int64_t)r == (1 + 2 + 3 + 4 + 5 + 6 - 7) * -2,
          "many args: %" PRId64, r);

    /* several threads in the same module at once: each has its own
     * interpreter stack and its own exec */
    {
        pthread_t th[4];
        thread_arg ta[4];
        for (int k = 0; k < 4; k++) {
            ta[k].fn = &tm.fns[1];
            ta[k].n = 18 + k;
            ta[k].rc = -1;
            pthread_create(&th[k], NULL, thread_main, &ta[k]);
        }
        static const int32_t fibs[] = {2584, 4181, 6765, 10946};
        for (int k = 0; k < 4; k++) {
            pthread_join(th[k], NULL);
            CHECK(ta[k].rc == 0 && (int32_t)ta[k].ret == fibs[k], "thread %d: fib = %d", k,
                  (int32_t)ta[k].ret);
        }
    }

    if (bench) {
        double t0 = now();
        a = 32;
        run(&tm, 1, &a, &r);
        double t1 = now();
        volatile int32_t cr = c_fib(32);
        double t2 = now();
        printf("fib(32): interp %.3fs, C %.3fs, ratio %.1fx (%d %d)\n", t1 - t0, t2 - t1,
               (t1 - t0) / (t2 - t1), (int32_t)r, cr);
        a = 200000000;
        t0 = now();
        run(&tm, 0, &a, &r);
        t1 = now();
        volatile int64_t cs = c_sum((int64_t)a);
        t2 = now();
        printf("sum(2e8): interp %.3fs, C %.3fs, ratio %.1fx (%s)\n", t1 - t0, t2 - t1,
               (t1 - t0) / (t2 - t1), (int64_t)r == cs ? "same" : "DIFFERENT");
    }
    mod_unload(&tm);
    ir_module_free(M);
}

/* ---- fused forms: indexed memory, copied loop tests ---------------------------- */

static void test_fusion(void)
{
    new_module();
    /* 0: f(b, i) = load.i32 [b + i*4 + 8] (mul form) */
    fn_begin("ldx_mul", IR_I32, 2, IR_I32, IR_I32);
    {
        ir_reg t = op2(IR_MUL, prm(1), kI(4));
        ir_reg p = op2(IR_ADD, prm(0), t);
        ret(load(IR_M_I32, IR_I32, p, 8));
    }
    /* 1: f(b, i) = load.i16 [(i << 1) + b] (shl form, operands swapped) */
    fn_begin("ldx_shl", IR_I32, 2, IR_I32, IR_I32);
    {
        ir_reg t = op2(IR_SHL, prm(1), kI(1));
        ir_reg p = op2(IR_ADD, t, prm(0));
        ret(load(IR_M_I16, IR_I32, p, 0));
    }
    /* 2: f(i, v): store.i64 [gaddr 0 + i*8] = v * 3 + i, value computed
     * between the address and the store (deferred indexed store) */
    fn_begin("stx_late", IR_VOID, 2, IR_I32, IR_I64);
    {
        ir_reg g = reg(IR_I32);
        emit((ir_insn){.op = IR_GADDR, .type = IR_I32, .dst = g, .imm = 0});
        ir_reg t = op2(IR_MUL, prm(0), kI(8));
        ir_reg p = op2(IR_ADD, g, t);
        ir_reg v = op2(IR_ADD, op2(IR_MUL, prm(1), kL(3)), conv(IR_SEXT32, IR_I64, prm(0)));
        store(IR_M_I64, p, v, 0);
        ret(0);
    }
    /* 3: the index changes between address and store: no fusion allowed.
     * f(b, i): p = b + i; i = i + 1; store.u8 [p] = i; return i */
    fn_begin("stx_clobber", IR_I32, 2, IR_I32, IR_I32);
    {
        ir_reg p = op2(IR_ADD, prm(0), prm(1));
        op2to(IR_ADD, prm(1), prm(1), kI(1));
        store(IR_M_U8, p, prm(1), 0);
        ret(prm(1));
    }
    /* 4: f(b, i) = load.u8 [b + i] with the address wrapping mod 2^32 */
    fn_begin("ldx_wrap", IR_I32, 2, IR_I32, IR_I32);
    ret(load(IR_M_U8, IR_I32, op2(IR_ADD, prm(0), prm(1)), 0));
    /* 5: s = 0; i = 0; while (i < n) { s += load.u8 [b + i]; i++ } (the JMP
     * back to the small test block is replaced by a copy of it) */
    fn_begin("bytesum", IR_I32, 2, IR_I32, IR_I32);
    {
        ir_reg s = reg(IR_I32), i = reg(IR_I32);
        uint32_t head = blk(), body = blk(), done = blk();
        mov(s, kI(0));
        mov(i, kI(0));
        jmp(head);
        at(head);
        br(cmp(IR_LTS, i, prm(1)), body, done);
        at(body);
        op2to(IR_ADD, s, s, load(IR_M_U8, IR_I32, op2(IR_ADD, prm(0), i), 0));
        op2to(IR_ADD, i, i, kI(1));
        jmp(head);
        at(done);
        ret(s);
    }
    /* 6: f(p, x): store.u8 [p] = zext8 x; store.i16 [p+2] = zext8 x;
     * store.i16 [p+4] = sext16 x (extensions feeding narrower stores) */
    fn_begin("extstore", IR_VOID, 2, IR_I32, IR_I32);
    store(IR_M_U8, prm(0), conv(IR_ZEXT8, IR_I32, prm(1)), 0);
    store(IR_M_I16, prm(0), conv(IR_ZEXT8, IR_I32, prm(1)), 2);
    store(IR_M_I16, prm(0), conv(IR_SEXT16, IR_I32, prm(1)), 4);
    ret(0);
    /* 7: f(x) = (x & 0x104) ? 1 : 2 (and-and-branch) */
    fn_begin("band", IR_I32, 1, IR_I32);
    {
        uint32_t b1 = blk(), b2 = blk();
        br(op2(IR_AND, kI(0x104), prm(0)), b1, b2);
        at(b1);
        ret(kI(1));
        at(b2);
        ret(kI(2));
    }
    /* 8, 9: f(x) = x * -1280 + 70000 (mul-add with constants), i32 and i64 */
    fn_begin("madd32", IR_I32, 1, IR_I32);
    ret(op2(IR_ADD, kI(70000), op2(IR_MUL, prm(0), kI(-1280))));
    fn_begin("madd64", IR_I64, 1, IR_I64);
    ret(op2(IR_ADD, op2(IR_MUL, kL(-1280), prm(0)), kL(70000)));
    CHECK(verify_ok(), "verify fusion");
    tmod tm;
    memset(MEM, 0, MEMSZ);
    if (mod_load(&tm, M, DATA_BASE)) {
        CHECK(0, "load fusion");
        ir_module_free(M);
        return;
    }
    const uint32_t P = 0x20000;
    for (int k = 0; k < 64; k++)
        MEM[P + k] = (uint8_t)(k * 7 + 1);
    uint64_t r, a2[2];
    uint32_t w;
    a2[0] = P;
    a2[1] = 3;
    memcpy(&w, MEM + P + 20, 4);
    CHECK(run(&tm, 0, a2, &r) == 0 && (uint32_t)r == w, "ldx mul");
    a2[0] = P + 20;
    a2[1] = (uint32_t)-2; /* b + (-2 << 2) + 8 wraps back to P + 20 */
    CHECK(run(&tm, 0, a2, &r) == 0 && (uint32_t)r == w, "ldx negative index");
    uint16_t h;
    memcpy(&h, MEM + P + 10, 2);
    a2[0] = P;
    a2[1] = 5;
    CHECK(run(&tm, 1, a2, &r) == 0 && (int32_t)r == (int16_t)h, "ldx shl");
    a2[0] = 7;
    a2[1] = 5;
    CHECK(run(&tm, 2, a2, &r) == 0, "stx late");
    int64_t got;
    memcpy(&got, MEM + DATA_BASE + 56, 8);
    CHECK(got == 5 * 3 + 7, "stx late value %" PRId64, got);
    a2[0] = (uint32_t)-1; /* index -1: DATA_BASE - 8, also valid */
    CHECK(run(&tm, 2, a2, &r) == 0, "stx negative");
    memcpy(&got, MEM + DATA_BASE - 8, 8);
    CHECK(got == 5 * 3 - 1, "stx negative value");
    a2[0] = 0x40000000; /* 0x40000000 * 8 wraps to 0: the store hits DATA_BASE */
    CHECK(run(&tm, 2, a2, &r) == 0, "stx wrap");
    memcpy(&got, MEM + DATA_BASE, 8);
    CHECK(got == 5 * 3 + 0x40000000, "stx wrap value");
    a2[0] = P;
    a2[1] = 9;
    CHECK(run(&tm, 3, a2, &r) == 0 && (int32_t)r == 10 && MEM[P + 9] == 10, "no fusion across a redefinition");
    a2[0] = 0xfffffff0u; /* + 0x20010 wraps to 0x20000 */
    a2[1] = P + 0x10;
    CHECK(run(&tm, 4, a2, &r) == 0 && (uint32_t)r == MEM[P], "ldx 32-bit wrap");
    a2[0] = 16;
    a2[1] = 0xfffffff0u; /* 16 + -16 = 0: NULL */
    CHECK(run(&tm, 4, a2, &r) == KP_TRAP_MEMORY && strstr(EX.trap_msg, "at 0x00000000"), "ldx wrap to NULL: %s",
          EX.trap_msg);
    a2[0] = P;
    a2[1] = 64;
    uint32_t want = 0;
    for (int k = 0; k < 64; k++)
        want += MEM[P + k];
    CHECK(run(&tm, 5, a2, &r) == 0 && (uint32_t)r == want, "bytesum %u %u", (uint32_t)r, want);
    a2[0] = P + 32;
    a2[1] = 0x12345687;
    CHECK(run(&tm, 6, a2, &r) == 0 && MEM[P + 32] == 0x87 && MEM[P + 34] == 0x87 && MEM[P + 35] == 0 &&
              MEM[P + 36] == 0x87 && MEM[P + 37] == 0x56,
          "extension + store");
    static const uint64_t bx[][2] = {{4, 1}, {0x100, 1}, {3, 2}, {0x100000004ull, 1}, {0x100000000ull, 2}};
    for (int k = 0; k < 5; k++) {
        a2[0] = bx[k][0];
        CHECK(run(&tm, 7, a2, &r) == 0 && (uint32_t)r == bx[k][1], "band %d", k);
    }
    static const int64_t mx[] = {0, 1, -1, 123456, INT32_MIN, INT32_MAX, 1ll << 40, -(1ll << 50)};
    for (int k = 0; k < 8; k++) {
        a2[0] = (uint64_t)mx[k];
        CHECK(run(&tm, 8, a2, &r) == 0 &&
                  (uint32_t)r == (uint32_t)((uint32_t)mx[k] * (uint32_t)-1280 + 70000u),
              "madd32 %d", k);
        CHECK(run(&tm, 9, a2, &r) == 0 && r == (uint64_t)mx[k] * (uint64_t)-1280 + 70000u,
              "madd64 %d", k);
    }
    polls_until_timeout = 3;
    a2[1] = 0x7fffffff; /* runs off the end of memory unless stopped first */
    a2[0] = 4096;
    CHECK(run(&tm, 5, a2, &r) == KP_TRAP_TIMEOUT || EX.trap_code == KP_TRAP_MEMORY, "copied test polls");
    polls_until_timeout = 0;
    mod_unload(&tm);
    ir_module_free(M);
}

/* ---- out of memory ----------------------------------------------------------- */

#ifdef TEST_FAILALLOC
/* Fail the n-th allocation of a load (and of the first call on a new
 * thread) for every n: load must fail cleanly with KP_ERR_NOMEM and leave
 * nothing allocated (the ASan build checks for leaks). */
static void *oom_thread(void *p)
{
    tmod *tm = p;
    uint64_t a = 10, r;
    kp_exec ex;
    memset(&ex, 0, sizeof ex);
    ex.mem = MEM;
    ex.mem_size = MEMSZ;
    ex.sp = MEMSZ - STACK_SIZE - 65536;
    ex.stack_lo = ex.sp - 65536;
    ex.max_depth = 100;
    ex.interrupt_word = &IWORD;
    ex.interrupt_gen = atomic_load(&IWORD);
    ex.poll_countdown = 100;
    fail_after = 0;
    int rc = kp_interp_engine.call(&ex, &tm->fns[1], &a, &r);
    fail_after = -1;
    CHECK(rc == KP_TRAP_STACK && strstr(ex.trap_msg, "memory"), "call without memory: %d", rc);
    return NULL;
}

static void test_oom(void)
{
    new_module();
    build_sum();
    build_fib(1);
    fn_begin("sw", IR_I32, 1, IR_I32);
    {
        ir_case *c = kp_arena_alloc(&M->arena, 3 * sizeof *c);
        uint32_t def = blk();
        for (int i = 0; i < 3; i++)
            c[i] = (ir_case){i * 1000, blk()};
        emit((ir_insn){.op = IR_SWITCH, .type = IR_I32, .a = prm(0), .t1 = def, .nargs = 3, .cases = c});
        at(def);
        ret(kI(0));
        for (int i = 0; i < 3; i++) {
            at(c[i].block);
            ret(kI(i));
        }
    }
    CHECK(verify_ok(), "verify oom");
    int ok = 0, nomem = 0;
    for (long n = 0; n < 200 && !ok; n++) {
        tmod tm;
        load_fail_after = n;
        int rc = mod_load(&tm, M, DATA_BASE);
        load_fail_after = -1;
        if (rc == 0) {
            ok = 1;
            uint64_t a = 20, r;
            CHECK(run(&tm, 1, &a, &r) == 0 && (int32_t)r == 6765, "works after failures");
            pthread_t th;
            pthread_create(&th, NULL, oom_thread, &tm);
            pthread_join(th, NULL);
        } else {
            nomem++;
            CHECK(rc == KP_ERR_NOMEM, "load fails with KP_ERR_NOMEM, not %d", rc);
            CHECK(tm.km.engine_data == NULL && tm.fns[0].code == NULL && tm.fns[2].code == NULL,
                  "nothing left behind");
        }
        mod_unload(&tm);
    }
    CHECK(ok && nomem > 5, "load eventually succeeds (%d failures first)", nomem);
    ir_module_free(M);
}
#endif

/* ---- verifier --------------------------------------------------------------- */

static void expect_reject(const char *what, const char *needle)
{
    char buf[256];
    int rc = ir_verify(M, buf, sizeof buf);
    CHECK(rc == -1 && strstr(buf, needle), "verify rejects %s: rc %d '%s'", what, rc, buf);
    ir_module_free(M);
}

static void test_verify(void)
{
    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(prm(0));
    CHECK(verify_ok(), "minimal ok");
    ir_module_free(M);

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    kI(1);
    expect_reject("missing terminator", "does not end in a terminator");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(prm(0));
    ret(prm(0));
    expect_reject("two terminators", "terminator before the end");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    jmp(7);
    expect_reject("bad target", "out of range");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    emit((ir_insn){.op = IR_ADD, .type = IR_I32, .dst = reg(IR_I32), .a = prm(0), .b = 99});
    ret(prm(0));
    expect_reject("bad register", "register %99 out of range");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    op2(IR_ADD, prm(0), kL(1));
    ret(prm(0));
    expect_reject("type mismatch", "operand b");

    new_module();
    fn_begin("f", IR_I32, 1, IR_F64);
    ret(op2(IR_AND, prm(0), prm(0)));
    expect_reject("and on floats", "integer operation");

    new_module();
    fn_begin("f", IR_I64, 1, IR_I32);
    ret(prm(0));
    expect_reject("ret type", "function returns");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(cmp(IR_LTS, prm(0), kL(3)));
    expect_reject("compare types", "operand b");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(load(IR_M_I64, IR_I32, prm(0), 0));
    expect_reject("load kind", "memory kind");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(load(IR_M_I32, IR_I32, prm(0), IR_MAX_DISP + 1));
    expect_reject("displacement", "displacement");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(callx(IR_CALL, 0, 0, IR_I32, NULL, 0));
    expect_reject("arg count", "0 arguments for a prototype of 1");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(callx(IR_CALL, 0, 0, IR_I32, NULL, 1, kL(1)));
    expect_reject("arg type", "argument 1");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(callx(IR_CALLR, IR_RT_STRLEN, 0, IR_I64, NULL, 1, prm(0)));
    expect_reject("rtlib ret type", "the call returns");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    {
        ir_case *c = kp_arena_alloc(&M->arena, 2 * sizeof *c);
        c[0] = (ir_case){1, 0};
        c[1] = (ir_case){1, 0};
        emit((ir_insn){.op = IR_SWITCH, .type = IR_I32, .a = prm(0), .t1 = 0, .nargs = 2, .cases = c});
    }
    expect_reject("duplicate case", "duplicate case value 1");

    new_module(); /* a large i32 switch where 0xffffffff and -1 collide */
    fn_begin("f", IR_I32, 1, IR_I32);
    {
        ir_case *c = kp_arena_alloc(&M->arena, 40 * sizeof *c);
        for (int i = 0; i < 39; i++)
            c[i] = (ir_case){i - 20, 0};
        c[39] = (ir_case){0xffffffffll, 0};
        emit((ir_insn){.op = IR_SWITCH, .type = IR_I32, .a = prm(0), .t1 = 0, .nargs = 40, .cases = c});
    }
    expect_reject("duplicate case (large)", "duplicate case value -1");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    {
        ir_case *c = kp_arena_alloc(&M->arena, sizeof *c);
        c[0] = (ir_case){1ll << 32, 0};
        emit((ir_insn){.op = IR_SWITCH, .type = IR_I32, .a = prm(0), .t1 = 0, .nargs = 1, .cases = c});
    }
    expect_reject("case out of i32", "does not fit i32");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    F->frame_size = 8;
    emit((ir_insn){.op = IR_FRAME, .type = IR_I32, .dst = reg(IR_I32), .imm = 9});
    ret(prm(0));
    expect_reject("frame offset", "frame offset 9");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    emit((ir_insn){.op = IR_GADDR, .type = IR_I32, .dst = reg(IR_I32), .imm = 1});
    ret(prm(0));
    expect_reject("gaddr", "data offset 1");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(prm(0));
    M->data = kp_arena_alloc(&M->arena, 8);
    M->data_size = 8;
    M->relocs = kp_arena_alloc(&M->arena, sizeof *M->relocs);
    M->relocs[0] = (ir_reloc){6, IR_R_DATA, 0};
    M->nrelocs = 1;
    expect_reject("reloc", "relocation 0 at offset 6");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    F->reg_types[1] = IR_I64;
    ret(kI(0));
    expect_reject("param type", "parameter 1");

    new_module();
    fn_begin("f", IR_I32, 1, IR_I32);
    ir_reg c = cmp(IR_EQ, prm(0), prm(0));
    (void)c;
    br(conv(IR_SEXT32, IR_I64, prm(0)), 0, 0);
    expect_reject("br condition type", "condition");

    new_module();
    M->imports = kp_arena_alloc(&M->arena, sizeof *M->imports);
    M->imports[0] = (ir_import){"p", {IR_I32, 1, 0, {IR_PTR}}};
    M->nimports = 1;
    fn_begin("f", IR_I32, 1, IR_I32);
    ret(callx(IR_CALLI, 0, 0, IR_I32, NULL, 2, prm(0), prm(0)));
    expect_reject("extra args to a non-variadic import", "2 arguments");
}

/* ---- printer ---------------------------------------------------------------- */

static void test_print(void)
{
    new_module();
    LINE = 3;
    build_fib(0);
    LINE = 0;
    fn_begin("mem", IR_VOID, 2, IR_PTR, IR_I64);
    store(IR_M_I8, prm(0), conv(IR_TRUNC, IR_I32, prm(1)), 16);
    ret(0);
    char *s = ir_print_module(M);
    const char *want =
        "func i32 @fib(i32 %1) regs 11 frame 0 align 1 {\n"
        "b0:\n"
        "  %2:i32 = const 2  ; 3:1\n"
        "  %3:i32 = lts.i32 %1, %2  ; 3:1\n"
        "  br %3, b2, b1  ; 3:1\n"
        "b1:\n"
        "  %4:i32 = const 1  ; 3:1\n"
        "  %5:i32 = sub %1, %4  ; 3:1\n"
        "  %6:i32 = call @fib(%5)  ; 3:1\n"
        "  %7:i32 = const 2  ; 3:1\n"
        "  %8:i32 = sub %1, %7  ; 3:1\n"
        "  %9:i32 = call @fib(%8)  ; 3:1\n"
        "  %10:i32 = add %6, %9  ; 3:1\n"
        "  ret %10  ; 3:1\n"
        "b2:\n"
        "  ret %1  ; 3:1\n"
        "}\n"
        "\n"
        "func void @mem(ptr %1, i64 %2) regs 4 frame 0 align 1 {\n"
        "b0:\n"
        "  %3:i32 = trunc.i64 %2\n"
        "  store.i8 [%1+16], %3\n"
        "  ret\n"
        "}\n";
    CHECK(s && !strcmp(s, want), "print:\n%s\nwant:\n%s", s ? s : "(null)", want);
    free(s);
    ir_module_free(M);
}

int main(int argc, char **argv)
{
    int bench = argc > 1 && !strcmp(argv[1], "bench");
    setvbuf(stdout, NULL, _IONBF, 0);
    MEM = calloc(1, MEMSZ);
    if (!MEM)
        return 2;
    handle_new(&(kp_slot){0}) ; /* handle 0 stays invalid */
    NHANDLES = 1;
    if (!bench) {
        test_verify();
        test_print();
        test_int_ops();
        test_floats();
        test_conversions();
        test_memory();
        test_fusion();
#ifdef TEST_FAILALLOC
        test_oom();
#endif
    }
    test_control(bench);
    free(MEM);
    printf("%d passed, %d failed\n", npass, nfail);
    return nfail != 0;
}

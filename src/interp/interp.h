/*
 * interp.h — the portable engine's internal interface.
 *
 *   interp.c     kp_interp_engine: load (IR -> threaded code), unload, call
 *   interp_vm.c  the dispatch loop that runs threaded code
 *
 * Threaded code is an array of 32-bit words per function. Each instruction
 * is one opcode word (a handler offset under computed goto, the opcode
 * number under the switch build) followed by operand words: register slot
 * numbers, 32-bit immediates, branch offsets relative to the instruction's
 * first word. Opcodes are specialised by type and come in fused forms
 * (operation with an immediate, compare-and-branch, memory access with its
 * displacement) so that one dispatch does the work of several IR insns.
 *
 * Registers live in slots of 64-bit values (slot r = IR register r; slot 0
 * is a scratch sink for discarded results). I32 values occupy the low 32
 * bits of a slot and the upper 32 bits are unspecified, which lets
 * width-agnostic operations (add, and, neg ...) share one handler.
 */
#ifndef KP_INTERP_H
#define KP_INTERP_H

#include "../runtime/rt.h"

/* X(name) for every opcode; names ending in _K take a 32-bit immediate
 * instead of their last register operand (sign-extended for 64-bit ops). */
#define INTERP_RK(X, n) X(n) X(n##_K)
#define INTERP_CMPS(X, p, w)                                                     \
    INTERP_RK(X, p##EQ##w) INTERP_RK(X, p##NE##w) INTERP_RK(X, p##LTS##w)       \
    INTERP_RK(X, p##LES##w) INTERP_RK(X, p##GTS##w) INTERP_RK(X, p##GES##w)     \
    INTERP_RK(X, p##LTU##w) INTERP_RK(X, p##LEU##w) INTERP_RK(X, p##GTU##w)     \
    INTERP_RK(X, p##GEU##w)
#define INTERP_OPS(X)                                                            \
    X(K32) X(K64) X(MOV)                                                         \
    INTERP_RK(X, ADD) INTERP_RK(X, SUB) INTERP_RK(X, MUL)                        \
    INTERP_RK(X, AND) INTERP_RK(X, OR) INTERP_RK(X, XOR)                         \
    INTERP_RK(X, SHL32) INTERP_RK(X, SHRS32) INTERP_RK(X, SHRU32)                \
    INTERP_RK(X, SHL64) INTERP_RK(X, SHRS64) INTERP_RK(X, SHRU64)                \
    INTERP_RK(X, DIVS32) INTERP_RK(X, DIVU32) INTERP_RK(X, REMS32) INTERP_RK(X, REMU32) \
    INTERP_RK(X, DIVS64) INTERP_RK(X, DIVU64) INTERP_RK(X, REMS64) INTERP_RK(X, REMU64) \
    X(NEG) X(NOT) X(MADD_K)                                                      \
    INTERP_CMPS(X, , 32) INTERP_CMPS(X, , 64)                                    \
    INTERP_CMPS(X, B, 32) INTERP_CMPS(X, B, 64)                                  \
    X(FADD32) X(FSUB32) X(FMUL32) X(FDIV32) X(FNEG32)                            \
    X(FADD64) X(FSUB64) X(FMUL64) X(FDIV64) X(FNEG64)                            \
    X(FEQ32) X(FNE32) X(FLT32) X(FLE32) X(FGT32) X(FGE32)                        \
    X(FEQ64) X(FNE64) X(FLT64) X(FLE64) X(FGT64) X(FGE64)                        \
    X(SEXT8) X(ZEXT8) X(SEXT16) X(ZEXT16) X(SEXT32) X(ZEXT32)                    \
    X(SITOF_F32_I32) X(SITOF_F64_I32) X(SITOF_F32_I64) X(SITOF_F64_I64)          \
    X(UITOF_F32_I32) X(UITOF_F64_I32) X(UITOF_F32_I64) X(UITOF_F64_I64)          \
    X(FTOSI_I32_F32) X(FTOSI_I64_F32) X(FTOSI_I32_F64) X(FTOSI_I64_F64)          \
    X(FTOUI_I64_F32) X(FTOUI_I64_F64) X(FCVT_F64_F32) X(FCVT_F32_F64)            \
    X(LD_I8) X(LD_U8) X(LD_I16) X(LD_U16) X(LD_I32) X(LD_U32) X(LD_64)           \
    X(ST_8) X(ST_16) X(ST_32) X(ST_64)                                           \
    X(LDX_I8) X(LDX_U8) X(LDX_I16) X(LDX_U16) X(LDX_I32) X(LDX_U32) X(LDX_64)    \
    X(STX_8) X(STX_16) X(STX_32) X(STX_64)                                       \
    X(FRAME) X(COPY) X(ZERO)                                                     \
    X(CALL) X(CALLI) X(CALLR) X(CALLP)                                           \
    X(BAND32_K)                                                                  \
    X(JMP) X(BR) X(SWT32) X(SWT64) X(SWB32) X(SWB64) X(RET) X(RETV)

typedef enum interp_op {
#define INTERP_ENUM(n) IOP_##n,
    INTERP_OPS(INTERP_ENUM)
#undef INTERP_ENUM
    IOP_COUNT
} interp_op;

/* Source position of the instruction starting at code word `off`. */
typedef struct interp_pos {
    uint32_t off, line, col;
} interp_pos;

typedef struct interp_module interp_module;

typedef struct interp_fn {
    const uint32_t *code;
    uint32_t nslots;      /* slots of a frame: IR registers incl. slot 0 */
    uint32_t reserve;     /* slots to have free at entry: frame, callee header, args */
    uint32_t frame_size;  /* plugin-stack bytes */
    uint32_t frame_mask;  /* alignment - 1 (alignment at least 16) */
    uint32_t nkinit;      /* registers holding one constant, set at entry */
    uint32_t *kslot;
    uint64_t *kval;
    uint32_t npos;
    interp_pos *pos;
    uint32_t nppos;
    interp_pos *ppos;     /* per jump that polls, by its offset word: where
                             its poll traps are located (ir_poll_sites) */
    uint8_t *types;       /* argument types of CALLI/CALLP sites */
    ir_sig *sigs;         /* prototypes expected by CALLP sites */
    const interp_module *im;
    kp_fn *kfn;
    uint32_t line;
    int32_t poll_le;      /* jumps by an offset <= this poll: 0, or INT32_MIN
                             (no polls at all, interp_set_polling(0)) */
    size_t code_bytes;    /* threaded code, positions and constants */
} interp_fn;

struct interp_module {
    const kp_engine_ops *ops; /* first member: marks modules of this engine */
    kp_module *kmod;
    uint32_t nfns;
    interp_fn *fns;
    ir_sig *imp_sigs;         /* the prototype each import was declared with */
};

/* Benchmarking only (bench/bench.c section 7), never for hosts: with
 * on = 0, modules loaded from now on (process-wide) never poll -- neither
 * at function entries nor at backward jumps -- so deadlines, interrupts and
 * fuel budgets do nothing in them. The entry checks of call depth and
 * stacks stay. Read at load time; set it while no other thread loads a
 * module. Default on. */
void interp_set_polling(int on);

/* ---- interp_vm.c ---- */

#define INTERP_HDR 3 /* slots of the header before each frame (interp_vm.c) */

/* Fill table[IOP_COUNT] with the opcode words to store in threaded code. */
void interp_vm_table(int32_t *table);
/* Run F with raw args; see kp_engine_ops.call. */
int interp_vm_call(kp_exec *ex, const interp_fn *F, const uint64_t *args, uint64_t *ret);
/* Does this kp_fn belong to a module loaded by this engine? */
static inline int interp_owns(const kp_fn *fn)
{
    return fn->kind == KP_FN_PLUGIN && fn->mod && fn->mod->engine_data &&
           *(const kp_engine_ops *const *)fn->mod->engine_data == &kp_interp_engine;
}

#endif /* KP_INTERP_H */

/*
 * ir.h — kplug's intermediate representation (see docs/ir.md).
 *
 * One ir_module per compiled plugin: its functions, the image of its
 * globals, relocations into that image, and the names it imports from the
 * runtime's namespace.
 *
 * A function is a list of basic blocks over typed virtual registers.
 * Registers are NOT in SSA form: a register may be assigned in several
 * places (the front end uses that for scalar locals). Every register has
 * one fixed type for the whole function (fn->reg_types). Register 0 means
 * "none". Parameters arrive in registers 1..nparams.
 *
 * Block 0 is the entry. Each block ends with exactly one terminator
 * (JMP, BR, SWITCH, RET) and contains no other terminator. A branch from
 * block i to block j with j <= i is a *back-edge*: engines poll the
 * interrupt word there and at function entry. Every cycle of the CFG
 * contains at least one back-edge, whatever the block order.
 *
 * Memory: plugin addresses are I32 values (32-bit offsets into the
 * segment). A load/store at register a with displacement disp touches the
 * bytes starting at the *unwrapped* 64-bit sum (uint64)(uint32)a + disp,
 * with |disp| <= IR_MAX_DISP. An access traps (KP_TRAP_MEMORY) unless all
 * of its bytes lie in [KP_PAGE_SIZE, memory size of the runtime).
 * Integer arithmetic wraps (two's complement); I32 ops produce I32 results.
 *
 * Everything reachable from an ir_module lives in its arena and is freed
 * by ir_module_free.
 */
#ifndef KP_IR_H
#define KP_IR_H

#include <stddef.h>
#include <stdint.h>
#include "../util/arena.h"

/* Value types of registers. Pointers are I32. */
typedef enum ir_type {
    IR_VOID = 0,
    IR_I32 = 1,
    IR_I64 = 2,
    IR_F32 = 3,
    IR_F64 = 4,
    IR_PTR = 5   /* only inside ir_sig: a pointer, passed as an I32 */
} ir_type;

/* Memory kinds of loads and stores (insn.stype). */
typedef enum ir_mem {
    IR_M_I8 = 1,  /* load: sign-extend to the register type */
    IR_M_U8 = 2,  /* load: zero-extend */
    IR_M_I16 = 3,
    IR_M_U16 = 4,
    IR_M_I32 = 5, /* into an I32 register, or sign-extended into an I64 */
    IR_M_U32 = 6, /* zero-extended into an I64 register */
    IR_M_I64 = 7,
    IR_M_F32 = 8,
    IR_M_F64 = 9
} ir_mem;

#define IR_MAX_PARAMS 32
#define IR_MAX_DISP (1 << 20) /* |disp| bound; the JIT's guard regions cover it */

/* A function prototype as it crosses a call boundary. Types are IR_I32,
 * IR_I64, IR_F32, IR_F64, IR_PTR (and IR_VOID for ret). Two prototypes
 * are compatible iff they are byte-for-byte equal (ir_sig_equal). */
typedef struct ir_sig {
    uint8_t ret;
    uint8_t nparams;
    uint8_t variadic; /* only built-ins can be variadic */
    uint8_t params[IR_MAX_PARAMS];
} ir_sig;

/* Opcodes. Columns: operands used; `type` meaning. */
#define IR_OPS(X)                                                              \
    /* --- values ---------------------------------------------------- */    \
    X(CONST)   /* dst = imm (ints) or fimm (floats); type = dst type */      \
    X(MOV)     /* dst = a; same type */                                      \
    X(ADD) X(SUB) X(MUL)      /* dst = a op b; all types */                  \
    X(DIVS)    /* signed int div (traps on /0 and MIN/-1); float div */      \
    X(DIVU) X(REMS) X(REMU)   /* ints; REMS traps like DIVS */               \
    X(AND) X(OR) X(XOR)       /* ints */                                     \
    X(SHL) X(SHRS) X(SHRU)    /* ints; count b is masked to width-1 */       \
    X(NEG)     /* dst = -a; all types (float: flips the sign bit) */         \
    X(NOT)     /* dst = ~a; ints */                                          \
    /* comparisons: dst is I32 0/1; `type` is the OPERAND type. For floats, \
       LT/LE/GT/GE/EQ are false when unordered, NE is true. */               \
    X(EQ) X(NE) X(LTS) X(LES) X(GTS) X(GES) X(LTU) X(LEU) X(GTU) X(GEU)      \
    /* --- conversions: `type` = dst type, `stype` = source type ----- */   \
    X(SEXT8) X(ZEXT8) X(SEXT16) X(ZEXT16) /* within I32 or I64 (type==stype) */ \
    X(SEXT32) X(ZEXT32) /* I32 -> I64 */                                     \
    X(TRUNC)   /* I64 -> I32 (low 32 bits) */                                \
    X(SITOF) X(UITOF)     /* int (stype I32/I64) -> float (type F32/F64) */  \
    X(FTOSI) X(FTOUI)     /* float -> int; see "float to int" below */       \
    X(FCVT)    /* F32 <-> F64 */                                             \
    X(BITCAST) /* same-size reinterpretation: I32<->F32, I64<->F64 */        \
    /* --- memory -------------------------------------------------------- */\
    X(LOAD)    /* dst = mem[a + imm] of kind stype; type = dst type */       \
    X(STORE)   /* mem[a + imm] = b, kind stype; type = b's type */           \
    X(FRAME)   /* dst(I32) = address of byte imm of this call's frame */    \
    X(GADDR)   /* dst(I32) = address of byte imm of the module's data */    \
    X(FADDR)   /* dst(I32) = function handle of imm (flags: IR_F_IMPORT if  \
                  imm is an import index, else a function index) */         \
    X(COPY)    /* copy imm bytes from address b to address a (memmove) */    \
    X(ZERO)    /* set imm bytes at address a to 0 */                         \
    /* --- calls: args[0..nargs) are registers; dst 0 for void ---------- */ \
    X(CALL)    /* imm = index of a function of this module */                \
    X(CALLI)   /* imm = index of an import (namespace name, late-bound) */   \
    X(CALLR)   /* imm = runtime library function (enum ir_rtlib) */          \
    X(CALLP)   /* a = function handle; sig = expected prototype */           \
    /* --- terminators ---------------------------------------------------- */\
    X(JMP)     /* goto block t1 */                                           \
    X(BR)      /* if (a != 0) goto t1 else goto t2; a is I32 */              \
    X(SWITCH)  /* a (I32/I64, `type`): cases[i].value -> cases[i].block,    \
                  else t1. ncases = nargs. Values are distinct. */           \
    X(RET)     /* return a (0 = void); type = a's type */

typedef enum ir_op {
#define IR_ENUM(n) IR_##n,
    IR_OPS(IR_ENUM)
#undef IR_ENUM
    IR_NUM_OPS
} ir_op;

/* insn.flags */
#define IR_F_IMPORT 0x01   /* FADDR: imm is an import index */

/*
 * Float to int (FTOSI/FTOUI), specified exactly so that engines agree:
 *  FTOSI to I32/I64: truncate toward zero; NaN or out of range gives the
 *    type's minimum (0x80000000 / 0x8000000000000000), as x86 cvtt* does.
 *  FTOUI to I32: computed as FTOSI to I64 and truncated to 32 bits.
 *  FTOUI to I64: if x < 2^63 (false for NaN): FTOSI to I64; otherwise
 *    FTOSI(x - 2^63) to I64, then XOR 0x8000000000000000.
 */

/* Runtime library functions reached with CALLR. Their prototypes are in
 * ir.c (ir_rtlib_sig) and their behaviour in docs/language.md. */
#define IR_RTLIBS(X)                                                         \
    X(MEMCPY, "memcpy")   X(MEMMOVE, "memmove") X(MEMSET, "memset")          \
    X(MEMCMP, "memcmp")   X(STRLEN, "strlen")   X(STRCMP, "strcmp")          \
    X(STRNCMP, "strncmp") X(STRCPY, "strcpy")   X(STRCHR, "strchr")          \
    X(MALLOC, "malloc")   X(FREE, "free")       X(CALLOC, "calloc")          \
    X(REALLOC, "realloc") X(ABORT, "abort")

typedef enum ir_rtlib {
#define IR_RT_ENUM(e, s) IR_RT_##e,
    IR_RTLIBS(IR_RT_ENUM)
#undef IR_RT_ENUM
    IR_RT_COUNT
} ir_rtlib;

typedef uint32_t ir_reg;

typedef struct ir_case {
    int64_t value;
    uint32_t block;
} ir_case;

typedef struct ir_insn {
    uint8_t op;     /* ir_op */
    uint8_t type;   /* ir_type, see the opcode table */
    uint8_t stype;  /* source ir_type (conversions) or ir_mem (LOAD/STORE) */
    uint8_t flags;
    ir_reg dst, a, b;
    uint32_t t1, t2;    /* branch targets (block indices) */
    uint32_t nargs;     /* calls: number of args; SWITCH: number of cases */
    union {
        int64_t imm;
        double fimm;    /* CONST with type F32/F64 (F32 holds a float value) */
    };
    ir_reg *args;       /* calls */
    ir_case *cases;     /* SWITCH */
    const ir_sig *sig;  /* CALLP: the prototype the caller expects */
    uint32_t line, col; /* source position, for trap messages (0 = none) */
} ir_insn;

typedef struct ir_block {
    ir_insn *insns;
    uint32_t ninsns, cap;
} ir_block;

typedef struct ir_func {
    const char *name;
    int is_static;          /* not exported into the namespace */
    ir_sig sig;             /* struct params already lowered to IR_PTR */
    uint32_t nregs;         /* registers are 1..nregs-1 */
    uint8_t *reg_types;     /* ir_type per register */
    uint32_t nblocks, blocks_cap;
    ir_block *blocks;
    uint32_t frame_size;    /* bytes of plugin-stack frame (FRAME offsets) */
    uint32_t frame_align;   /* power of two, <= 16 */
    uint32_t line;          /* line of the definition */
} ir_func;

typedef struct ir_import {
    const char *name;
    ir_sig sig;             /* the prototype the plugin declared */
} ir_import;

/* Relocations in the data image: the 4-byte little-endian word at
 * `offset` is patched when the module is linked. */
typedef enum ir_reloc_kind {
    IR_R_DATA = 1,   /* word += address of the module's data */
    IR_R_FUNC = 2,   /* word = handle of function `target` (a function index) */
    IR_R_IMPORT = 3  /* word = handle of import `target` */
} ir_reloc_kind;

typedef struct ir_reloc {
    uint32_t offset;
    uint32_t kind;
    uint32_t target;
} ir_reloc;

typedef struct ir_module {
    kp_arena arena;
    ir_func **funcs;
    uint32_t nfuncs;
    ir_import *imports;
    uint32_t nimports;
    uint8_t *data;          /* initial image of globals, string literals, bss */
    uint32_t data_size;
    uint32_t data_align;    /* power of two, <= 16 */
    ir_reloc *relocs;
    uint32_t nrelocs;
} ir_module;

/* ---- ir.c: construction ------------------------------------------------ */

/* A new empty module (NULL if out of memory). */
ir_module *ir_module_new(void);
void ir_module_free(ir_module *m); /* NULL is a no-op */

/* Builders. All allocate in m->arena; they return NULL / (uint32_t)-1 only
 * when out of memory, after which m->arena.failed is set: callers may keep
 * going and check once at the end. */
ir_func *ir_func_new(ir_module *m, const char *name, const ir_sig *sig);
ir_reg ir_reg_new_slow(ir_module *m, ir_func *f, ir_type t);
/* Inline: the front end makes a register for nearly every value. reg_types
 * has room for 8, then grows at each power of two (ir_reg_new_slow). */
static inline ir_reg ir_reg_new(ir_module *m, ir_func *f, ir_type t)
{
    uint32_t n = f->nregs;
    if (n < 8 ? !f->reg_types : (n & (n - 1)) == 0)
        return ir_reg_new_slow(m, f, t);
    f->reg_types[n] = (uint8_t)t;
    f->nregs = n + 1;
    return n;
}
uint32_t ir_block_new(ir_module *m, ir_func *f);
/* Append a copy of *in to block b; returns a pointer to the stored insn
 * (valid until the next append to that block). args/cases/sig must already
 * be arena-allocated (or static). */
ir_insn *ir_emit(ir_module *m, ir_func *f, uint32_t b, const ir_insn *in);
/* A block's first instruction array (ir_emit doubles it from there). */
#define IR_BLOCK_CAP0 8
/* Inline: the verifier and the engines ask for every instruction. */
static inline int ir_is_terminator(int op)
{
    return op == IR_JMP || op == IR_BR || op == IR_SWITCH || op == IR_RET;
}
/* Does block b already end in a terminator? */
static inline int ir_block_terminated(const ir_func *f, uint32_t b)
{
    const ir_block *bl = &f->blocks[b];
    return bl->ninsns && ir_is_terminator(bl->insns[bl->ninsns - 1].op);
}

const char *ir_op_name(int op);
const char *ir_type_name(int t);
int ir_sig_equal(const ir_sig *x, const ir_sig *y);
/* The register type that carries a signature type (IR_PTR -> IR_I32). */
static inline ir_type ir_sig_regtype(int t) { return t == IR_PTR ? IR_I32 : (ir_type)t; }

const char *ir_rtlib_name(int id);
const ir_sig *ir_rtlib_sig(int id);
int ir_rtlib_lookup(const char *name); /* -1 if not a runtime library name */

/* ---- ir_poll.c: where engines poll -------------------------------------- */

/* Blocks of at most this many instructions may be copied at jumps. */
#define IR_DUP_MAX 4

/* What every engine does about polls on jumps to one block (docs/ir.md,
 * "Polls"); decided on the IR the front end produced, so that the engines
 * poll on the same jumps and locate a poll trap at the same line:column
 * whatever each one does to the code afterwards. */
typedef struct ir_pollsite {
    uint32_t line, col; /* a poll on a jump to the block is located here */
    uint32_t copy;      /* a JMP to the block is replaced by a copy of it */
} ir_pollsite;

/* Fill out[0 .. f->nblocks-1]. copy: at most IR_DUP_MAX instructions,
 * none a call, COPY or ZERO. line, col: of the block's first instruction
 * other than CONST, GADDR and FADDR, or, if that one is a JMP to a later
 * block, that block's. Reads only f. */
void ir_poll_sites(const ir_func *f, ir_pollsite *out);

/* ---- ir_verify.c --------------------------------------------------------- */

/* Check every structural and typing rule of docs/ir.md. Returns 0 if the
 * module is well formed, else -1 with a description in buf. */
int ir_verify(const ir_module *m, char *buf, size_t bufsize);

/* ---- ir_print.c ---------------------------------------------------------- */

/* Print the module in the textual form of docs/ir.md into a malloc'd
 * NUL-terminated string (NULL if out of memory). */
char *ir_print_module(const ir_module *m);
char *ir_print_func(const ir_module *m, const ir_func *f);

#endif /* KP_IR_H */

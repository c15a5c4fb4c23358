/*
 * ast.h — the typed AST: the interface between the parser/semantic
 * analysis (parse.c, types.c) and the lowering to IR (lower.c).
 *
 * The parser hands over a *checked* tree: every expression has its C type,
 * every implicit conversion is an explicit EX_CAST node, arrays and
 * functions used as values are wrapped in EX_DECAY, sizeof/_Alignof/enum
 * constants/constant conditions of case labels are folded to EX_INT, and
 * the initializers of objects are flattened (ast_init). Lowering never has
 * to report a language error: anything it cannot lower is a bug of the
 * parser (lowering reports it as an "internal error" diagnostic).
 *
 * ABI of plugins (types.c computes sizes this way):
 *   _Bool 1, char 1 (signed), short 2, int 4, long 8, long long 8,
 *   float 4, double 8 (long double is double), pointers 4 (offsets),
 *   enums 4 (int), size_t = unsigned int, ptrdiff_t = int,
 *   alignment = size for scalars, structs: C layout rules.
 */
#ifndef KP_AST_H
#define KP_AST_H

#include <stdint.h>
#include "front.h"

/* ---- types ------------------------------------------------------------- */

typedef enum ty_kind {
    TY_VOID,
    TY_BOOL,
    TY_CHAR, TY_SCHAR, TY_UCHAR,
    TY_SHORT, TY_USHORT,
    TY_INT, TY_UINT,
    TY_LONG, TY_ULONG,
    TY_LLONG, TY_ULLONG,
    TY_FLOAT, TY_DOUBLE, TY_LDOUBLE, /* LDOUBLE has double's representation */
    TY_ENUM,                        /* representation of int */
    TY_PTR,
    TY_ARRAY,
    TY_FUNC,
    TY_STRUCT,
    TY_UNION
} ty_kind;

#define TQ_CONST 1
#define TQ_VOLATILE 2

typedef struct ctype ctype;

typedef struct cfield {
    const char *name;    /* NULL for an anonymous struct/union member (its
                            fields are reachable through it) or unnamed bit-field */
    ctype *type;
    uint32_t offset;     /* bytes from the start of the struct */
    uint8_t is_bitfield;
    uint8_t bit_offset;  /* bit-fields: LSB position inside the storage unit
                            of type `type` that starts at `offset` */
    uint8_t bit_width;
} cfield;

struct ctype {
    ty_kind kind;
    uint8_t qual;        /* TQ_* of this (possibly qualified) type */
    uint8_t is_unsigned; /* integer kinds (BOOL, UCHAR, USHORT, UINT, ULONG, ULLONG) */
    uint8_t incomplete;  /* struct/union not yet defined, array of unknown size, void */
    uint8_t variadic;    /* TY_FUNC: ends in ... */
    uint32_t size, align;
    ctype *base;         /* PTR: pointee; ARRAY: element; FUNC: return type */
    uint32_t array_len;  /* ARRAY */
    /* STRUCT/UNION */
    const char *tag;
    cfield *fields;
    uint32_t nfields;
    /* FUNC */
    ctype **params;      /* already adjusted: arrays/functions -> pointers */
    uint32_t nparams;
    ctype *unqual;       /* the unqualified version of this type (itself if qual==0) */
    ctype *ptr_to;       /* types.c: the pointer to this type, once made (shared) */
};

/* ---- symbols -------------------------------------------------------------- */

typedef enum sym_kind {
    SYM_LOCAL,   /* automatic variable (or parameter, see is_param) */
    SYM_GLOBAL,  /* object with static storage: file scope or block-scope static */
    SYM_FUNC     /* function (defined here or only declared) */
} sym_kind;

typedef struct ast_init ast_init;
typedef struct ast_func ast_func;

typedef struct csym {
    const char *name;      /* block-scope statics get a unique name "f.x.N" */
    ctype *type;
    sym_kind kind;
    uint8_t is_param;
    uint8_t is_static;     /* internal linkage (file-scope static or static fn) */
    uint8_t is_extern_decl;/* declared, not defined here (globals: extern without
                              a definition; funcs: no body) */
    uint8_t addr_taken;    /* & was applied, or it is an array/struct/union:
                              must live in memory (plugin stack / data) */
    uint8_t is_used;       /* referenced anywhere */
    uint8_t file;
    uint32_t line, col;
    ast_init *init;        /* SYM_GLOBAL / SYM_LOCAL initializer list, or NULL */
    uint32_t ninit;
    ast_func *def;         /* SYM_FUNC with a body */
    /* scratch space for lowering (zeroed by the parser) */
    uint32_t lw_reg, lw_offset, lw_index;
    uint8_t lw_done;
} csym;

/* ---- expressions ---------------------------------------------------------- */

typedef enum ex_kind {
    EX_INT,        /* ival, of type `type` (any integer type) */
    EX_FLOAT,      /* fval, float or double */
    EX_STR,        /* string literal: str/str_len (len includes the final NUL,
                      i.e. equals the array size); type char[N]; an lvalue */
    EX_VAR,        /* sym: lvalue of a variable; for SYM_FUNC a function designator */
    EX_DECAY,      /* lhs: array lvalue or function designator -> pointer */
    EX_DEREF,      /* *lhs; lvalue */
    EX_ADDR,       /* &lhs (lhs an lvalue or function designator) */
    EX_MEMBER,     /* lhs.field (lhs a struct/union lvalue or rvalue); lvalue if lhs is */
    EX_CAST,       /* (type)lhs, any conversion incl. to void and to _Bool */
    EX_NEG, EX_BITNOT, EX_LOGNOT, /* lhs already promoted; LOGNOT gives int */
    /* arithmetic: lhs and rhs already converted to `type`, except shifts
       (rhs promoted separately; type = promoted lhs type) */
    EX_ADD, EX_SUB, EX_MUL, EX_DIV, EX_MOD,
    EX_SHL, EX_SHR, EX_BITAND, EX_BITOR, EX_BITXOR,
    /* comparisons: operands converted to a common type (cmp_type); type int */
    EX_EQ, EX_NE, EX_LT, EX_LE, EX_GT, EX_GE,
    EX_LOGAND, EX_LOGOR, /* operands are scalars (any), result int */
    EX_PTR_ADD,    /* lhs pointer + rhs integer (converted to int or long);
                      scale = size of pointee. Also used for p - n with rhs negated
                      by the parser via EX_NEG. */
    EX_PTR_DIFF,   /* (lhs - rhs) / scale, both pointers; type int */
    EX_ASSIGN,     /* lhs = rhs (rhs converted to lhs type); value = new lhs value.
                      Struct/union assignment copies. */
    EX_OPASSIGN,   /* lhs op= rhs: binop holds EX_ADD..EX_BITXOR or EX_PTR_ADD;
                      the value of lhs is converted to op_type, combined with rhs
                      (already converted to op_type, or the shift count type), and
                      converted back to lhs type */
    EX_PREINC, EX_PREDEC, EX_POSTINC, EX_POSTDEC, /* lhs scalar lvalue; pointers
                      step by scale, arithmetic types by 1 (floats too, _Bool per C) */
    EX_COND,       /* cond ? lhs : rhs; both converted to `type` (or void) */
    EX_COMMA,      /* lhs, rhs */
    EX_CALL,       /* callee(args): callee is EX_VAR of a SYM_FUNC for a direct
                      call, otherwise an expression of pointer-to-function type.
                      args converted to the parameter types; extra args of a
                      variadic callee have the default promotions applied */
    EX_COMPOUND    /* compound literal (type){...}: sym is an unnamed SYM_LOCAL
                      (or SYM_GLOBAL at file scope) holding the object; lvalue */
} ex_kind;

typedef struct ast_expr ast_expr;
struct ast_expr {           /* 64 bytes: a compile makes thousands, so the
                              per-kind payloads share storage */
    ex_kind kind;
    uint8_t file;
    uint32_t line, col;
    ctype *type;           /* unqualified where it matters for lowering */
    ast_expr *lhs, *rhs;
    csym *sym;             /* EX_VAR, EX_COMPOUND */
    /* Only the member of the node's kind may be read: ast_expr_cond() and
     * friends for code that walks every kind. */
    union {
        ast_expr *cond;    /* EX_COND */
        ctype *op_type;    /* EX_OPASSIGN: computation type */
        ctype *cmp_type;   /* comparisons (EX_EQ..EX_GE): type of the operands */
        int64_t ival;      /* EX_INT (value, already wrapped to the type) */
        double fval;       /* EX_FLOAT */
        const char *str;   /* EX_STR */
        cfield *field;     /* EX_MEMBER */
        ast_expr **args;   /* EX_CALL */
    };
    ex_kind binop;         /* EX_OPASSIGN */
    union {
        uint32_t scale;    /* EX_PTR_ADD, EX_PTR_DIFF, EX_OPASSIGN, inc/dec of pointers */
        uint32_t str_len;  /* EX_STR */
        uint32_t nargs;    /* EX_CALL */
    };
};
_Static_assert(sizeof(ast_expr) <= 64, "ast_expr grew past 64 bytes");

/* The members of the union above for code that walks nodes of any kind. */
static inline ast_expr *ast_expr_cond(const ast_expr *e)
{
    return e->kind == EX_COND ? e->cond : NULL;
}
static inline uint32_t ast_expr_nargs(const ast_expr *e)
{
    return e->kind == EX_CALL ? e->nargs : 0;
}
static inline ctype *ast_expr_cmp_type(const ast_expr *e)
{
    return e->kind >= EX_EQ && e->kind <= EX_GE ? e->cmp_type : NULL;
}
static inline ctype *ast_expr_op_type(const ast_expr *e)
{
    return e->kind == EX_OPASSIGN ? e->op_type : NULL;
}

/* ---- initializers ---------------------------------------------------------- */

typedef enum init_kind {
    INIT_EXPR,   /* locals: store expr (converted to `type`) at offset */
    INIT_INT,    /* static storage: integer ival of scalar `type` */
    INIT_FLOAT,  /* static storage: fval of float/double `type` */
    INIT_ADDR,   /* static storage: address of sym (a SYM_GLOBAL or SYM_FUNC),
                    or of string literal str (if sym is NULL), plus addend bytes */
    INIT_BYTES   /* any storage: copy bytes[0..nbytes) (a string literal into a
                    char array; nbytes <= array size, the rest is zero) */
} init_kind;

struct ast_init {
    init_kind kind;
    uint32_t offset;        /* bytes from the start of the object */
    ctype *type;            /* the scalar (or array, for INIT_BYTES) being set */
    uint8_t is_bitfield, bit_offset, bit_width;
    ast_expr *expr;         /* INIT_EXPR */
    int64_t ival;           /* INIT_INT */
    double fval;            /* INIT_FLOAT */
    csym *sym;              /* INIT_ADDR */
    const char *str;        /* INIT_ADDR of a literal: bytes incl. NUL */
    uint32_t str_len;
    int64_t addend;         /* INIT_ADDR */
    const char *bytes;      /* INIT_BYTES */
    uint32_t nbytes;
};
/* Entries are sorted by offset and do not overlap (later designators that
 * override earlier ones have already replaced them), with one exception:
 * a struct/union-valued INIT_EXPR may be followed by entries for members
 * inside it ({ .s = x, .s.a = 1 } keeps the rest of x), which must be
 * stored after it, in list order. Bytes of the object not covered by any
 * entry are zero: lowering zero-fills locals that have an initializer
 * before storing the entries. */

/* ---- statements ---------------------------------------------------------- */

typedef enum st_kind {
    ST_EMPTY,
    ST_EXPR,      /* expr (its value discarded) */
    ST_DECL,      /* sym: a local variable coming into scope; run its initializer
                     (sym->init) if any. Static locals never appear here. */
    ST_BLOCK,     /* body[0..nbody) */
    ST_IF,        /* if (expr) then else els (els may be NULL) */
    ST_WHILE,     /* while (expr) then */
    ST_DO,        /* do then while (expr) */
    ST_FOR,       /* for (init; expr; step) then — init a statement or NULL,
                     expr NULL means forever, step an expression or NULL */
    ST_SWITCH,    /* switch (expr) then; expr promoted; cases/ncases and
                     default_case (or NULL) point at the ST_CASE/ST_DEFAULT nodes */
    ST_CASE,      /* case ival: (label only; the statement after it follows in
                     the enclosing block) */
    ST_DEFAULT,
    ST_BREAK,     /* target: the loop or switch it leaves */
    ST_CONTINUE,  /* target: the loop it continues */
    ST_GOTO,      /* label: name; target: the ST_LABEL node */
    ST_LABEL,     /* label: name (label only, like ST_CASE) */
    ST_RETURN     /* expr (converted to the return type) or NULL */
} st_kind;

typedef struct ast_stmt ast_stmt;
struct ast_stmt {           /* fields ordered to pack */
    st_kind kind;
    uint8_t file;
    uint8_t lw_done;      /* scratch for lowering */
    uint32_t line, col;
    uint32_t nbody;
    uint32_t ncases;
    uint32_t lw_block;    /* scratch for lowering */
    ast_expr *expr;
    ast_expr *step;
    ast_stmt *init, *then, *els;
    ast_stmt **body;
    csym *sym;            /* ST_DECL */
    int64_t ival;         /* ST_CASE value (converted to the switch's type) */
    ast_stmt **cases;     /* ST_SWITCH */
    ast_stmt *default_case;
    ast_stmt *target;     /* ST_BREAK/ST_CONTINUE/ST_GOTO */
    const char *label;
};

/* ---- functions and the translation unit ---------------------------------- */

struct ast_func {
    csym *sym;            /* SYM_FUNC; sym->type is the function type */
    csym **params;        /* SYM_LOCAL with is_param, in order */
    uint32_t nparams;
    csym **locals;        /* every SYM_LOCAL of the body (params included),
                             incl. compound-literal objects */
    uint32_t nlocals;
    ast_stmt *body;       /* ST_BLOCK */
    uint32_t line, col;
};

typedef struct ast_unit {
    ast_func **funcs;     /* definitions, in source order */
    uint32_t nfuncs;
    csym **globals;       /* every SYM_GLOBAL (file scope, block-scope statics,
                             file-scope compound literals) in source order,
                             defined or extern */
    uint32_t nglobals;
    csym **fdecls;        /* every SYM_FUNC that is declared and used but not
                             defined here (imports or runtime library calls) */
    uint32_t nfdecls;
} ast_unit;

struct fe_token;
/* parse.c: tokens -> checked AST. Returns NULL after reporting diagnostics. */
ast_unit *fe_parse(fe_ctx *cx, const struct fe_token *toks, uint32_t ntoks);

/* lower.c: AST -> IR. Returns NULL after reporting (internal errors, limits,
 * out of memory). */
ir_module *fe_lower(fe_ctx *cx, const ast_unit *u);

/* types.c: shared type helpers (arena-allocated types). */
/* (inline: the parser asks these several times per expression node) */
static inline int ty_is_integer(const ctype *t) /* incl. _Bool, char, enums */
{
    return (t->kind >= TY_BOOL && t->kind <= TY_ULLONG) || t->kind == TY_ENUM;
}
static inline int ty_is_float(const ctype *t)
{
    return t->kind >= TY_FLOAT && t->kind <= TY_LDOUBLE;
}
static inline int ty_is_arith(const ctype *t)
{
    return (t->kind >= TY_BOOL && t->kind <= TY_ENUM);
}
static inline int ty_is_scalar(const ctype *t) /* arithmetic or pointer */
{
    return t->kind >= TY_BOOL && t->kind <= TY_PTR;
}
/* The IR register type that holds a value of scalar type t (pointers: IR_I32). */
ir_type ty_ir_type(const ctype *t);
/* The IR memory kind used to load/store a scalar of type t. */
ir_mem ty_ir_mem(const ctype *t);
/* The kp boundary type (IR_I32/I64/F32/F64/PTR) of a parameter or result. */
int ty_sig_type(const ctype *t);

#endif /* KP_AST_H */

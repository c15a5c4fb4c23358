/* types.c — C types of plugins: the ABI of docs/language.md. */
#include "ast.h"

int ty_is_integer(const ctype *t)
{
    return t->kind >= TY_BOOL && t->kind <= TY_ULLONG ? 1 : t->kind == TY_ENUM;
}

int ty_is_float(const ctype *t)
{
    return t->kind == TY_FLOAT || t->kind == TY_DOUBLE || t->kind == TY_LDOUBLE;
}

int ty_is_arith(const ctype *t) { return ty_is_integer(t) || ty_is_float(t); }

int ty_is_scalar(const ctype *t) { return ty_is_arith(t) || t->kind == TY_PTR; }

ir_type ty_ir_type(const ctype *t)
{
    switch (t->kind) {
    case TY_LONG: case TY_ULONG: case TY_LLONG: case TY_ULLONG:
        return IR_I64;
    case TY_FLOAT:
        return IR_F32;
    case TY_DOUBLE: case TY_LDOUBLE:
        return IR_F64;
    case TY_VOID:
        return IR_VOID;
    default: /* _Bool, char, short, int, enum, pointers */
        return IR_I32;
    }
}

ir_mem ty_ir_mem(const ctype *t)
{
    switch (t->kind) {
    case TY_BOOL: case TY_UCHAR: return IR_M_U8;
    case TY_CHAR: case TY_SCHAR: return IR_M_I8;
    case TY_SHORT: return IR_M_I16;
    case TY_USHORT: return IR_M_U16;
    case TY_LONG: case TY_ULONG: case TY_LLONG: case TY_ULLONG: return IR_M_I64;
    case TY_FLOAT: return IR_M_F32;
    case TY_DOUBLE: case TY_LDOUBLE: return IR_M_F64;
    default: return IR_M_I32; /* int, unsigned, enum, pointers */
    }
}

int ty_sig_type(const ctype *t)
{
    if (t->kind == TY_PTR)
        return IR_PTR;
    return ty_ir_type(t);
}

/*
 * ir_verify.c — the structural and typing rules of docs/ir.md.
 *
 * Engines trust verified IR: the interpreter indexes its register file
 * with the numbers found here, so every rule that protects the host
 * (register ranges, branch targets, argument counts) must be checked
 * before a module reaches an engine. One pass over each function, plus a
 * sort of each SWITCH's case values.
 */
#include "ir.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vctx {
    const ir_module *m;
    const ir_func *f;
    uint32_t fi, bi, ii;
    const ir_insn *in;
    char *buf;
    size_t bufsize;
} vctx;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(vctx *v, const char *fmt, ...)
{
    if (!v->buf || !v->bufsize)
        return -1;
    size_t n = 0;
    if (v->f && v->in)
        n = (size_t)snprintf(v->buf, v->bufsize, "function '%s', block %u, insn %u (%s): ",
                             v->f->name ? v->f->name : "?", v->bi, v->ii,
                             ir_op_name(v->in->op));
    else if (v->f)
        n = (size_t)snprintf(v->buf, v->bufsize, "function '%s': ",
                             v->f->name ? v->f->name : "?");
    if (n >= v->bufsize)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->buf + n, v->bufsize - n, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_val_type(int t) { return t >= IR_I32 && t <= IR_F64; }
static int is_int(int t) { return t == IR_I32 || t == IR_I64; }
static int is_float(int t) { return t == IR_F32 || t == IR_F64; }

static int sig_ok(const ir_sig *s)
{
    if (s->nparams > IR_MAX_PARAMS || s->ret > IR_PTR || s->variadic > 1)
        return 0;
    for (unsigned i = 0; i < s->nparams; i++)
        if (s->params[i] < IR_I32 || s->params[i] > IR_PTR)
            return 0;
    return 1;
}

/* Type of register r, or -1 (with the message written) if r is not a
 * valid register. */
static int reg(vctx *v, ir_reg r, const char *what)
{
    if (r == 0 || r >= v->f->nregs) {
        fail(v, "%s register %%%u out of range (nregs %u)", what, r, v->f->nregs);
        return -1;
    }
    return v->f->reg_types[r];
}

static __attribute__((noinline, cold)) int want_fail(vctx *v, ir_reg r, const char *what,
                                                     int type)
{
    int t = reg(v, r, what);
    if (t < 0)
        return -1;
    return fail(v, "%s %%%u has type %s, expected %s", what, r, ir_type_name(t),
                ir_type_name(type));
}

/* Called for nearly every operand: the check inline, the message apart. */
static inline int want(vctx *v, ir_reg r, const char *what, int type)
{
    if (__builtin_expect(r != 0 && r < v->f->nregs && v->f->reg_types[r] == type, 1))
        return 0;
    return want_fail(v, r, what, type);
}

static int target(vctx *v, uint32_t b)
{
    if (b >= v->f->nblocks)
        return fail(v, "branch target b%u out of range (%u blocks)", b, v->f->nblocks);
    return 0;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* i32 switches compare 32-bit values: -1 and 0xffffffff are one case. */
static int64_t case_value(int ty, int64_t x)
{
    return ty == IR_I32 ? (int32_t)(uint32_t)x : x;
}

/* Arguments of a call against a prototype; extra (variadic) arguments may
 * have any value type. */
static int call_args(vctx *v, const ir_sig *s)
{
    const ir_insn *in = v->in;
    if (in->nargs < s->nparams || (in->nargs > s->nparams && !s->variadic))
        return fail(v, "%u arguments for a prototype of %u%s", in->nargs, s->nparams,
                    s->variadic ? " (variadic)" : "");
    if (in->nargs && !in->args)
        return fail(v, "missing argument list");
    for (uint32_t i = 0; i < in->nargs; i++) {
        int t = reg(v, in->args[i], "argument");
        if (t < 0)
            return -1;
        if (i < s->nparams && t != (int)ir_sig_regtype(s->params[i]))
            return fail(v, "argument %u %%%u has type %s, prototype says %s", i + 1,
                        in->args[i], ir_type_name(t), ir_type_name(s->params[i]));
    }
    if (s->ret == IR_VOID) {
        if (in->dst)
            return fail(v, "void call with a destination register");
    } else if (in->dst) {
        int t = reg(v, in->dst, "destination");
        if (t < 0)
            return -1;
        if (t != (int)ir_sig_regtype(s->ret))
            return fail(v, "destination %%%u has type %s, the call returns %s", in->dst,
                        ir_type_name(t), ir_type_name(s->ret));
    }
    return 0;
}

/* Is memory kind k valid for a register of type t? */
static int mem_ok(int k, int t, int is_store)
{
    switch (t) {
    case IR_I32: return k >= IR_M_I8 && k <= IR_M_U32;
    case IR_I64: return k >= IR_M_I8 && k <= IR_M_I64;
    case IR_F32: return k == IR_M_F32;
    case IR_F64: return k == IR_M_F64;
    }
    (void)is_store;
    return 0;
}

static int insn(vctx *v)
{
    const ir_insn *in = v->in;
    const ir_func *f = v->f;
    const ir_module *m = v->m;
    int op = in->op, ty = in->type, st = in->stype;
    int td;

    if (op >= IR_NUM_OPS)
        return fail(v, "unknown opcode %d", op);
    switch (op) {
    case IR_CONST:
        if (!is_val_type(ty))
            return fail(v, "bad type %d", ty);
        return want(v, in->dst, "destination", ty);
    case IR_MOV:
        if (!is_val_type(ty))
            return fail(v, "bad type %d", ty);
        if (want(v, in->dst, "destination", ty) || want(v, in->a, "operand a", ty))
            return -1;
        return 0;
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIVS:
    case IR_DIVU: case IR_REMS: case IR_REMU:
    case IR_AND: case IR_OR: case IR_XOR:
    case IR_SHL: case IR_SHRS: case IR_SHRU:
        if (!is_val_type(ty))
            return fail(v, "bad type %d", ty);
        if (!is_int(ty) && op != IR_ADD && op != IR_SUB && op != IR_MUL && op != IR_DIVS)
            return fail(v, "integer operation on %s", ir_type_name(ty));
        if (want(v, in->dst, "destination", ty) || want(v, in->a, "operand a", ty) ||
            want(v, in->b, "operand b", ty))
            return -1;
        return 0;
    case IR_NEG: case IR_NOT:
        if (!is_val_type(ty) || (op == IR_NOT && !is_int(ty)))
            return fail(v, "bad type %s", ir_type_name(ty));
        if (want(v, in->dst, "destination", ty) || want(v, in->a, "operand a", ty))
            return -1;
        return 0;
    case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS: case IR_GES:
    case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU:
        if (!is_val_type(ty))
            return fail(v, "bad operand type %d", ty);
        if (want(v, in->dst, "destination", IR_I32) || want(v, in->a, "operand a", ty) ||
            want(v, in->b, "operand b", ty))
            return -1;
        return 0;
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16:
        if (!is_int(ty) || st != ty)
            return fail(v, "type %s from %s: must be equal integer types",
                        ir_type_name(ty), ir_type_name(st));
        goto conv_regs;
    case IR_SEXT32: case IR_ZEXT32:
        if (ty != IR_I64 || st != IR_I32)
            return fail(v, "must convert i32 to i64");
        goto conv_regs;
    case IR_TRUNC:
        if (ty != IR_I32 || st != IR_I64)
            return fail(v, "must convert i64 to i32");
        goto conv_regs;
    case IR_SITOF: case IR_UITOF:
        if (!is_float(ty) || !is_int(st))
            return fail(v, "must convert an integer to a float");
        goto conv_regs;
    case IR_FTOSI: case IR_FTOUI:
        if (!is_int(ty) || !is_float(st))
            return fail(v, "must convert a float to an integer");
        goto conv_regs;
    case IR_FCVT:
        if (!is_float(ty) || !is_float(st) || ty == st)
            return fail(v, "must convert between f32 and f64");
        goto conv_regs;
    case IR_BITCAST:
        if (!((ty == IR_I32 && st == IR_F32) || (ty == IR_F32 && st == IR_I32) ||
              (ty == IR_I64 && st == IR_F64) || (ty == IR_F64 && st == IR_I64)))
            return fail(v, "bitcast %s to %s: sizes differ or types equal",
                        ir_type_name(st), ir_type_name(ty));
    conv_regs:
        if (want(v, in->dst, "destination", ty) || want(v, in->a, "operand a", st))
            return -1;
        return 0;
    case IR_LOAD:
    case IR_STORE:
        if (!is_val_type(ty))
            return fail(v, "bad type %d", ty);
        if (!mem_ok(st, ty, op == IR_STORE))
            return fail(v, "memory kind %d does not fit a %s register", st, ir_type_name(ty));
        if (in->imm > IR_MAX_DISP || in->imm < -IR_MAX_DISP)
            return fail(v, "displacement %" PRId64 " out of range", in->imm);
        if (want(v, in->a, "address", IR_I32))
            return -1;
        if (op == IR_LOAD)
            return want(v, in->dst, "destination", ty);
        return want(v, in->b, "stored value", ty);
    case IR_FRAME:
        if (in->imm < 0 || (uint64_t)in->imm > f->frame_size)
            return fail(v, "frame offset %" PRId64 " outside the frame (%u bytes)", in->imm,
                        f->frame_size);
        return want(v, in->dst, "destination", IR_I32);
    case IR_GADDR:
        if (in->imm < 0 || (uint64_t)in->imm > m->data_size)
            return fail(v, "data offset %" PRId64 " outside the data (%u bytes)", in->imm,
                        m->data_size);
        return want(v, in->dst, "destination", IR_I32);
    case IR_FADDR:
        if (in->imm < 0 ||
            (uint64_t)in->imm >= ((in->flags & IR_F_IMPORT) ? m->nimports : m->nfuncs))
            return fail(v, "%s index %" PRId64 " out of range",
                        (in->flags & IR_F_IMPORT) ? "import" : "function", in->imm);
        return want(v, in->dst, "destination", IR_I32);
    case IR_COPY:
    case IR_ZERO:
        if (in->imm < 0 || in->imm > (int64_t)UINT32_MAX)
            return fail(v, "size %" PRId64 " out of range", in->imm);
        if (want(v, in->a, "destination address", IR_I32))
            return -1;
        if (op == IR_COPY && want(v, in->b, "source address", IR_I32))
            return -1;
        return 0;
    case IR_CALL:
        if (in->imm < 0 || (uint64_t)in->imm >= m->nfuncs)
            return fail(v, "function index %" PRId64 " out of range", in->imm);
        return call_args(v, &m->funcs[in->imm]->sig);
    case IR_CALLI:
        if (in->imm < 0 || (uint64_t)in->imm >= m->nimports)
            return fail(v, "import index %" PRId64 " out of range", in->imm);
        return call_args(v, &m->imports[in->imm].sig);
    case IR_CALLR:
        if (in->imm < 0 || in->imm >= IR_RT_COUNT)
            return fail(v, "runtime library id %" PRId64 " out of range", in->imm);
        return call_args(v, ir_rtlib_sig((int)in->imm));
    case IR_CALLP:
        if (!in->sig || !sig_ok(in->sig))
            return fail(v, "missing or malformed prototype");
        if (want(v, in->a, "function handle", IR_I32))
            return -1;
        return call_args(v, in->sig);
    case IR_JMP:
        return target(v, in->t1);
    case IR_BR:
        if (want(v, in->a, "condition", IR_I32))
            return -1;
        return target(v, in->t1) || target(v, in->t2) ? -1 : 0;
    case IR_SWITCH: {
        if (!is_int(ty))
            return fail(v, "switch on %s", ir_type_name(ty));
        if (want(v, in->a, "operand", ty) || target(v, in->t1))
            return -1;
        if (in->nargs && !in->cases)
            return fail(v, "missing case list");
        if (in->nargs == 0)
            return 0;
        uint32_t n = in->nargs;
        for (uint32_t i = 0; i < n; i++) {
            int64_t x = in->cases[i].value;
            if (ty == IR_I32 && (x < INT32_MIN || x > (int64_t)UINT32_MAX))
                return fail(v, "case value %" PRId64 " does not fit i32", x);
            if (target(v, in->cases[i].block))
                return -1;
        }
        /* Distinct values: sort a copy; small switches (or no memory for
         * the copy) compare pairwise, so verification never fails for
         * lack of memory. */
        int64_t *vals = n > 32 ? malloc((size_t)n * sizeof *vals) : NULL;
        if (vals) {
            for (uint32_t i = 0; i < n; i++)
                vals[i] = case_value(ty, in->cases[i].value);
            qsort(vals, n, sizeof *vals, cmp_i64);
            for (uint32_t i = 1; i < n; i++)
                if (vals[i] == vals[i - 1]) {
                    int64_t dup = vals[i];
                    free(vals);
                    return fail(v, "duplicate case value %" PRId64, dup);
                }
            free(vals);
            return 0;
        }
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = i + 1; j < n; j++)
                if (case_value(ty, in->cases[i].value) == case_value(ty, in->cases[j].value))
                    return fail(v, "duplicate case value %" PRId64,
                                case_value(ty, in->cases[i].value));
        return 0;
    }
    case IR_RET:
        if (f->sig.ret == IR_VOID) {
            if (in->a)
                return fail(v, "value returned from a void function");
            return 0;
        }
        td = ir_sig_regtype(f->sig.ret);
        if (ty != td)
            return fail(v, "type %s, function returns %s", ir_type_name(ty),
                        ir_type_name(f->sig.ret));
        return want(v, in->a, "returned value", td);
    }
    return fail(v, "unknown opcode %d", op);
}

static int func(vctx *v)
{
    const ir_func *f = v->f;
    if (!f->name)
        return fail(v, "function without a name");
    if (!sig_ok(&f->sig))
        return fail(v, "malformed prototype");
    if (f->sig.variadic)
        return fail(v, "plugin functions cannot be variadic");
    if (f->nregs < 1u + f->sig.nparams)
        return fail(v, "register count %u invalid (%u parameters)", f->nregs, f->sig.nparams);
    if (f->nregs > 1 && !f->reg_types)
        return fail(v, "missing register types");
    for (uint32_t r = 1; r < f->nregs; r++)
        if (!is_val_type(f->reg_types[r]))
            return fail(v, "register %%%u has bad type %d", r, f->reg_types[r]);
    for (unsigned i = 0; i < f->sig.nparams; i++)
        if (f->reg_types[1 + i] != ir_sig_regtype(f->sig.params[i]))
            return fail(v, "parameter %u (%%%u) has type %s, prototype says %s", i + 1, i + 1,
                        ir_type_name(f->reg_types[1 + i]), ir_type_name(f->sig.params[i]));
    if (f->frame_align == 0 || f->frame_align > 16 || (f->frame_align & (f->frame_align - 1)))
        return fail(v, "frame alignment %u is not a power of two <= 16", f->frame_align);
    if (f->nblocks == 0 || !f->blocks)
        return fail(v, "no blocks");
    for (v->bi = 0; v->bi < f->nblocks; v->bi++) {
        const ir_block *b = &f->blocks[v->bi];
        v->in = NULL;
        if (b->ninsns == 0 || !b->insns)
            return fail(v, "block b%u is empty", v->bi);
        for (v->ii = 0; v->ii < b->ninsns; v->ii++) {
            v->in = &b->insns[v->ii];
            int term = ir_is_terminator(v->in->op);
            if (term && v->ii + 1 != b->ninsns)
                return fail(v, "terminator before the end of block b%u", v->bi);
            if (!term && v->ii + 1 == b->ninsns)
                return fail(v, "block b%u does not end in a terminator", v->bi);
            if (insn(v))
                return -1;
        }
    }
    v->in = NULL;
    return 0;
}

int ir_verify(const ir_module *m, char *buf, size_t bufsize)
{
    vctx v = {.m = m, .buf = buf, .bufsize = bufsize};
    if (buf && bufsize)
        buf[0] = 0;
    if (!m)
        return fail(&v, "no module");
    if (m->data_size && !m->data)
        return fail(&v, "data size %u without a data image", m->data_size);
    if (m->data_align == 0 || m->data_align > 16 || (m->data_align & (m->data_align - 1)))
        return fail(&v, "data alignment %u is not a power of two <= 16", m->data_align);
    if ((m->nfuncs && !m->funcs) || (m->nimports && !m->imports) ||
        (m->nrelocs && !m->relocs))
        return fail(&v, "missing function, import or relocation array");
    for (uint32_t i = 0; i < m->nimports; i++) {
        if (!m->imports[i].name)
            return fail(&v, "import %u has no name", i);
        if (!sig_ok(&m->imports[i].sig))
            return fail(&v, "import '%s' has a malformed prototype", m->imports[i].name);
    }
    for (uint32_t i = 0; i < m->nrelocs; i++) {
        const ir_reloc *r = &m->relocs[i];
        if ((uint64_t)r->offset + 4 > m->data_size)
            return fail(&v, "relocation %u at offset %u outside the data (%u bytes)", i,
                        r->offset, m->data_size);
        if ((r->kind == IR_R_FUNC && r->target >= m->nfuncs) ||
            (r->kind == IR_R_IMPORT && r->target >= m->nimports) ||
            (r->kind != IR_R_DATA && r->kind != IR_R_FUNC && r->kind != IR_R_IMPORT))
            return fail(&v, "relocation %u: bad kind %u or target %u", i, r->kind, r->target);
    }
    for (v.fi = 0; v.fi < m->nfuncs; v.fi++) {
        v.f = m->funcs[v.fi];
        if (!v.f)
            return fail(&v, "function %u missing", v.fi);
        if (func(&v))
            return -1;
    }
    return 0;
}

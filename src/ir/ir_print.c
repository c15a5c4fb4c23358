/*
 * ir_print.c — the textual form of the IR (docs/ir.md, "Text format"),
 * for debugging, golden tests and `kplug` diagnostics. Output only: there
 * is no parser.
 */
#include "ir.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t nc = b->cap * 2;
        while (nc - b->n <= (size_t)k)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
}

static int sb_init(sbuf *b)
{
    b->cap = 256;
    b->n = 0;
    b->failed = 0;
    b->p = malloc(b->cap);
    if (!b->p)
        return -1;
    b->p[0] = 0;
    return 0;
}

static char *sb_done(sbuf *b)
{
    if (b->failed) {
        free(b->p);
        return NULL;
    }
    return b->p;
}

static const char *lower(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = 0;
    return buf;
}

static const char *mem_name(int k)
{
    static const char *const names[] = {"?", "i8", "u8", "i16", "u16", "i32",
                                        "u32", "i64", "f32", "f64"};
    return k >= 1 && k <= 9 ? names[k] : "?";
}

static void sig_params(sbuf *b, const ir_sig *s)
{
    put(b, "(");
    for (unsigned i = 0; i < s->nparams && i < IR_MAX_PARAMS; i++)
        put(b, "%s%s", i ? ", " : "", ir_type_name(s->params[i]));
    if (s->variadic)
        put(b, "%s...", s->nparams ? ", " : "");
    put(b, ")");
}

static void reg(sbuf *b, const ir_func *f, ir_reg r)
{
    (void)f;
    put(b, "%%%u", r);
}

static void dst(sbuf *b, const ir_func *f, ir_reg r)
{
    int t = r < f->nregs && f->reg_types ? f->reg_types[r] : 0;
    put(b, "%%%u:%s = ", r, ir_type_name(t));
}

static void addr(sbuf *b, ir_reg a, int64_t disp)
{
    if (disp > 0)
        put(b, "[%%%u+%" PRId64 "]", a, disp);
    else if (disp < 0)
        put(b, "[%%%u-%" PRIu64 "]", a, (uint64_t)0 - (uint64_t)disp);
    else
        put(b, "[%%%u]", a);
}

static const char *func_name(const ir_module *m, int64_t i)
{
    return i >= 0 && (uint64_t)i < m->nfuncs && m->funcs[i]->name ? m->funcs[i]->name : "?";
}

static const char *import_name(const ir_module *m, int64_t i)
{
    return i >= 0 && (uint64_t)i < m->nimports && m->imports[i].name ? m->imports[i].name
                                                                        : "?";
}

static void insn(sbuf *b, const ir_module *m, const ir_func *f, const ir_insn *in)
{
    char nm[16];
    const char *name = lower(ir_op_name(in->op), nm, sizeof nm);
    put(b, "  ");
    switch (in->op) {
    case IR_CONST:
        dst(b, f, in->dst);
        if (in->type == IR_F32 || in->type == IR_F64)
            put(b, "const %.17g", in->fimm);
        else
            put(b, "const %" PRId64, in->type == IR_I32 ? (int64_t)(int32_t)in->imm : in->imm);
        break;
    case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS: case IR_GES:
    case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU:
        dst(b, f, in->dst);
        put(b, "%s.%s %%%u, %%%u", name, ir_type_name(in->type), in->a, in->b);
        break;
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16: case IR_SEXT32:
    case IR_ZEXT32: case IR_TRUNC: case IR_SITOF: case IR_UITOF: case IR_FTOSI:
    case IR_FTOUI: case IR_FCVT: case IR_BITCAST:
        dst(b, f, in->dst);
        put(b, "%s.%s %%%u", name, ir_type_name(in->stype), in->a);
        break;
    case IR_MOV: case IR_NEG: case IR_NOT:
        dst(b, f, in->dst);
        put(b, "%s %%%u", name, in->a);
        break;
    case IR_LOAD:
        dst(b, f, in->dst);
        put(b, "load.%s ", mem_name(in->stype));
        addr(b, in->a, in->imm);
        break;
    case IR_STORE:
        put(b, "store.%s ", mem_name(in->stype));
        addr(b, in->a, in->imm);
        put(b, ", %%%u", in->b);
        break;
    case IR_FRAME: case IR_GADDR:
        dst(b, f, in->dst);
        put(b, "%s %" PRId64, name, in->imm);
        break;
    case IR_FADDR:
        dst(b, f, in->dst);
        if (in->flags & IR_F_IMPORT)
            put(b, "faddr import @%s", import_name(m, in->imm));
        else
            put(b, "faddr @%s", func_name(m, in->imm));
        break;
    case IR_COPY:
        put(b, "copy [%%%u], [%%%u], %" PRId64, in->a, in->b, in->imm);
        break;
    case IR_ZERO:
        put(b, "zero [%%%u], %" PRId64, in->a, in->imm);
        break;
    case IR_CALL: case IR_CALLI: case IR_CALLR: case IR_CALLP:
        if (in->dst)
            dst(b, f, in->dst);
        put(b, "%s ", name);
        if (in->op == IR_CALL)
            put(b, "@%s", func_name(m, in->imm));
        else if (in->op == IR_CALLI)
            put(b, "@%s", import_name(m, in->imm));
        else if (in->op == IR_CALLR)
            put(b, "@%s", ir_rtlib_name((int)in->imm));
        else
            reg(b, f, in->a);
        put(b, "(");
        for (uint32_t i = 0; i < in->nargs && in->args; i++)
            put(b, "%s%%%u", i ? ", " : "", in->args[i]);
        put(b, ")");
        if (in->op == IR_CALLP && in->sig) {
            put(b, " : %s", ir_type_name(in->sig->ret));
            sig_params(b, in->sig);
        }
        break;
    case IR_JMP:
        put(b, "jmp b%u", in->t1);
        break;
    case IR_BR:
        put(b, "br %%%u, b%u, b%u", in->a, in->t1, in->t2);
        break;
    case IR_SWITCH:
        put(b, "switch.%s %%%u, b%u [", ir_type_name(in->type), in->a, in->t1);
        for (uint32_t i = 0; i < in->nargs && in->cases; i++)
            put(b, "%s%" PRId64 ": b%u", i ? ", " : "", in->cases[i].value, in->cases[i].block);
        put(b, "]");
        break;
    case IR_RET:
        if (in->a)
            put(b, "ret %%%u", in->a);
        else
            put(b, "ret");
        break;
    default:
        if (in->op < IR_NUM_OPS) { /* binary operations */
            dst(b, f, in->dst);
            put(b, "%s %%%u, %%%u", name, in->a, in->b);
        } else {
            put(b, "?op%d", in->op);
        }
        break;
    }
    if (in->line)
        put(b, "  ; %u:%u", in->line, in->col);
    put(b, "\n");
}

static void func(sbuf *b, const ir_module *m, const ir_func *f)
{
    put(b, "func %s%s @%s(", f->is_static ? "static " : "", ir_type_name(f->sig.ret),
        f->name ? f->name : "?");
    for (unsigned i = 0; i < f->sig.nparams && i < IR_MAX_PARAMS; i++)
        put(b, "%s%s %%%u", i ? ", " : "", ir_type_name(f->sig.params[i]), i + 1);
    put(b, ") regs %u frame %u align %u", f->nregs, f->frame_size, f->frame_align);
    put(b, " {");
    if (f->line)
        put(b, "  ; line %u", f->line);
    put(b, "\n");
    for (uint32_t bi = 0; bi < f->nblocks; bi++) {
        const ir_block *bl = &f->blocks[bi];
        put(b, "b%u:\n", bi);
        for (uint32_t i = 0; i < bl->ninsns; i++)
            insn(b, m, f, &bl->insns[i]);
    }
    put(b, "}\n");
}

char *ir_print_func(const ir_module *m, const ir_func *f)
{
    sbuf b;
    if (sb_init(&b))
        return NULL;
    func(&b, m, f);
    return sb_done(&b);
}

char *ir_print_module(const ir_module *m)
{
    static const char *const rk[] = {"?", "data", "func", "import"};
    sbuf b;
    if (sb_init(&b))
        return NULL;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const ir_import *im = &m->imports[i];
        put(&b, "import %s @%s", ir_type_name(im->sig.ret), im->name ? im->name : "?");
        sig_params(&b, &im->sig);
        put(&b, "\n");
    }
    if (m->data_size) {
        put(&b, "data %u align %u\n", m->data_size, m->data_align);
        /* trailing zeros (bss) are not listed, other zero lines shrink to "..." */
        uint32_t end = m->data_size;
        while (end && m->data && !m->data[end - 1])
            end--;
        int skipping = 0;
        for (uint32_t off = 0; off < end; off += 16) {
            uint32_t z = off;
            while (z < off + 16 && z < end && !m->data[z])
                z++;
            if (z == off + 16) { /* runs of zero lines print as one "..." */
                if (!skipping)
                    put(&b, "  ...\n");
                skipping = 1;
                continue;
            }
            skipping = 0;
            put(&b, "  %06x:", off);
            for (uint32_t j = off; j < off + 16 && j < end; j++)
                put(&b, " %02x", m->data[j]);
            put(&b, "\n");
        }
        for (uint32_t i = 0; i < m->nrelocs; i++) {
            const ir_reloc *r = &m->relocs[i];
            put(&b, "  reloc %u %s", r->offset, r->kind <= 3 ? rk[r->kind] : "?");
            if (r->kind == IR_R_FUNC)
                put(&b, " @%s", func_name(m, r->target));
            else if (r->kind == IR_R_IMPORT)
                put(&b, " @%s", import_name(m, r->target));
            put(&b, "\n");
        }
    }
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        if (i || m->nimports || m->data_size)
            put(&b, "\n");
        func(&b, m, m->funcs[i]);
    }
    return sb_done(&b);
}

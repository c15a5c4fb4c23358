/*
 * opt.c — cheap local optimizations on a private copy of a function's IR
 * (the module's IR is shared and stays untouched).
 *
 * Local common-subexpression elimination: inside a block, a pure
 * operation (arithmetic without traps, comparisons, conversions, FRAME)
 * whose operands and previous result register were not redefined since an
 * identical earlier one becomes `dst = MOV earlier_dst`. Registers are not
 * SSA, so every definition invalidates the expressions that read or
 * produced that register. Loads are never merged (stores and calls may
 * change memory).
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <stdlib.h>
#include <string.h>

#define CSE_MAX 64

static int pure(int op)
{
    switch (op) {
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_AND: case IR_OR: case IR_XOR:
    case IR_SHL: case IR_SHRS: case IR_SHRU: case IR_NEG: case IR_NOT:
    case IR_EQ: case IR_NE: case IR_LTS: case IR_LES: case IR_GTS: case IR_GES:
    case IR_LTU: case IR_LEU: case IR_GTU: case IR_GEU:
    case IR_SEXT8: case IR_ZEXT8: case IR_SEXT16: case IR_ZEXT16: case IR_SEXT32:
    case IR_ZEXT32: case IR_TRUNC: case IR_SITOF: case IR_UITOF: case IR_FTOSI:
    case IR_FTOUI: case IR_FCVT: case IR_BITCAST: case IR_FRAME:
        return 1;
    }
    return 0;
}

typedef struct avail {
    uint8_t op, type, stype;
    ir_reg a, b, dst;
    int64_t imm;
} avail;

ir_func *jit_opt_copy(const ir_func *f)
{
    ir_func *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *f;
    c->blocks = calloc(f->nblocks ? f->nblocks : 1, sizeof *c->blocks);
    if (!c->blocks) {
        free(c);
        return NULL;
    }
    for (uint32_t bi = 0; bi < f->nblocks; bi++) {
        const ir_block *src = &f->blocks[bi];
        ir_insn *ins = malloc((src->ninsns ? src->ninsns : 1) * sizeof *ins);
        if (!ins) {
            c->nblocks = bi;
            jit_opt_free(c);
            return NULL;
        }
        memcpy(ins, src->insns, src->ninsns * sizeof *ins);
        c->blocks[bi].insns = ins;
        c->blocks[bi].ninsns = c->blocks[bi].cap = src->ninsns;

        avail av[CSE_MAX];
        int nav = 0;
        for (uint32_t i = 0; i < src->ninsns; i++) {
            ir_insn *in = &ins[i];
            ir_reg d = 0;
            ir_reg tmp[3];
            jit_insn_regs(in, tmp, 3, &d);
            int p = pure(in->op) && d;
            if (p) {
                for (int k = 0; k < nav; k++) {
                    avail *x = &av[k];
                    if (x->op == in->op && x->type == in->type && x->stype == in->stype &&
                        x->a == in->a && x->b == in->b && x->imm == in->imm &&
                        f->reg_types[x->dst] == f->reg_types[d]) {
                        uint32_t line = in->line, col = in->col;
                        memset(in, 0, sizeof *in);
                        in->op = IR_MOV;
                        in->type = f->reg_types[d];
                        in->dst = d;
                        in->a = x->dst;
                        in->line = line;
                        in->col = col;
                        p = 0;
                        break;
                    }
                }
            }
            if (d) {
                for (int k = 0; k < nav;) {
                    if (av[k].a == d || av[k].b == d || av[k].dst == d)
                        av[k] = av[--nav];
                    else
                        k++;
                }
            }
            if (p && in->a != d && in->b != d && nav < CSE_MAX)
                av[nav++] = (avail){in->op, in->type, in->stype, in->a, in->b, d, in->imm};
        }
    }
    return c;
}

void jit_opt_free(ir_func *c)
{
    if (!c)
        return;
    for (uint32_t bi = 0; bi < c->nblocks; bi++)
        free(c->blocks[bi].insns);
    free(c->blocks);
    free(c);
}
#endif

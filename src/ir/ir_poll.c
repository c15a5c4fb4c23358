/*
 * ir_poll.c — the one rule for where engines poll and where a poll trap is
 * located (docs/ir.md, "Polls").
 *
 * Fuel budgets count polls, so the JIT and the interpreter must poll on the
 * same jumps; and a poll trap must name the same line:column on both. Each
 * engine used to judge both on its own code (the JIT on its optimized copy
 * of the IR, the interpreter after its fusions), which disagreed where an
 * optimization changed a block's size (a different block got copied at its
 * jumps) or its first instruction. Both are now decided here, on the IR the
 * front end produced, before any engine transforms it.
 */
#include "ir.h"

/* Calls keep the JIT from copying a block: it saves caller-saved
 * registers around a call by the call's position in the function. COPY
 * and ZERO may be helper calls. */
static int copyable(const ir_block *bl)
{
    if (bl->ninsns > IR_DUP_MAX)
        return 0;
    for (uint32_t i = 0; i < bl->ninsns; i++)
        switch (bl->insns[i].op) {
        case IR_CALL: case IR_CALLI: case IR_CALLR: case IR_CALLP: case IR_COPY: case IR_ZERO:
            return 0;
        }
    return 1;
}

void ir_poll_sites(const ir_func *f, ir_pollsite *out)
{
    /* Backwards, so that a block whose first real instruction is a JMP to
     * a later block takes that block's (final) location: blocks that only
     * jump on (the interpreter emits no code for some of them, and then
     * shares their first code word with the next block) are located where
     * execution really goes, and a chain of them costs nothing. */
    for (uint32_t b = f->nblocks; b-- > 0;) {
        const ir_block *bl = &f->blocks[b];
        ir_pollsite *ps = &out[b];
        ps->copy = (uint32_t)copyable(bl);
        ps->line = bl->ninsns ? bl->insns[0].line : f->line;
        ps->col = bl->ninsns ? bl->insns[0].col : 0;
        for (uint32_t i = 0; i < bl->ninsns; i++) {
            const ir_insn *in = &bl->insns[i];
            if (in->op == IR_CONST || in->op == IR_GADDR || in->op == IR_FADDR)
                continue;
            if (in->op == IR_JMP && in->t1 > b && in->t1 < f->nblocks) {
                ps->line = out[in->t1].line;
                ps->col = out[in->t1].col;
            } else {
                ps->line = in->line;
                ps->col = in->col;
            }
            break;
        }
    }
}

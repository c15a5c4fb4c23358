/* ir.c — building IR modules, and the tables every stage shares. */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

ir_module *ir_module_new(void)
{
    ir_module *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    kp_arena_init(&m->arena, 0);
    m->data_align = 1;
    return m;
}

void ir_module_free(ir_module *m)
{
    if (!m)
        return;
    kp_arena_free(&m->arena);
    free(m);
}

ir_func *ir_func_new(ir_module *m, const char *name, const ir_sig *sig)
{
    ir_func *f = kp_arena_alloc(&m->arena, sizeof *f);
    if (!f)
        return NULL;
    if ((m->nfuncs & (m->nfuncs - 1)) == 0) { /* grow at powers of two */
        size_t cap = m->nfuncs ? m->nfuncs * 2 : 4;
        ir_func **nf = kp_arena_realloc(&m->arena, m->funcs,
                                        m->nfuncs * sizeof *nf, cap * sizeof *nf);
        if (!nf)
            return NULL;
        m->funcs = nf;
    }
    f->name = kp_arena_strdup(&m->arena, name);
    f->sig = *sig;
    f->frame_align = 1;
    f->nregs = 1; /* register 0 is "none" */
    f->reg_types = NULL;
    m->funcs[m->nfuncs++] = f;
    /* parameters take registers 1..nparams */
    for (unsigned i = 0; i < sig->nparams; i++)
        if (!ir_reg_new(m, f, ir_sig_regtype(sig->params[i])))
            return NULL;
    return f;
}

ir_reg ir_reg_new_slow(ir_module *m, ir_func *f, ir_type t)
{
    uint32_t n = f->nregs;
    if (n >= 8 && (n & (n - 1)) == 0) {
        uint8_t *nt = kp_arena_realloc(&m->arena, f->reg_types, n, (size_t)n * 2);
        if (!nt)
            return 0;
        f->reg_types = nt;
    } else if (!f->reg_types) {
        f->reg_types = kp_arena_alloc(&m->arena, 8);
        if (!f->reg_types)
            return 0;
    }
    f->reg_types[n] = (uint8_t)t;
    f->nregs = n + 1;
    return n;
}

uint32_t ir_block_new(ir_module *m, ir_func *f)
{
    if (f->nblocks == f->blocks_cap) {
        uint32_t cap = f->blocks_cap ? f->blocks_cap * 2 : 8;
        ir_block *nb = kp_arena_realloc_raw(&m->arena, f->blocks,
                                            f->blocks_cap * sizeof *nb, cap * sizeof *nb);
        if (!nb)
            return (uint32_t)-1;
        f->blocks = nb;
        f->blocks_cap = cap;
    }
    memset(&f->blocks[f->nblocks], 0, sizeof f->blocks[0]);
    return f->nblocks++;
}

ir_insn *ir_emit(ir_module *m, ir_func *f, uint32_t b, const ir_insn *in)
{
    if (b >= f->nblocks)
        return NULL;
    ir_block *bl = &f->blocks[b];
    if (bl->ninsns == bl->cap) {
        uint32_t cap = bl->cap ? bl->cap * 2 : IR_BLOCK_CAP0;
        /* not zeroed: every slot is written whole before it is read */
        ir_insn *ni = kp_arena_realloc_raw(&m->arena, bl->insns,
                                           bl->cap * sizeof *ni, cap * sizeof *ni);
        if (!ni)
            return NULL;
        bl->insns = ni;
        bl->cap = cap;
    }
    bl->insns[bl->ninsns] = *in;
    return &bl->insns[bl->ninsns++];
}


static const char *const op_names[] = {
#define IR_NAME(n) #n,
    IR_OPS(IR_NAME)
#undef IR_NAME
};

const char *ir_op_name(int op)
{
    return op >= 0 && op < IR_NUM_OPS ? op_names[op] : "?";
}

const char *ir_type_name(int t)
{
    static const char *const names[] = {"void", "i32", "i64", "f32", "f64", "ptr"};
    return t >= 0 && t <= IR_PTR ? names[t] : "?";
}

int ir_sig_equal(const ir_sig *x, const ir_sig *y)
{
    if (x->ret != y->ret || x->nparams != y->nparams || x->variadic != y->variadic)
        return 0;
    return memcmp(x->params, y->params, x->nparams) == 0;
}

static const char *const rtlib_names[] = {
#define IR_RT_NAME(e, s) s,
    IR_RTLIBS(IR_RT_NAME)
#undef IR_RT_NAME
};

#define P IR_PTR
#define I IR_I32
#define L IR_I64
static const ir_sig rtlib_sigs[IR_RT_COUNT] = {
    [IR_RT_MEMCPY] = {P, 3, 0, {P, P, I}},   /* size_t is unsigned int in plugins */
    [IR_RT_MEMMOVE] = {P, 3, 0, {P, P, I}},
    [IR_RT_MEMSET] = {P, 3, 0, {P, I, I}},
    [IR_RT_MEMCMP] = {I, 3, 0, {P, P, I}},
    [IR_RT_STRLEN] = {I, 1, 0, {P}},
    [IR_RT_STRCMP] = {I, 2, 0, {P, P}},
    [IR_RT_STRNCMP] = {I, 3, 0, {P, P, I}},
    [IR_RT_STRCPY] = {P, 2, 0, {P, P}},
    [IR_RT_STRCHR] = {P, 2, 0, {P, I}},
    [IR_RT_MALLOC] = {P, 1, 0, {I}},
    [IR_RT_FREE] = {IR_VOID, 1, 0, {P}},
    [IR_RT_CALLOC] = {P, 2, 0, {I, I}},
    [IR_RT_REALLOC] = {P, 2, 0, {P, I}},
    [IR_RT_ABORT] = {IR_VOID, 0, 0, {0}},
};
#undef P
#undef I
#undef L

const char *ir_rtlib_name(int id)
{
    return id >= 0 && id < IR_RT_COUNT ? rtlib_names[id] : "?";
}

const ir_sig *ir_rtlib_sig(int id)
{
    return id >= 0 && id < IR_RT_COUNT ? &rtlib_sigs[id] : NULL;
}

int ir_rtlib_lookup(const char *name)
{
    for (int i = 0; i < IR_RT_COUNT; i++)
        if (strcmp(rtlib_names[i], name) == 0)
            return i;
    return -1;
}

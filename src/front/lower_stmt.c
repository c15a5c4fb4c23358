/* lower_stmt.c — statements: control flow, loops, switch, goto, return. */
#include "lower.h"

/* ---- statements ------------------------------------------------------------ */

void lw_default_ret(lw *L)
{
    ir_insn r = {.op = IR_RET};
    if (L->sret) {
        r.a = L->sret;
        r.type = IR_I32;
    } else if (L->f->sig.ret != IR_VOID) {
        int t = ir_sig_regtype(L->f->sig.ret);
        r.type = (uint8_t)t;
        r.a = lw_regof(L, vk_zero(t));
    }
    lw_emit(L, &r);
}

static void push_loop(lw *L, const ast_stmt *s, uint32_t brk, uint32_t cont)
{
    lw_loop *l = lw_grow(L, L->loops, &L->loopcap, L->nloops + 1, sizeof *l);
    if (!l)
        return;
    L->loops = l;
    l[L->nloops].s = s;
    l[L->nloops].brk = brk;
    l[L->nloops].cont = cont;
    L->nloops++;
}

static const lw_loop *find_loop(lw *L, const ast_stmt *target)
{
    for (uint32_t i = L->nloops; i-- > 0;)
        if (L->loops[i].s == target)
            return &L->loops[i];
    return NULL;
}

static uint32_t label_block(lw *L, ast_stmt *lab)
{
    if (!lab->lw_done) {
        lab->lw_block = lw_blk_new(L);
        lab->lw_done = 1;
    }
    return lab->lw_block;
}


static void stmt_return(lw *L, const ast_stmt *s)
{
    if (!s->expr) {
        lw_default_ret(L);
        return;
    }
    if (L->sret) {
        val v = lw_lower_expr(L, s->expr);
        lw_emit_copy(L, L->sret, lw_regof(L, v), L->ret->size);
        ir_insn r = {.op = IR_RET, .type = IR_I32, .a = L->sret};
        lw_emit(L, &r);
        return;
    }
    if (L->f->sig.ret == IR_VOID) {
        lw_lower_void(L, s->expr);
        lw_default_ret(L);
        return;
    }
    val v = lw_lower_expr(L, s->expr);
    int t = ir_sig_regtype(L->f->sig.ret);
    if (v.t != t) {
        lw_ierr(L, "return of %s from a function returning %s", ir_type_name(v.t), ir_type_name(t));
        return;
    }
    ir_insn r = {.op = IR_RET, .type = (uint8_t)t};
    r.a = lw_regof(L, v);
    lw_emit(L, &r);
}

static void stmt_switch(lw *L, const ast_stmt *s)
{
    val v = lw_lower_expr(L, s->expr);
    if (v.t != IR_I32 && v.t != IR_I64) {
        lw_ierr(L, "switch on a non-integer");
        return;
    }
    ir_reg a = lw_regof(L, v);
    uint32_t X = lw_blk_new(L);
    ir_case *cs = NULL;
    if (s->ncases) {
        cs = kp_arena_alloc(&L->m->arena, (size_t)s->ncases * sizeof *cs);
        if (!cs) {
            lw_nomem(L);
            return;
        }
    }
    for (uint32_t i = 0; i < s->ncases; i++) {
        ast_stmt *c = s->cases[i];
        c->lw_block = lw_blk_new(L);
        c->lw_done = 1;
        cs[i].block = c->lw_block;
        cs[i].value = v.t == IR_I32 ? (int64_t)(int32_t)(uint32_t)c->ival : c->ival;
    }
    uint32_t D = X;
    if (s->default_case) {
        s->default_case->lw_block = D = lw_blk_new(L);
        s->default_case->lw_done = 1;
    }
    ir_insn sw = {.op = IR_SWITCH, .type = v.t, .a = a, .t1 = D, .nargs = s->ncases,
                  .cases = cs};
    lw_emit(L, &sw);
    const lw_loop *outer = L->nloops ? &L->loops[L->nloops - 1] : NULL;
    push_loop(L, s, X, outer ? outer->cont : X);
    lw_lower_stmt(L, s->then);
    L->nloops--;
    lw_blk_start(L, X);
}

/* Has the tree at e at most *left nodes and no call (calls stay out of
 * duplicated tests)? Counts *left down; walks the left spine in a loop. */
static int few_nodes(const ast_expr *e, uint32_t *left)
{
    for (; e; e = e->lhs) {
        if (!*left || e->kind == EX_CALL)
            return 0;
        --*left;
        if (e->rhs && !few_nodes(e->rhs, left))
            return 0;
        if (e->kind == EX_COND && !few_nodes(e->cond, left))
            return 0;
    }
    return 1;
}

/* Is a loop test small enough (23 nodes) to be emitted twice (at the top
 * and in the latch)? Constant tests need no repeat. */
static int small_cond(const ast_expr *e)
{
    uint32_t left = 23;
    return e && e->kind != EX_INT && few_nodes(e, &left);
}

void lw_lower_stmt(lw *L, const ast_stmt *s)
{
    if (!s || L->stop)
        return;
    if (!lw_enter(L->cx, s->file, (int)s->line, (int)s->col)) {
        L->stop = 1;
        return;
    }
    L->file = s->file;
    L->line = s->line;
    L->col = s->col;
    switch (s->kind) {
    case ST_EMPTY:
        break;
    case ST_EXPR:
        lw_lower_void(L, s->expr);
        break;
    case ST_DECL:
        if (s->sym && s->sym->kind == SYM_LOCAL) {
            lw_local_storage(L, s->sym, 0);
            if (s->sym->lw_done == LOC_REG || s->sym->ninit)
                lw_init_local(L, s->sym);
        }
        break;
    case ST_BLOCK:
        for (uint32_t i = 0; i < s->nbody && !L->stop; i++)
            lw_lower_stmt(L, s->body[i]);
        break;
    case ST_IF: {
        /* else-if chains iterate instead of nesting */
        uint32_t J = lw_blk_new(L);
        for (const ast_stmt *x = s;;) {
            uint32_t T = lw_blk_priv(L), E = x->els ? lw_blk_priv(L) : J;
            lw_cond(L, x->expr, T, E);
            lw_blk_start(L, T);
            lw_lower_stmt(L, x->then);
            if (!x->els)
                break;
            lw_emit_jmp(L, J);
            lw_blk_start(L, E);
            if (x->els->kind != ST_IF) {
                lw_lower_stmt(L, x->els);
                break;
            }
            x = x->els;
            L->line = x->line;
            L->col = x->col;
        }
        lw_blk_start(L, J);
        break;
    }
    case ST_WHILE: {
        /* H: test; B: body; C: the test again, branching back to B: one
         * branch per iteration instead of a test and a jump */
        int dup = small_cond(s->expr);
        uint32_t H = lw_blk_new(L), B = lw_blk_new(L), X = lw_blk_new(L);
        uint32_t C = dup ? lw_blk_new(L) : H;
        lw_blk_start(L, H);
        lw_cond(L, s->expr, B, X);
        push_loop(L, s, X, C);
        lw_blk_start(L, B);
        lw_lower_stmt(L, s->then);
        L->nloops--;
        if (dup) {
            lw_blk_start(L, C);
            L->line = s->line;
            L->col = s->col;
            lw_cond(L, s->expr, B, X);
        } else {
            lw_emit_jmp(L, H);
        }
        lw_blk_start(L, X);
        break;
    }
    case ST_DO: {
        uint32_t B = lw_blk_new(L), C = lw_blk_new(L), X = lw_blk_new(L);
        lw_blk_start(L, B);
        push_loop(L, s, X, C);
        lw_lower_stmt(L, s->then);
        L->nloops--;
        lw_blk_start(L, C);
        L->line = s->line;
        L->col = s->col;
        lw_cond(L, s->expr, B, X);
        lw_blk_start(L, X);
        break;
    }
    case ST_FOR: {
        lw_lower_stmt(L, s->init);
        /* like while: the latch S runs the step and repeats the test */
        int dup = s->expr && small_cond(s->expr);
        uint32_t H = lw_blk_new(L), X = lw_blk_new(L);
        uint32_t B = s->expr ? lw_blk_new(L) : H;
        uint32_t S = s->step || dup ? lw_blk_new(L) : H;
        lw_blk_start(L, H);
        if (s->expr) {
            L->line = s->line;
            L->col = s->col;
            lw_cond(L, s->expr, B, X);
            lw_blk_start(L, B);
        }
        push_loop(L, s, X, S);
        lw_lower_stmt(L, s->then);
        L->nloops--;
        if (S != H) {
            lw_blk_start(L, S);
            lw_lower_void(L, s->step);
        }
        if (dup) {
            L->line = s->line;
            L->col = s->col;
            lw_cond(L, s->expr, B, X);
        } else {
            lw_emit_jmp(L, H);
        }
        lw_blk_start(L, X);
        break;
    }
    case ST_SWITCH:
        stmt_switch(L, s);
        break;
    case ST_CASE:
    case ST_DEFAULT:
        if (!s->lw_done) {
            lw_ierr(L, "case label outside a switch");
            break;
        }
        lw_blk_start(L, s->lw_block);
        break;
    case ST_BREAK:
    case ST_CONTINUE: {
        const lw_loop *l = s->target ? find_loop(L, s->target) : NULL;
        if (!l) {
            lw_ierr(L, "break/continue without a target");
            break;
        }
        lw_emit_jmp(L, s->kind == ST_BREAK ? l->brk : l->cont);
        break;
    }
    case ST_GOTO:
        if (!s->target) {
            lw_ierr(L, "goto without a label");
            break;
        }
        lw_emit_jmp(L, label_block(L, s->target));
        break;
    case ST_LABEL:
        lw_blk_start(L, label_block(L, (ast_stmt *)s));
        break;
    case ST_RETURN:
        stmt_return(L, s);
        break;
    default:
        lw_ierr(L, "unknown statement kind %d", s->kind);
    }
    lw_leave(L->cx);
}

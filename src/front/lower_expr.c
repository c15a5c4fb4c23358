/* lower_expr.c — expressions: lvalues, loads and stores, bit-fields,
 * operators, conditions, calls, and the initializers of locals. */
#include "lower.h"

static const ctype ty_int = {.kind = TY_INT, .size = 4, .align = 4};

/* ---- frame, addresses ---------------------------------------------------- */

uint32_t lw_frame_alloc(lw *L, uint32_t size, uint32_t align)
{
    ir_func *f = L->f;
    if (!f) {
        lw_ierr(L, "frame object outside a function");
        return 0;
    }
    if (align == 0)
        align = 1;
    if (align > 16)
        align = 16;
    uint64_t off = ((uint64_t)f->frame_size + align - 1) & ~(uint64_t)(align - 1);
    if (off + size > (1u << 30)) {
        if (!L->stop)
            fe_error(L->cx, KP_ERR_LIMIT, L->file, (int)L->line, (int)L->col,
                     "the local variables of '%s' exceed 1 GiB", f->name);
        L->stop = 1;
        return 0;
    }
    f->frame_size = (uint32_t)(off + size);
    if (align > f->frame_align)
        f->frame_align = align;
    return (uint32_t)off;
}

ir_reg lw_frame_addr(lw *L, uint32_t off)
{
    ir_insn in = {.op = IR_FRAME, .type = IR_I32, .imm = off};
    return lw_emit_dst(L, &in, IR_I32).r;
}

static ir_reg gaddr(lw *L, uint32_t off)
{
    ir_insn in = {.op = IR_GADDR, .type = IR_I32, .imm = off};
    return lw_emit_dst(L, &in, IR_I32).r;
}

void lw_emit_copy(lw *L, ir_reg dst, ir_reg src, uint32_t size)
{
    ir_insn in = {.op = IR_COPY, .a = dst, .b = src, .imm = size};
    lw_emit(L, &in);
}

void lw_local_storage(lw *L, csym *s, int force_mem)
{
    if (s->lw_done)
        return;
    const ctype *t = s->type;
    if (!t) {
        lw_ierr(L, "local '%s' without a type", s->name ? s->name : "?");
        return;
    }
    if (!force_mem && ty_is_scalar(t) && !s->addr_taken) {
        s->lw_done = LOC_REG;
        s->lw_reg = lw_newreg(L, tc(t).t);
    } else {
        s->lw_done = LOC_FRAME;
        s->lw_offset = lw_frame_alloc(L, t->size, t->align);
    }
}

/* lv->disp += d, keeping |disp| within IR_MAX_DISP. */
static void lv_add(lw *L, lval *lv, int64_t d)
{
    int64_t nd = (int64_t)((uint64_t)lv->disp + (uint64_t)d);
    if (nd > IR_MAX_DISP || nd < -IR_MAX_DISP) {
        lv->r = lw_regof(L, lw_op2(L, IR_ADD, IR_I32, vr(lv->r, IR_I32), vk_i(IR_I32, nd)));
        lv->disp = 0;
    } else {
        lv->disp = nd;
    }
}

static ir_reg lv_addr(lw *L, const lval *lv)
{
    if (lv->k != LV_MEM) {
        lw_ierr(L, "address of a register variable");
        return 1;
    }
    if (!lv->disp)
        return lv->r;
    return lw_regof(L, lw_op2(L, IR_ADD, IR_I32, vr(lv->r, IR_I32), vk_i(IR_I32, lv->disp)));
}

static void lower_lval(lw *L, const ast_expr *e, lval *lv);

static val faddr(lw *L, csym *s)
{
    int k = lw_func_ref(L, s);
    if (k == FN_RTLIB) {
        fe_error(L->cx, KP_ERR_COMPILE, L->file, (int)L->line, (int)L->col,
                 "cannot take the address of runtime function '%s'", s->name);
        s->lw_done = FN_BAD;
    }
    if (k != FN_LOCAL && k != FN_IMPORT)
        return vk_i(IR_I32, 0);
    ir_insn in = {.op = IR_FADDR, .type = IR_I32, .imm = s->lw_index,
                  .flags = k == FN_IMPORT ? IR_F_IMPORT : 0};
    return lw_emit_dst(L, &in, IR_I32);
}

/* The index i (I32 or I64) times scale, as an I32 byte offset. */
static val scaled(lw *L, val i, uint32_t scale)
{
    if (i.t == IR_I64)
        i = lw_op1(L, IR_TRUNC, IR_I32, IR_I64, i);
    return lw_op2(L, IR_MUL, IR_I32, i, vk_i(IR_I32, scale));
}

static val ptr_add(lw *L, val p, val i, uint32_t scale)
{
    return lw_op2(L, IR_ADD, IR_I32, p, scaled(L, i, scale));
}

/* Split an index expression into rest + c when it is i + c / i - c / c + i,
 * looking through conversions that keep the low 32 bits: the scaled index
 * is only used modulo 2^32, so (i + c) * s == i * s + c * s there. */
static const ast_expr *split_index(const ast_expr *e, int64_t *c)
{
    *c = 0;
    for (int n = 0; n < 8; n++) {
        const ast_expr *x = e;
        while (x->kind == EX_CAST && x->lhs && x->type && x->lhs->type &&
               ty_is_integer(x->type) && ty_is_integer(x->lhs->type) &&
               x->type->size >= 4 && x->lhs->type->size >= 4)
            x = x->lhs;
        if ((x->kind == EX_ADD || x->kind == EX_SUB) && x->lhs && x->rhs && x->type &&
            ty_is_integer(x->type) && x->type->size >= 4) {
            if (x->rhs->kind == EX_INT) {
                *c = (int64_t)((uint64_t)*c + (x->kind == EX_ADD ? (uint64_t)x->rhs->ival
                                                                  : 0 - (uint64_t)x->rhs->ival));
                e = x->lhs;
                continue;
            }
            if (x->kind == EX_ADD && x->lhs->kind == EX_INT) {
                *c = (int64_t)((uint64_t)*c + (uint64_t)x->lhs->ival);
                e = x->rhs;
                continue;
            }
        }
        break;
    }
    return e;
}

/* Address of what pointer expression e points to, as base + disp, folding
 * member offsets and constant indices into the displacement. */
static void ptr_addr(lw *L, const ast_expr *e, lval *lv)
{
    switch (e->kind) {
    case EX_DECAY:
    case EX_ADDR:
        if (e->lhs && e->lhs->type && e->lhs->type->kind != TY_FUNC) {
            lower_lval(L, e->lhs, lv);
            if (lv->k == LV_MEM && !lv->bfw)
                return;
            lw_ierr(L, "address of a register or a bit-field");
            return;
        }
        break;
    case EX_PTR_ADD: {
        ptr_addr(L, e->lhs, lv);
        int64_t c;
        const ast_expr *ix = split_index(e->rhs, &c);
        val i = lw_lower_expr(L, ix);
        if (i.k) {
            c = (int64_t)((uint64_t)c + (uint64_t)i.i);
        } else {
            lv->r = lw_regof(L, lw_op2(L, IR_ADD, IR_I32, vr(lv->r, IR_I32), scaled(L, i, e->scale)));
        }
        /* wraps like the I32 arithmetic it replaces */
        lv_add(L, lv, (int64_t)(int32_t)(uint32_t)((uint64_t)c * e->scale));
        return;
    }
    case EX_CAST:
        if (e->lhs && e->lhs->type && e->lhs->type->kind == TY_PTR && e->type &&
            e->type->kind == TY_PTR) {
            ptr_addr(L, e->lhs, lv);
            return;
        }
        break;
    default:
        break;
    }
    val v = lw_lower_expr(L, e);
    lv->k = LV_MEM;
    lv->r = lw_regof(L, v);
    lv->disp = 0;
}

static void lower_lval(lw *L, const ast_expr *e, lval *lv)
{
    memset(lv, 0, sizeof *lv);
    lv->k = LV_MEM;
    lv->ty = e->type;
    lv->r = 1;
    if (L->stop)
        return;
    if (!lw_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return;
    }
    switch (e->kind) {
    case EX_VAR: {
        csym *s = e->sym;
        if (!s) {
            lw_ierr(L, "variable without a symbol");
        } else if (s->kind == SYM_LOCAL) {
            lw_local_storage(L, s, 0);
            if (s->lw_done == LOC_REG) {
                lv->k = LV_REG;
                lv->r = s->lw_reg;
            } else if (s->lw_done == LOC_FRAME) {
                lv->r = lw_frame_addr(L, s->lw_offset);
            } else {
                lv->r = s->lw_reg;
            }
        } else if (s->kind == SYM_GLOBAL) {
            lv->r = gaddr(L, lw_global_off(L, s));
        } else {
            lw_ierr(L, "function '%s' used as an object", s->name ? s->name : "?");
        }
        break;
    }
    case EX_DEREF:
        ptr_addr(L, e->lhs, lv);
        lv->ty = e->type;
        break;
    case EX_MEMBER: {
        lower_lval(L, e->lhs, lv);
        if (lv->k != LV_MEM || !e->field) {
            lw_ierr(L, "member of a non-object");
            break;
        }
        lv->ty = e->field->is_bitfield ? e->field->type : e->type;
        lv_add(L, lv, e->field->offset);
        if (e->field->is_bitfield) {
            lv->bfw = e->field->bit_width;
            lv->bfo = e->field->bit_offset;
        }
        break;
    }
    case EX_STR:
        lv->r = gaddr(L, lw_lit_intern(L, e->str, e->str_len, 1));
        break;
    case EX_COMPOUND: {
        csym *s = e->sym;
        if (!s) {
            lw_ierr(L, "compound literal without an object");
        } else if (s->kind == SYM_GLOBAL) {
            lv->r = gaddr(L, lw_global_off(L, s));
        } else {
            lw_local_storage(L, s, 1);
            lw_init_local(L, s);
            if (s->lw_done == LOC_REG) {
                lv->k = LV_REG;
                lv->r = s->lw_reg;
            } else {
                lv->r = lw_frame_addr(L, s->lw_offset);
            }
        }
        break;
    }
    default:
        if (is_aggr(e->type)) { /* an rvalue struct: call result, assignment, ?: */
            lv->r = lw_regof(L, lw_lower_expr(L, e));
        } else {
            lw_ierr(L, "expression kind %d is not an lvalue", e->kind);
        }
        break;
    }
    lw_leave(L->cx);
}

/* ---- loads and stores, bit-fields ---------------------------------------- */

static int bf_ldkind(const ctype *t, int rt)
{
    switch (t->size) {
    case 1: return IR_M_U8;
    case 2: return IR_M_U16;
    case 4: return rt == IR_I64 ? IR_M_U32 : IR_M_I32;
    default: return IR_M_I64;
    }
}

static uint64_t bmask(int w) { return w >= 64 ? ~0ull : ((1ull << w) - 1); }

static val bf_read(lw *L, const lval *lv)
{
    tcls c = tc(lv->ty);
    int t = c.t, W = t == IR_I64 ? 64 : 32, w = lv->bfw, o = lv->bfo;
    ir_insn in = {.op = IR_LOAD, .type = (uint8_t)t, .stype = (uint8_t)bf_ldkind(lv->ty, t),
                  .a = lv->r, .imm = lv->disp};
    val x = lw_emit_dst(L, &in, t);
    if (!c.uns) {
        x = lw_op2(L, IR_SHL, t, x, vk_i(t, W - o - w));
        return lw_op2(L, IR_SHRS, t, x, vk_i(t, W - w));
    }
    x = lw_op2(L, IR_SHRU, t, x, vk_i(t, o));
    return w < W ? lw_op2(L, IR_AND, t, x, vk_i(t, (int64_t)bmask(w))) : x;
}

static val bf_write(lw *L, const lval *lv, val v, int need)
{
    tcls c = tc(lv->ty);
    int t = c.t, W = t == IR_I64 ? 64 : 32, w = lv->bfw, o = lv->bfo;
    uint64_t mask = bmask(w);
    ir_insn ld = {.op = IR_LOAD, .type = (uint8_t)t, .stype = (uint8_t)bf_ldkind(lv->ty, t),
                  .a = lv->r, .imm = lv->disp};
    val old = lw_emit_dst(L, &ld, t);
    val part = lw_op2(L, IR_SHL, t, lw_op2(L, IR_AND, t, v, vk_i(t, (int64_t)mask)), vk_i(t, o));
    val kept = lw_op2(L, IR_AND, t, old, vk_i(t, (int64_t)~(mask << o)));
    val n = lw_op2(L, IR_OR, t, kept, part);
    ir_insn st = {.op = IR_STORE, .type = (uint8_t)t, .stype = (uint8_t)ty_ir_mem(lv->ty),
                  .a = lv->r, .imm = lv->disp};
    st.b = lw_regof(L, n);
    lw_emit(L, &st);
    if (!need)
        return v;
    if (!c.uns)
        return lw_op2(L, IR_SHRS, t, lw_op2(L, IR_SHL, t, v, vk_i(t, W - w)), vk_i(t, W - w));
    return lw_op2(L, IR_AND, t, v, vk_i(t, (int64_t)mask));
}

static val load(lw *L, const lval *lv)
{
    if (L->stop)
        return vk_zero(tc(lv->ty).t);
    if (lv->k == LV_REG)
        return vr(lv->r, L->f->reg_types[lv->r]);
    const ctype *t = lv->ty;
    if (!t || t->kind == TY_VOID)
        return vvoid();
    if (is_aggr(t) || t->kind == TY_FUNC)
        return vr(lv_addr(L, lv), IR_I32);
    if (lv->bfw)
        return bf_read(L, lv);
    int rt = tc(t).t;
    ir_insn in = {.op = IR_LOAD, .type = (uint8_t)rt, .stype = (uint8_t)ty_ir_mem(t),
                  .a = lv->r, .imm = lv->disp};
    return lw_emit_dst(L, &in, rt);
}

/* Store v into lv; returns the value the object now holds (for bit-fields
 * only computed when `need`). */
val lw_store(lw *L, const lval *lv, val v, int need)
{
    if (L->stop)
        return v;
    if (lv->k == LV_REG) {
        lw_write_reg(L, lv->r, v);
        return vr(lv->r, L->f->reg_types[lv->r]);
    }
    const ctype *t = lv->ty;
    if (is_aggr(t)) {
        ir_reg d = lv_addr(L, lv);
        lw_emit_copy(L, d, lw_regof(L, v), t->size);
        return vr(d, IR_I32);
    }
    int rt = tc(t).t;
    if (v.t != rt) {
        lw_ierr(L, "store of %s into a %s object", ir_type_name(v.t), ir_type_name(rt));
        return v;
    }
    if (lv->bfw)
        return bf_write(L, lv, v, need);
    while (!need && v.fresh && t->size <= 2 && !L->dead && v.r == L->f->nregs - 1 &&
           v.r != L->cse_pinned) {
        /* a narrow store truncates: extensions just before it are dead */
        ir_block *b = &L->f->blocks[L->cur];
        ir_insn *last = b->ninsns ? &b->insns[b->ninsns - 1] : NULL;
        if (!last || last->dst != v.r ||
            !(last->op == IR_SEXT16 || last->op == IR_ZEXT16 ||
              (t->size == 1 && (last->op == IR_SEXT8 || last->op == IR_ZEXT8))))
            break;
        ir_reg a = last->a;
        b->ninsns--;
        L->f->nregs--;
        lw_cse_kill(L, v.r);
        /* a may be a variable's register: stop here */
        v = vr(a, v.t);
    }
    ir_insn in = {.op = IR_STORE, .type = (uint8_t)rt, .stype = (uint8_t)ty_ir_mem(t),
                  .a = lv->r, .imm = lv->disp};
    in.b = lw_regof(L, v);
    lw_emit(L, &in);
    return v;
}

/* ---- operators ------------------------------------------------------------ */

static val arith(lw *L, int kind, const ctype *ty, val a, val b)
{
    tcls c = tc(ty);
    int t = c.t, op;
    switch (kind) {
    case EX_ADD: op = IR_ADD; break;
    case EX_SUB: op = IR_SUB; break;
    case EX_MUL: op = IR_MUL; break;
    case EX_DIV: op = c.flt ? IR_DIVS : c.uns ? IR_DIVU : IR_DIVS; break;
    case EX_MOD: op = c.uns ? IR_REMU : IR_REMS; break;
    case EX_SHL: op = IR_SHL; break;
    case EX_SHR: op = c.uns ? IR_SHRU : IR_SHRS; break;
    case EX_BITAND: op = IR_AND; break;
    case EX_BITOR: op = IR_OR; break;
    case EX_BITXOR: op = IR_XOR; break;
    default:
        lw_ierr(L, "bad arithmetic operator %d", kind);
        return vk_zero(t);
    }
    if ((kind == EX_SHL || kind == EX_SHR) && b.t != t) {
        /* the count is masked to width-1: only its low bits matter */
        if (b.t == IR_I64 && t == IR_I32)
            b = lw_op1(L, IR_TRUNC, IR_I32, IR_I64, b);
        else if (b.t == IR_I32 && t == IR_I64)
            b = lw_op1(L, IR_ZEXT32, IR_I64, IR_I32, b);
    }
    if (a.t != t || b.t != t || (c.flt && op != IR_ADD && op != IR_SUB && op != IR_MUL &&
                                 op != IR_DIVS)) {
        lw_ierr(L, "operands of operator %d do not match its type", kind);
        return vk_zero(t);
    }
    val r = lw_op2(L, op, t, a, b);
    return c.bits < 32 && !c.flt ? lw_narrow(L, r, c) : r;
}

static int is_arith_kind(int k) { return k >= EX_ADD && k <= EX_BITXOR; }
static int is_cmp_kind(int k) { return k >= EX_EQ && k <= EX_GE; }

/* The 0/1 value of comparison e, or of its negation if `invert` (callers
 * only invert float comparisons that stay exact: == and !=). */
static val compare(lw *L, const ast_expr *e, int invert)
{
    const ctype *ct = e->cmp_type ? e->cmp_type : e->lhs->type;
    tcls c = tc(ct);
    val a = lw_lower_expr(L, e->lhs);
    val b = lw_lower_expr(L, e->rhs);
    if (a.t != b.t || a.t == IR_VOID) {
        lw_ierr(L, "comparison of %s and %s", ir_type_name(a.t), ir_type_name(b.t));
        return vk_i(IR_I32, 0);
    }
    int u = c.uns && !c.flt, op;
    ex_kind k = e->kind;
    if (invert) {
        static const ex_kind inv[] = {[EX_EQ] = EX_NE, [EX_NE] = EX_EQ, [EX_LT] = EX_GE,
                                      [EX_LE] = EX_GT, [EX_GT] = EX_LE, [EX_GE] = EX_LT};
        k = inv[k];
    }
    switch (k) {
    case EX_EQ: op = IR_EQ; break;
    case EX_NE: op = IR_NE; break;
    case EX_LT: op = u ? IR_LTU : IR_LTS; break;
    case EX_LE: op = u ? IR_LEU : IR_LES; break;
    case EX_GT: op = u ? IR_GTU : IR_GTS; break;
    default: op = u ? IR_GEU : IR_GES; break;
    }
    return lw_op2(L, op, a.t, a, b);
}

/* Branch to T if e is true, else to F; no 0/1 is materialized. */
void lw_cond(lw *L, const ast_expr *e, uint32_t T, uint32_t F)
{
    if (L->stop)
        return;
    if (!lw_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return;
    }
    uint32_t sl = L->line, sc = L->col;
    L->line = e->line;
    L->col = e->col;
    switch (e->kind) {
    case EX_LOGAND:
    case EX_LOGOR: {
        /* a && b && c is left-deep: walk its spine without recursion */
        ex_kind k = e->kind;
        uint32_t n = 0;
        const ast_expr *x = e;
        while (x->kind == k && x->lhs) {
            n++;
            x = x->lhs;
        }
        const ast_expr **sp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *sp);
        if (!sp) {
            lw_nomem(L);
            break;
        }
        x = e;
        for (uint32_t i = n; i-- > 0; x = x->lhs)
            sp[i] = x;
        const ast_expr *leaf = x; /* leftmost operand */
        for (uint32_t i = 0; i < n && !L->stop; i++) {
            uint32_t M = lw_blk_priv(L);
            if (k == EX_LOGAND)
                lw_cond(L, leaf, M, F);
            else
                lw_cond(L, leaf, T, M);
            lw_blk_start(L, M);
            leaf = sp[i]->rhs;
        }
        lw_cond(L, leaf, T, F);
        break;
    }
    case EX_LOGNOT:
        lw_cond(L, e->lhs, F, T);
        break;
    case EX_COMMA:
        lw_lower_void(L, e->lhs);
        lw_cond(L, e->rhs, T, F);
        break;
    default: {
        val v = is_cmp_kind(e->kind) ? compare(L, e, 0) : lw_lower_expr(L, e);
        if (v.t == IR_VOID) {
            lw_ierr(L, "condition without a value");
            break;
        }
        if (!is_cmp_kind(e->kind) && !(v.t == IR_I32 && !v.k))
            v = lw_truth(L, v);
        if (v.k) {
            lw_emit_jmp(L, v.i ? T : F);
        } else {
            ir_insn br = {.op = IR_BR, .a = v.r, .t1 = T, .t2 = F};
            lw_emit(L, &br);
        }
        break;
    }
    }
    L->line = sl;
    L->col = sc;
    lw_leave(L->cx);
}

static void lower_into(lw *L, const ast_expr *e, ir_reg var);

/* The 0/1 value of && / || (into r, or a new register if r is 0). */
static val logical(lw *L, const ast_expr *e, ir_reg r)
{
    if (!r)
        r = lw_newreg(L, IR_I32);
    uint32_t T = lw_blk_priv(L), F = lw_blk_priv(L), J = lw_blk_new(L);
    lw_cond(L, e, T, F);
    lw_blk_start(L, T);
    lw_write_reg(L, r, vk_i(IR_I32, 1));
    lw_emit_jmp(L, J);
    lw_blk_start(L, F);
    lw_write_reg(L, r, vk_i(IR_I32, 0));
    lw_blk_start(L, J);
    return vr(r, IR_I32);
}

static val condexpr(lw *L, const ast_expr *e, int need, ir_reg dst)
{
    const ast_expr *c = e->cond;
    int t = tc(e->type).t;
    if (!c) {
        lw_ierr(L, "?: without a condition");
        return vk_zero(t);
    }
    if (c->kind == EX_INT) {
        const ast_expr *x = c->ival ? e->lhs : e->rhs;
        if (!need || t == IR_VOID) {
            lw_lower_void(L, x);
            return vvoid();
        }
        return lw_lower_expr(L, x);
    }
    uint32_t T = lw_blk_priv(L), F = lw_blk_priv(L), J = lw_blk_new(L);
    lw_cond(L, c, T, F);
    if (!need || t == IR_VOID) {
        lw_blk_start(L, T);
        lw_lower_void(L, e->lhs);
        lw_emit_jmp(L, J);
        lw_blk_start(L, F);
        lw_lower_void(L, e->rhs);
        lw_blk_start(L, J);
        return vvoid();
    }
    ir_reg r = dst ? dst : lw_newreg(L, t);
    lw_blk_start(L, T);
    lower_into(L, e->lhs, r);
    lw_emit_jmp(L, J);
    lw_blk_start(L, F);
    lower_into(L, e->rhs, r);
    lw_blk_start(L, J);
    return vr(r, t);
}

/* The value of e into register var (of e's register type). ?:, && and ||
 * write their arms straight into it: each path writes var once, at its end,
 * after everything that path reads. */
static void lower_into(lw *L, const ast_expr *e, ir_reg var)
{
    if (L->stop)
        return;
    int t = L->f->reg_types[var];
    if ((e->kind == EX_LOGAND || e->kind == EX_LOGOR) && t == IR_I32) {
        logical(L, e, var);
        return;
    }
    if (e->kind == EX_COND && e->cond && e->cond->kind != EX_INT && tc(e->type).t == t &&
        e->type->kind != TY_VOID) {
        if (!lw_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
            L->stop = 1;
            return;
        }
        condexpr(L, e, 1, var);
        lw_leave(L->cx);
        return;
    }
    lw_write_reg(L, var, lw_lower_expr(L, e));
}

static val assign(lw *L, const ast_expr *e, int need)
{
    lval lv;
    lower_lval(L, e->lhs, &lv);
    if (lv.k == LV_REG && !L->stop) {
        lower_into(L, e->rhs, lv.r);
        return vr(lv.r, L->f->reg_types[lv.r]);
    }
    val v = lw_lower_expr(L, e->rhs);
    return lw_store(L, &lv, v, need);
}

static val opassign(lw *L, const ast_expr *e, int need)
{
    lval lv;
    lower_lval(L, e->lhs, &lv);
    val b = lw_lower_expr(L, e->rhs);
    val old = load(L, &lv);
    val r;
    if (e->binop == EX_PTR_ADD) {
        r = ptr_add(L, old, b, e->scale);
    } else {
        const ctype *ot = e->op_type ? e->op_type : e->lhs->type;
        val a = lw_conv(L, old, e->lhs->type, ot);
        r = arith(L, e->binop, ot, a, b);
        r = lw_conv(L, r, ot, e->lhs->type);
    }
    return lw_store(L, &lv, r, need);
}

static val incdec(lw *L, const ast_expr *e, int need)
{
    int post = e->kind == EX_POSTINC || e->kind == EX_POSTDEC;
    int op = e->kind == EX_PREDEC || e->kind == EX_POSTDEC ? IR_SUB : IR_ADD;
    const ctype *ty = e->lhs->type;
    lval lv;
    lower_lval(L, e->lhs, &lv);
    val old = load(L, &lv);
    if (post && need && lv.k == LV_REG) {
        ir_insn mv = {.op = IR_MOV, .type = old.t, .a = old.r};
        old = lw_emit_dst(L, &mv, old.t);
        old.fresh = 0;
    }
    tcls c = tc(ty);
    val nv;
    if (ty->kind == TY_PTR)
        nv = lw_op2(L, op, IR_I32, old, vk_i(IR_I32, e->scale));
    else if (c.flt)
        nv = lw_op2(L, op, c.t, old, vk_f(c.t, 1.0));
    else if (c.t == IR_I64)
        nv = lw_op2(L, op, IR_I64, old, vk_i(IR_I64, 1));
    else
        nv = lw_conv(L, lw_op2(L, op, IR_I32, old, vk_i(IR_I32, 1)), &ty_int, ty);
    nv = lw_store(L, &lv, nv, need && !post);
    return post ? old : nv;
}

static val call(lw *L, const ast_expr *e, int need)
{
    (void)need;
    const ast_expr *c = e->lhs;
    while (c && (c->kind == EX_DECAY || c->kind == EX_ADDR || c->kind == EX_DEREF) &&
           c->lhs && is_fnty(c->lhs->type) && is_fnty(c->type))
        c = c->lhs;
    const ctype *ft = c ? fn_type(c->type) : NULL;
    if (!ft) {
        lw_ierr(L, "call of a non-function");
        return vvoid();
    }
    int direct = c->kind == EX_VAR && c->sym && c->sym->kind == SYM_FUNC;
    int k = 0;
    ir_sig sig;
    int sret = 0;
    ir_reg handle = 0;
    if (direct) {
        k = lw_func_ref(L, c->sym);
        if (k == FN_LOCAL && c->sym->lw_index < L->m->nfuncs)
            sig = L->m->funcs[c->sym->lw_index]->sig;
        else if (k == FN_IMPORT)
            sig = L->imp[c->sym->lw_index].sig;
        else if (k == FN_RTLIB)
            sig = *ir_rtlib_sig((int)c->sym->lw_index);
        else
            return vk_zero(tc(ft->base).t);
        sret = is_su(ft->base);
    } else {
        handle = lw_regof(L, lw_lower_expr(L, c));
        if (lw_sig_of(L, ft, &sig, &sret))
            return vvoid();
    }
    if (e->nargs < ft->nparams || (e->nargs > ft->nparams && !ft->variadic)) {
        lw_ierr(L, "call with %u arguments for %u parameters", e->nargs, ft->nparams);
        return vvoid();
    }
    uint32_t nargs = e->nargs + (uint32_t)sret;
    if ((uint32_t)sig.nparams + (uint32_t)(nargs - sig.nparams) != nargs ||
        nargs < sig.nparams) {
        lw_ierr(L, "call does not match the prototype");
        return vvoid();
    }
    ir_reg *args = NULL;
    if (nargs) {
        args = kp_arena_alloc(&L->m->arena, nargs * sizeof *args);
        if (!args) {
            lw_nomem(L);
            return vvoid();
        }
    }
    ir_reg sr = 0;
    uint32_t j = 0;
    if (sret) {
        sr = lw_frame_addr(L, lw_frame_alloc(L, ft->base->size, ft->base->align));
        args[j++] = sr;
    }
    for (uint32_t i = 0; i < e->nargs && !L->stop; i++) {
        const ast_expr *a = e->args[i];
        val v = lw_lower_expr(L, a);
        if (is_su(a->type)) { /* the callee gets a pointer to a copy */
            ir_reg t = lw_frame_addr(L, lw_frame_alloc(L, a->type->size, a->type->align));
            lw_emit_copy(L, t, lw_regof(L, v), a->type->size);
            args[j++] = t;
        } else {
            if (v.t == IR_VOID) {
                lw_ierr(L, "void argument");
                return vvoid();
            }
            args[j++] = lw_regof(L, v);
        }
    }
    ir_insn in = {.op = IR_CALL, .nargs = nargs, .args = args};
    if (direct) {
        in.op = k == FN_LOCAL ? IR_CALL : k == FN_IMPORT ? IR_CALLI : IR_CALLR;
        in.imm = c->sym->lw_index;
    } else {
        ir_sig *ps = kp_arena_alloc(&L->m->arena, sizeof *ps);
        if (!ps) {
            lw_nomem(L);
            return vvoid();
        }
        *ps = sig;
        in.op = IR_CALLP;
        in.a = handle;
        in.sig = ps;
    }
    L->line = e->line;
    L->col = e->col;
    if (sig.ret == IR_VOID) {
        lw_emit(L, &in);
        return vvoid();
    }
    int rt = ir_sig_regtype(sig.ret);
    in.type = (uint8_t)rt;
    val v = lw_emit_dst(L, &in, rt);
    if (sret)
        return vr(sr, IR_I32);
    tcls rc = tc(ft->base);
    if (k != FN_LOCAL && rc.bits < 32 && !rc.flt) /* the host may not have normalized it */
        v = lw_narrow(L, v, rc);
    return v;
}

/* ---- expressions ---------------------------------------------------------- */

static val expr_inner(lw *L, const ast_expr *e)
{
    switch (e->kind) {
    case EX_INT: {
        tcls c = tc(e->type);
        if (c.flt)
            return vk_f(c.t, (double)e->ival);
        return vk_i(c.t ? c.t : IR_I32, e->ival);
    }
    case EX_FLOAT: {
        tcls c = tc(e->type);
        if (!c.flt)
            return vk_i(c.t ? c.t : IR_I32, (int64_t)e->fval);
        return vk_f(c.t, e->fval);
    }
    case EX_VAR:
        if (e->sym && e->sym->kind == SYM_FUNC)
            return faddr(L, e->sym);
        if (e->sym && e->sym->kind == SYM_LOCAL && e->sym->lw_done == LOC_REG &&
            L->cx->depth < L->cx->opts.max_nesting && !fe_stack_low(L->cx))
            /* A variable in a register, the most common leaf: lower_lval +
             * load without the calls (and their nesting check, which the
             * test above stands for). */
            return vr(e->sym->lw_reg, L->f->reg_types[e->sym->lw_reg]);
        /* fallthrough */
    case EX_STR:
    case EX_MEMBER:
    case EX_COMPOUND: {
        lval lv;
        lower_lval(L, e, &lv);
        return load(L, &lv);
    }
    case EX_DEREF:
        if (e->type && e->type->kind == TY_FUNC) /* *fp is the function: its handle */
            return lw_lower_expr(L, e->lhs);
        {
            lval lv;
            lower_lval(L, e, &lv);
            return load(L, &lv);
        }
    case EX_DECAY:
    case EX_ADDR: {
        if (e->lhs->type && e->lhs->type->kind == TY_FUNC)
            return lw_lower_expr(L, e->lhs);
        lval lv;
        ptr_addr(L, e, &lv);
        if (!lv.disp)
            return vr(lv.r, IR_I32);
        return lw_op2(L, IR_ADD, IR_I32, vr(lv.r, IR_I32), vk_i(IR_I32, lv.disp));
    }
    case EX_CAST:
        if (!e->type || e->type->kind == TY_VOID) {
            lw_lower_void(L, e->lhs);
            return vvoid();
        }
        return lw_conv(L, lw_lower_expr(L, e->lhs), e->lhs->type, e->type);
    case EX_NEG:
        return lw_op1(L, IR_NEG, tc(e->type).t, tc(e->type).t, lw_lower_expr(L, e->lhs));
    case EX_BITNOT:
        return lw_op1(L, IR_NOT, tc(e->type).t, tc(e->type).t, lw_lower_expr(L, e->lhs));
    case EX_LOGNOT: {
        const ast_expr *x = e->lhs;
        if (is_cmp_kind(x->kind) && x->lhs &&
            (!ty_is_float(x->cmp_type ? x->cmp_type : x->lhs->type) || x->kind == EX_EQ ||
             x->kind == EX_NE)) {
            uint8_t sf = L->file;
            uint32_t sl = L->line, sc = L->col;
            L->line = x->line;
            L->col = x->col;
            val r = compare(L, x, 1);
            L->file = sf;
            L->line = sl;
            L->col = sc;
            return r;
        }
        val v = lw_lower_expr(L, e->lhs);
        return lw_op2(L, IR_EQ, v.t, v, vk_zero(v.t));
    }
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_MOD:
    case EX_SHL: case EX_SHR: case EX_BITAND: case EX_BITOR: case EX_BITXOR: {
        /* left-deep chains (a + b + c + ...) without recursion on the spine */
        uint32_t n = 0;
        const ast_expr *x = e;
        while (is_arith_kind(x->kind) && x->lhs) {
            n++;
            x = x->lhs;
        }
        const ast_expr **sp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *sp);
        if (!sp) {
            lw_nomem(L);
            return vk_zero(tc(e->type).t);
        }
        x = e;
        for (uint32_t i = n; i-- > 0; x = x->lhs)
            sp[i] = x;
        val acc = lw_lower_expr(L, x);
        for (uint32_t i = 0; i < n && !L->stop; i++) {
            val b = lw_lower_expr(L, sp[i]->rhs);
            L->line = sp[i]->line;
            L->col = sp[i]->col;
            acc = arith(L, sp[i]->kind, sp[i]->type, acc, b);
        }
        return acc;
    }
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
        return compare(L, e, 0);
    case EX_LOGAND:
    case EX_LOGOR:
        return logical(L, e, 0);
    case EX_PTR_ADD: {
        val p = lw_lower_expr(L, e->lhs);
        val i = lw_lower_expr(L, e->rhs);
        return ptr_add(L, p, i, e->scale);
    }
    case EX_PTR_DIFF: {
        val a = lw_lower_expr(L, e->lhs);
        val b = lw_lower_expr(L, e->rhs);
        val d = lw_op2(L, IR_SUB, IR_I32, a, b);
        uint32_t s = e->scale;
        if (s > 1) {
            if ((s & (s - 1)) == 0) { /* exact division: a shift is the same */
                int sh = 0;
                while ((1u << sh) != s)
                    sh++;
                d = lw_op2(L, IR_SHRS, IR_I32, d, vk_i(IR_I32, sh));
            } else {
                d = lw_op2(L, IR_DIVS, IR_I32, d, vk_i(IR_I32, s));
            }
        }
        return tc(e->type).t == IR_I64 ? lw_op1(L, IR_SEXT32, IR_I64, IR_I32, d) : d;
    }
    case EX_ASSIGN:
        return assign(L, e, 1);
    case EX_OPASSIGN:
        return opassign(L, e, 1);
    case EX_PREINC: case EX_PREDEC: case EX_POSTINC: case EX_POSTDEC:
        return incdec(L, e, 1);
    case EX_COND:
        return condexpr(L, e, 1, 0);
    case EX_COMMA:
        lw_lower_void(L, e->lhs);
        return lw_lower_expr(L, e->rhs);
    case EX_CALL:
        return call(L, e, 1);
    }
    lw_ierr(L, "unknown expression kind %d", e->kind);
    return vk_zero(tc(e->type).t);
}

val lw_lower_expr(lw *L, const ast_expr *e)
{
    if (L->stop || !e) {
        if (!e)
            lw_ierr(L, "missing expression");
        return vk_i(IR_I32, 0);
    }
    if ((e->kind == EX_INT || e->kind == EX_VAR) && L->cx->depth < L->cx->opts.max_nesting &&
        !fe_stack_low(L->cx)) {
        /* The common leaves emit nothing: no position to set, and the
         * test stands for lw_enter's (expr_inner's, exactly). */
        if (e->kind == EX_INT) {
            tcls c = tc(e->type);
            return c.flt ? vk_f(c.t, (double)e->ival) : vk_i(c.t ? c.t : IR_I32, e->ival);
        }
        const csym *s = e->sym;
        if (s && s->kind == SYM_LOCAL && s->lw_done == LOC_REG && L->cx->depth + 1 < L->cx->opts.max_nesting)
            return vr(s->lw_reg, L->f->reg_types[s->lw_reg]);
    }
    if (!lw_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return vk_i(IR_I32, 0);
    }
    uint8_t sf = L->file;
    uint32_t sl = L->line, sc = L->col;
    L->file = e->file;
    L->line = e->line;
    L->col = e->col;
    val v = expr_inner(L, e);
    L->file = sf;
    L->line = sl;
    L->col = sc;
    lw_leave(L->cx);
    return v;
}

/* e evaluated for its side effects only. */
void lw_lower_void(lw *L, const ast_expr *e)
{
    if (L->stop || !e)
        return;
    if (!lw_enter(L->cx, e->file, (int)e->line, (int)e->col)) {
        L->stop = 1;
        return;
    }
    uint8_t sf = L->file;
    uint32_t sl = L->line, sc = L->col;
    L->file = e->file;
    L->line = e->line;
    L->col = e->col;
    switch (e->kind) {
    case EX_ASSIGN: assign(L, e, 0); break;
    case EX_OPASSIGN: opassign(L, e, 0); break;
    case EX_PREINC: case EX_PREDEC: case EX_POSTINC: case EX_POSTDEC: incdec(L, e, 0); break;
    case EX_COND: condexpr(L, e, 0, 0); break;
    case EX_CALL: call(L, e, 0); break;
    case EX_COMMA: {
        /* a, b, c is left-deep */
        const ast_expr *x = e;
        uint32_t n = 0;
        while (x->kind == EX_COMMA && x->lhs) {
            n++;
            x = x->lhs;
        }
        const ast_expr **sp = kp_arena_alloc(&L->cx->arena, (size_t)n * sizeof *sp);
        if (!sp) {
            lw_nomem(L);
            break;
        }
        x = e;
        for (uint32_t i = n; i-- > 0; x = x->lhs)
            sp[i] = x;
        lw_lower_void(L, x);
        for (uint32_t i = 0; i < n; i++)
            lw_lower_void(L, sp[i]->rhs);
        break;
    }
    case EX_CAST:
        lw_lower_void(L, e->lhs);
        break;
    case EX_LOGAND:
    case EX_LOGOR: {
        uint32_t J = lw_blk_new(L);
        lw_cond(L, e, J, J);
        lw_blk_start(L, J);
        break;
    }
    default:
        lw_lower_expr(L, e); /* loads stay: they may trap */
        break;
    }
    L->file = sf;
    L->line = sl;
    L->col = sc;
    lw_leave(L->cx);
}

/* ---- initializers of locals ------------------------------------------- */

/* Does e always fold to a constant (no instruction, no trap)? */
static int const_tree(const ast_expr *e, int depth)
{
    if (!e || depth > 64)
        return 0;
    switch (e->kind) {
    case EX_INT:
    case EX_FLOAT:
        return 1;
    case EX_CAST:
        return e->type && e->lhs && e->lhs->type && ty_is_arith(e->type) &&
               ty_is_arith(e->lhs->type) && const_tree(e->lhs, depth + 1);
    case EX_NEG:
    case EX_BITNOT:
        return const_tree(e->lhs, depth + 1);
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_SHL: case EX_SHR:
    case EX_BITAND: case EX_BITOR: case EX_BITXOR:
        return e->type && ty_is_arith(e->type) && const_tree(e->lhs, depth + 1) &&
               const_tree(e->rhs, depth + 1);
    default:
        return 0;
    }
}

static int init_const(const ast_init *in)
{
    switch (in->kind) {
    case INIT_INT:
    case INIT_FLOAT:
    case INIT_BYTES:
        return 1;
    case INIT_EXPR:
        return in->type && ty_is_arith(in->type) && const_tree(in->expr, 0);
    default:
        return 0;
    }
}

/* Write one constant entry into an image of the object. */
static void img_entry(lw *L, uint8_t *buf, uint32_t size, const ast_init *in)
{
    const ctype *ty = in->type;
    uint8_t bw = in->is_bitfield ? in->bit_width : 0;
    if (in->kind == INIT_BYTES) {
        if ((uint64_t)in->offset + in->nbytes > size) {
            lw_ierr(L, "initializer out of bounds");
            return;
        }
        memcpy(buf + in->offset, in->bytes, in->nbytes);
        return;
    }
    if (!ty || !ty->size || (uint64_t)in->offset + (ty->size > 8 ? 8 : ty->size) > size) {
        lw_ierr(L, "initializer out of bounds");
        return;
    }
    if (in->kind == INIT_INT) {
        lw_img_scalar(buf, in->offset, ty, bw, in->bit_offset, in->ival, 0, 0);
    } else if (in->kind == INIT_FLOAT) {
        lw_img_scalar(buf, in->offset, ty, bw, in->bit_offset, 0, in->fval, 1);
    } else {
        val v = lw_lower_expr(L, in->expr);
        if (!v.k) {
            lw_ierr(L, "constant initializer did not fold");
            return;
        }
        if (v.t == IR_F32 || v.t == IR_F64)
            lw_img_scalar(buf, in->offset, ty, bw, in->bit_offset, 0, v.f, 1);
        else
            lw_img_scalar(buf, in->offset, ty, bw, in->bit_offset, v.i, 0, 0);
    }
}

static val addr_init(lw *L, const ast_init *in)
{
    val v;
    if (!in->sym) {
        v = vr(gaddr(L, lw_lit_intern(L, in->str, in->str_len, 1)), IR_I32);
    } else if (in->sym->kind == SYM_FUNC) {
        return faddr(L, in->sym);
    } else if (in->sym->kind == SYM_GLOBAL) {
        v = vr(gaddr(L, lw_global_off(L, in->sym)), IR_I32);
    } else {
        lval lv;
        ast_expr tmp = {.kind = EX_VAR, .sym = in->sym, .type = in->sym->type,
                        .line = L->line, .col = L->col, .file = L->file};
        lower_lval(L, &tmp, &lv);
        v = vr(lv_addr(L, &lv), IR_I32);
    }
    return lw_op2(L, IR_ADD, IR_I32, v, vk_i(IR_I32, in->addend));
}

static void store_init(lw *L, ir_reg base, const ast_init *in)
{
    const ctype *ty = in->type;
    if (!ty) {
        lw_ierr(L, "initializer without a type");
        return;
    }
    lval lv = {.k = LV_MEM, .r = base, .ty = ty};
    if (in->is_bitfield) {
        lv.bfw = in->bit_width;
        lv.bfo = in->bit_offset;
    }
    lv_add(L, &lv, in->offset);
    tcls c = tc(ty);
    val v;
    switch (in->kind) {
    case INIT_EXPR:
        v = lw_lower_expr(L, in->expr);
        if (is_aggr(ty)) {
            lw_emit_copy(L, lv_addr(L, &lv), lw_regof(L, v), ty->size);
            return;
        }
        break;
    case INIT_INT:
        v = c.flt ? vk_f(c.t, (double)in->ival) : vk_i(c.t, in->ival);
        break;
    case INIT_FLOAT:
        v = c.flt ? vk_f(c.t, in->fval) : vk_i(c.t, c.uns ? lw_f2i_u(in->fval, c.t) : lw_f2i_s(in->fval, c.t));
        break;
    case INIT_ADDR:
        v = addr_init(L, in);
        if (c.t == IR_I64)
            v = lw_op1(L, IR_ZEXT32, IR_I64, IR_I32, v);
        break;
    case INIT_BYTES: {
        ir_reg src = gaddr(L, lw_lit_intern(L, in->bytes, in->nbytes, 1));
        lw_emit_copy(L, lv_addr(L, &lv), src, in->nbytes);
        return;
    }
    default:
        lw_ierr(L, "unknown initializer kind %d", in->kind);
        return;
    }
    lw_store(L, &lv, v, 0);
}

/* Run the initializer of local s (its storage already chosen). */
void lw_init_local(lw *L, csym *s)
{
    const ctype *t = s->type;
    if (L->stop || !t)
        return;
    if (s->lw_done == LOC_REG) {
        tcls c = tc(t);
        val v = vk_zero(c.t);
        if (s->ninit) {
            const ast_init *in = &s->init[0];
            switch (in->kind) {
            case INIT_EXPR: lower_into(L, in->expr, s->lw_reg); return;
            case INIT_INT: v = c.flt ? vk_f(c.t, (double)in->ival) : vk_i(c.t, in->ival); break;
            case INIT_FLOAT: v = c.flt ? vk_f(c.t, in->fval) : vk_i(c.t, lw_f2i_s(in->fval, c.t)); break;
            case INIT_ADDR:
                v = addr_init(L, in);
                if (c.t == IR_I64)
                    v = lw_op1(L, IR_ZEXT32, IR_I64, IR_I32, v);
                break;
            default: lw_ierr(L, "bad initializer of a register local"); return;
            }
        }
        lw_write_reg(L, s->lw_reg, v);
        return;
    }
    if (s->lw_done != LOC_FRAME) {
        lw_ierr(L, "initializer of a parameter");
        return;
    }
    if (!s->ninit)
        return;
    /* Mostly-constant aggregates: one COPY from an image in the data. */
    int allconst = s->ninit >= 3 && t->size <= 65536;
    /* bytes covered: entries are sorted by offset, and a struct copy may
       have members stored over it afterwards ({ .s = x, .s.a = 1 }) */
    uint64_t covered = 0, end = 0;
    int bitf = 0;
    for (uint32_t i = 0; i < s->ninit; i++) {
        const ast_init *in = &s->init[i];
        if (allconst && !init_const(in))
            allconst = 0;
        if (in->is_bitfield)
            bitf = 1;
        uint64_t e = (uint64_t)in->offset +
                     (in->kind == INIT_BYTES ? in->nbytes : in->type ? in->type->size : 0);
        if (e > end) {
            covered += e - (in->offset > end ? in->offset : end);
            end = e;
        }
    }
    ir_reg base = lw_frame_addr(L, s->lw_offset);
    if (allconst) {
        uint8_t *img = kp_arena_alloc(&L->cx->arena, t->size ? t->size : 1);
        if (!img) {
            lw_nomem(L);
            return;
        }
        for (uint32_t i = 0; i < s->ninit && !L->stop; i++)
            img_entry(L, img, t->size, &s->init[i]);
        uint32_t align = t->align > 8 ? 8 : t->align ? t->align : 1;
        ir_reg src = gaddr(L, lw_lit_intern(L, (const char *)img, t->size, align));
        lw_emit_copy(L, base, src, t->size);
        return;
    }
    if (bitf || covered != t->size) {
        ir_insn z = {.op = IR_ZERO, .a = base, .imm = t->size};
        lw_emit(L, &z);
    }
    for (uint32_t i = 0; i < s->ninit && !L->stop; i++)
        store_init(L, base, &s->init[i]);
}

/* parse_stmt.c — statements: blocks, control flow, switch/case collection,
 * break/continue targets, labels and goto. */
#include "parse.h"

#include <string.h>

ast_stmt *px_new_stmt(px *P, st_kind k, const fe_token *at)
{
    ast_stmt *s = px_alloc(P, sizeof *s);
    s->kind = k;
    s->file = at->file;
    s->line = at->line;
    s->col = at->col;
    return s;
}

static void stmt(px *P, px_vec *out);

static ast_stmt *block_of(px *P, px_vec *v, const fe_token *at)
{
    if (v->n == 1)
        return v->v[0];
    ast_stmt *b = px_new_stmt(P, ST_BLOCK, at);
    b->body = (ast_stmt **)v->v;
    b->nbody = v->n;
    return b;
}

static ast_stmt *stmt1(px *P)
{
    const fe_token *at = px_tok(P);
    px_vec v = {0};
    px_enter(P);
    stmt(P, &v);
    px_leave(P);
    return block_of(P, &v, at);
}

static void push_break(px *P, ast_stmt *s, int loop)
{
    if (P->nbreak == P->capbreak) {
        uint32_t cap = P->capbreak ? P->capbreak * 2 : 16;
        ast_stmt **nb = px_alloc(P, cap * sizeof *nb);
        uint8_t *nl = px_alloc(P, cap);
        if (P->nbreak) {
            memcpy(nb, P->breaks, P->nbreak * sizeof *nb);
            memcpy(nl, P->is_loop, P->nbreak);
        }
        P->breaks = nb;
        P->is_loop = nl;
        P->capbreak = cap;
    }
    P->breaks[P->nbreak] = s;
    P->is_loop[P->nbreak] = (uint8_t)loop;
    P->nbreak++;
}

static void block_item(px *P, void *arg)
{
    px_vec *out = arg;
    if (px_block_decl(P, out))
        return;
    stmt(P, out);
}

ast_stmt *px_compound(px *P)
{
    const fe_token *open = px_expect(P, P_LBRACE, NULL);
    px_enter(P);
    px_scope_open(P);
    px_vec body = {0};
    for (;;) {
        const fe_token *t = px_tok(P);
        if (px_is_punct(t, P_RBRACE))
            break;
        if (t->kind == TK_EOF)
            px_syntax(P, open, "expected '}' at end of input (this '{' is not closed)");
        px_protect_stmt(P, block_item, &body);
    }
    px_next(P);
    px_scope_close(P);
    px_leave(P);
    ast_stmt *b = px_new_stmt(P, ST_BLOCK, open);
    b->body = (ast_stmt **)body.v;
    b->nbody = body.n;
    return b;
}

static ast_expr *paren_cond(px *P, const char *what)
{
    px_expect(P, P_LPAREN, what);
    const fe_token *at = px_tok(P);
    ast_expr *e = px_scalar_cond(P, px_expr(P), at);
    px_expect(P, P_RPAREN, NULL);
    return e;
}

static px_label *label_of(px *P, const fe_token *t)
{
    px_ident *id = px_ident_of(P, t);
    px_label *l = id->label;
    if (l)
        return l;
    l = px_alloc(P, sizeof *l);
    l->id = id;
    l->st = px_new_stmt(P, ST_LABEL, t);
    l->st->label = id->name;
    l->line = t->line;
    l->col = t->col;
    l->file = t->file;
    l->next = P->labels;
    P->labels = l;
    id->label = l;
    return l;
}

void px_finish_labels(px *P)
{
    for (px_label *l = P->labels; l; l = l->next) {
        if (!l->defined)
            px_error_at(P, l->file, l->line, l->col, "label '%s' used but not defined",
                        l->id->name);
        l->id->label = NULL;
    }
    P->labels = NULL;
}

static int sw_add_case(px *P, px_switch *sw, int64_t v)
{
    if (sw->kn * 2 >= sw->kcap) {
        uint32_t cap = sw->kcap ? sw->kcap * 2 : 64;
        int64_t *nk = px_alloc(P, cap * sizeof *nk);
        uint8_t *nu = px_alloc(P, cap);
        for (uint32_t i = 0; i < sw->kcap; i++) {
            if (!sw->used[i])
                continue;
            uint32_t j = (uint32_t)((uint64_t)sw->keys[i] * 0x9E3779B97F4A7C15ull >> 40) & (cap - 1);
            while (nu[j])
                j = (j + 1) & (cap - 1);
            nu[j] = 1;
            nk[j] = sw->keys[i];
        }
        sw->keys = nk;
        sw->used = nu;
        sw->kcap = cap;
    }
    uint32_t j = (uint32_t)((uint64_t)v * 0x9E3779B97F4A7C15ull >> 40) & (sw->kcap - 1);
    while (sw->used[j]) {
        if (sw->keys[j] == v)
            return 0;
        j = (j + 1) & (sw->kcap - 1);
    }
    sw->used[j] = 1;
    sw->keys[j] = v;
    sw->kn++;
    return 1;
}

static ast_stmt *loop_body(px *P, ast_stmt *loop)
{
    push_break(P, loop, 1);
    ast_stmt *b = stmt1(P);
    P->nbreak--;
    return b;
}

static void stmt(px *P, px_vec *out)
{
    const fe_token *t = px_tok(P);
    ast_stmt *s;
    if (t->kind == TK_IDENT && px_is_punct(px_peek(P, 1), P_COLON)) {
        px_next(P);
        px_next(P);
        px_label *l = label_of(P, t);
        if (l->defined)
            px_error(P, t, "duplicate label '%s'", l->id->name);
        l->defined = 1;
        l->st->line = t->line;
        l->st->col = t->col;
        px_push(P, out, l->st);
        if (px_is_punct(px_tok(P), P_RBRACE))
            return;
        if (px_block_decl(P, out))
            return;
        stmt(P, out);
        return;
    }
    if (t->kind == TK_KEYWORD) {
        switch (t->id) {
        case KW_IF: {
            px_next(P);
            s = px_new_stmt(P, ST_IF, t);
            s->expr = paren_cond(P, "after 'if'");
            s->then = stmt1(P);
            if (px_is_kw(px_tok(P), KW_ELSE)) {
                px_next(P);
                s->els = stmt1(P);
            }
            px_push(P, out, s);
            return;
        }
        case KW_WHILE:
            px_next(P);
            s = px_new_stmt(P, ST_WHILE, t);
            s->expr = paren_cond(P, "after 'while'");
            s->then = loop_body(P, s);
            px_push(P, out, s);
            return;
        case KW_DO:
            px_next(P);
            s = px_new_stmt(P, ST_DO, t);
            s->then = loop_body(P, s);
            if (!px_is_kw(px_tok(P), KW_WHILE))
                px_syntax(P, px_tok(P), "expected 'while' after the body of 'do'");
            px_next(P);
            s->expr = paren_cond(P, "after 'while'");
            px_expect(P, P_SEMI, "after 'do ... while (...)'");
            px_push(P, out, s);
            return;
        case KW_FOR: {
            px_next(P);
            s = px_new_stmt(P, ST_FOR, t);
            px_expect(P, P_LPAREN, "after 'for'");
            px_scope_open(P);
            const fe_token *it = px_tok(P);
            if (px_is_punct(it, P_SEMI)) {
                px_next(P);
            } else {
                px_vec decls = {0};
                if (px_block_decl(P, &decls)) {
                    if (decls.n)
                        s->init = block_of(P, &decls, it);
                } else {
                    ast_stmt *e = px_new_stmt(P, ST_EXPR, it);
                    e->expr = px_rval(P, px_expr(P));
                    s->init = e;
                    px_expect(P, P_SEMI, "after the initialization of 'for'");
                }
            }
            if (!px_is_punct(px_tok(P), P_SEMI)) {
                const fe_token *ct = px_tok(P);
                s->expr = px_scalar_cond(P, px_expr(P), ct);
            }
            px_expect(P, P_SEMI, "after the condition of 'for'");
            if (!px_is_punct(px_tok(P), P_RPAREN))
                s->step = px_rval(P, px_expr(P));
            px_expect(P, P_RPAREN, "after the 'for' clauses");
            s->then = loop_body(P, s);
            px_scope_close(P);
            px_push(P, out, s);
            return;
        }
        case KW_SWITCH: {
            px_next(P);
            s = px_new_stmt(P, ST_SWITCH, t);
            px_expect(P, P_LPAREN, "after 'switch'");
            const fe_token *et = px_tok(P);
            ast_expr *e = px_rval(P, px_expr(P));
            px_expect(P, P_RPAREN, NULL);
            if (!ty_is_integer(e->type)) {
                px_error(P, et, "switch quantity is not an integer");
                e = px_cast_to(P, px_new_expr(P, EX_INT, P->te.t_int, et), P->te.t_int);
            }
            ctype *pt = ty_promote(&P->te, e->type);
            s->expr = px_cast_to(P, e, pt);
            px_switch *sw = px_alloc(P, sizeof *sw);
            sw->st = s;
            sw->outer = P->sw;
            P->sw = sw;
            push_break(P, s, 0);
            s->then = stmt1(P);
            P->nbreak--;
            P->sw = sw->outer;
            s->cases = (ast_stmt **)sw->cases.v;
            s->ncases = sw->cases.n;
            px_push(P, out, s);
            return;
        }
        case KW_CASE: {
            px_next(P);
            const fe_token *vt = px_tok(P);
            ast_expr *e = px_rval(P, px_cond_expr(P));
            if (px_is_punct(px_tok(P), P_ELLIPSIS))
                px_syntax(P, px_tok(P), "case ranges are not supported");
            px_expect(P, P_COLON, "after the case value");
            int64_t v = 0;
            if (!ty_is_integer(e->type))
                px_error(P, vt, "case label does not reduce to an integer constant");
            else
                px_eval_int(P, e, vt, &v);
            s = px_new_stmt(P, ST_CASE, t);
            if (!P->sw) {
                px_error(P, t, "case label not within a switch statement");
            } else {
                ctype *st = P->sw->st->expr->type;
                if (ty_is_unsigned(e->type) && !ty_is_unsigned(st) && st->size < 8 &&
                    (uint64_t)v > UINT32_MAX) {
                    /* kept as the converted value below */
                }
                s->ival = ty_wrap(st, v);
                if (!sw_add_case(P, P->sw, s->ival))
                    px_error(P, vt, "duplicate case value");
                px_push(P, &P->sw->cases, s);
            }
            px_push(P, out, s);
            if (px_is_punct(px_tok(P), P_RBRACE))
                return;
            stmt(P, out);
            return;
        }
        case KW_DEFAULT:
            px_next(P);
            px_expect(P, P_COLON, "after 'default'");
            s = px_new_stmt(P, ST_DEFAULT, t);
            if (!P->sw)
                px_error(P, t, "'default' label not within a switch statement");
            else if (P->sw->st->default_case)
                px_error(P, t, "multiple default labels in one switch");
            else
                P->sw->st->default_case = s;
            px_push(P, out, s);
            if (px_is_punct(px_tok(P), P_RBRACE))
                return;
            stmt(P, out);
            return;
        case KW_BREAK:
            px_next(P);
            s = px_new_stmt(P, ST_BREAK, t);
            if (!P->nbreak)
                px_error(P, t, "break statement not within a loop or switch");
            else
                s->target = P->breaks[P->nbreak - 1];
            px_expect(P, P_SEMI, "after 'break'");
            px_push(P, out, s);
            return;
        case KW_CONTINUE: {
            px_next(P);
            s = px_new_stmt(P, ST_CONTINUE, t);
            uint32_t i = P->nbreak;
            while (i > 0 && !P->is_loop[i - 1])
                i--;
            if (!i)
                px_error(P, t, "continue statement not within a loop");
            else
                s->target = P->breaks[i - 1];
            px_expect(P, P_SEMI, "after 'continue'");
            px_push(P, out, s);
            return;
        }
        case KW_GOTO: {
            px_next(P);
            const fe_token *n = px_tok(P);
            if (n->kind != TK_IDENT) {
                if (px_is_punct(n, P_STAR))
                    px_syntax(P, n, "computed goto is not supported");
                px_syntax(P, n, "expected a label name after 'goto'");
            }
            px_next(P);
            px_expect(P, P_SEMI, "after the label name");
            px_label *l = label_of(P, n);
            s = px_new_stmt(P, ST_GOTO, t);
            s->label = l->id->name;
            s->target = l->st;
            px_push(P, out, s);
            return;
        }
        case KW_RETURN: {
            px_next(P);
            s = px_new_stmt(P, ST_RETURN, t);
            ctype *rt = P->fnsym ? P->fnsym->type->base : P->te.t_int;
            if (px_accept(P, P_SEMI)) {
                if (rt->kind != TY_VOID)
                    px_error(P, t, "'return' with no value in a function returning non-void");
                px_push(P, out, s);
                return;
            }
            const fe_token *et = px_tok(P);
            ast_expr *e = px_expr(P);
            px_expect(P, P_SEMI, "after the return value");
            if (rt->kind == TY_VOID) {
                if (e->type->kind != TY_VOID) {
                    px_error(P, et, "'return' with a value in a function returning void");
                    px_push(P, out, s);
                    return;
                }
                ast_stmt *x = px_new_stmt(P, ST_EXPR, et);
                x->expr = e;
                px_vec v = {0};
                px_push(P, &v, x);
                px_push(P, &v, s);
                px_push(P, out, block_of(P, &v, t));
                return;
            }
            s->expr = px_conv_assign(P, e, rt, et, "return");
            px_push(P, out, s);
            return;
        }
        case KW_ELSE:
            px_syntax(P, t, "'else' without a previous 'if'");
        case KW_STATIC_ASSERT:
            px_static_assert(P);
            return;
        case KW_ASM: case KW_ASM2:
            px_syntax(P, t, "inline assembly is not supported");
        default:
            break;
        }
    }
    if (px_is_punct(t, P_LBRACE)) {
        px_push(P, out, px_compound(P));
        return;
    }
    if (px_is_punct(t, P_SEMI)) {
        px_next(P);
        px_push(P, out, px_new_stmt(P, ST_EMPTY, t));
        return;
    }
    if (px_starts_type(P, t))
        px_syntax(P, t, "a declaration is not a statement here (use a block)");
    s = px_new_stmt(P, ST_EXPR, t);
    s->expr = px_rval(P, px_expr(P));
    px_expect(P, P_SEMI, "after the expression");
    px_push(P, out, s);
}

/* ast_dump.c — a compact text rendering of the typed AST, for tests and
 * debugging: expressions as (op:type operands...), statements one a line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

typedef struct dbuf {
    char *s;
    size_t n, cap;
    int failed;
} dbuf;

static void put(dbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void put(dbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    size_t len = (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->n, tmp, len);
    b->n += len;
    b->s[b->n] = 0;
}

static const char *ty(const ctype *t, char *buf)
{
    if (!t)
        return "?";
    ty_str(t, buf, 160);
    return buf;
}

static void put_str(dbuf *b, const char *s, uint32_t n)
{
    put(b, "\"");
    for (uint32_t i = 0; i < n && i < 64; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            put(b, "\\%c", c);
        else if (c >= 32 && c < 127)
            put(b, "%c", c);
        else
            put(b, "\\x%02x", c);
    }
    put(b, n > 64 ? "...\"" : "\"");
}

static const char *ex_name(ex_kind k)
{
    static const char *names[] = {
        "int", "float", "str", "var", "decay", "deref", "addr", "member", "cast",
        "neg", "bitnot", "lognot", "add", "sub", "mul", "div", "mod", "shl", "shr",
        "bitand", "bitor", "bitxor", "eq", "ne", "lt", "le", "gt", "ge", "logand",
        "logor", "ptradd", "ptrdiff", "assign", "opassign", "preinc", "predec",
        "postinc", "postdec", "cond", "comma", "call", "compound"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static void dump_expr(dbuf *b, const ast_expr *e, int depth)
{
    char tb[160];
    if (!e) {
        put(b, "null");
        return;
    }
    if (depth > 200) {
        put(b, "...");
        return;
    }
    switch (e->kind) {
    case EX_INT:
        if (ty_is_unsigned(e->type))
            put(b, "%llu:%s", (unsigned long long)e->ival, ty(e->type, tb));
        else
            put(b, "%lld:%s", (long long)e->ival, ty(e->type, tb));
        return;
    case EX_FLOAT:
        put(b, "%g:%s", e->fval, ty(e->type, tb));
        return;
    case EX_STR:
        put_str(b, e->str, e->str_len);
        return;
    case EX_VAR:
        put(b, "%s:%s", e->sym->name, ty(e->type, tb));
        return;
    default:
        break;
    }
    put(b, "(%s", ex_name(e->kind));
    if (e->kind == EX_OPASSIGN)
        put(b, "[%s]", ex_name(e->binop));
    put(b, ":%s", ty(e->type, tb));
    if (e->kind == EX_MEMBER)
        put(b, " .%s@%u", e->field->name ? e->field->name : "<anon>", e->field->offset);
    if (ast_expr_cmp_type(e))
        put(b, " cmp=%s", ty(e->cmp_type, tb));
    if (ast_expr_op_type(e))
        put(b, " op=%s", ty(e->op_type, tb));
    if (e->scale && (e->kind == EX_PTR_ADD || e->kind == EX_PTR_DIFF || e->kind == EX_OPASSIGN ||
                     (e->kind >= EX_PREINC && e->kind <= EX_POSTDEC)))
        put(b, " *%u", e->scale);
    if (e->kind == EX_COMPOUND) {
        put(b, " %s[", e->sym->kind == SYM_GLOBAL ? e->sym->name : "local");
        for (uint32_t i = 0; i < e->sym->ninit; i++) {
            const ast_init *in = &e->sym->init[i];
            put(b, "%s%u=", i ? " " : "", in->offset);
            if (in->kind == INIT_EXPR)
                dump_expr(b, in->expr, depth + 1);
            else if (in->kind == INIT_INT)
                put(b, "%lld", (long long)in->ival);
            else
                put(b, "#%d", in->kind);
        }
        put(b, "])");
        return;
    }
    if (ast_expr_cond(e)) {
        put(b, " ");
        dump_expr(b, e->cond, depth + 1);
    }
    if (e->lhs) {
        put(b, " ");
        dump_expr(b, e->lhs, depth + 1);
    }
    if (e->rhs) {
        put(b, " ");
        dump_expr(b, e->rhs, depth + 1);
    }
    for (uint32_t i = 0; i < ast_expr_nargs(e); i++) {
        put(b, " ");
        dump_expr(b, e->args[i], depth + 1);
    }
    put(b, ")");
}

static void dump_init(dbuf *b, const csym *s)
{
    char tb[160];
    if (!s->init)
        return;
    put(b, " = {");
    for (uint32_t i = 0; i < s->ninit; i++) {
        const ast_init *in = &s->init[i];
        put(b, "%s%u", i ? ", " : "", in->offset);
        if (in->is_bitfield)
            put(b, "@%u:%u", in->bit_offset, in->bit_width);
        put(b, ":%s ", ty(in->type, tb));
        switch (in->kind) {
        case INIT_EXPR: dump_expr(b, in->expr, 0); break;
        case INIT_INT: put(b, "%lld", (long long)in->ival); break;
        case INIT_FLOAT: put(b, "%g", in->fval); break;
        case INIT_ADDR:
            if (in->sym)
                put(b, "&%s", in->sym->name);
            else
                put_str(b, in->str, in->str_len);
            if (in->addend)
                put(b, "%+lld", (long long)in->addend);
            break;
        case INIT_BYTES:
            put(b, "bytes ");
            put_str(b, in->bytes, in->nbytes);
            break;
        }
    }
    put(b, "}");
}

static void indent(dbuf *b, int n)
{
    for (int i = 0; i < n && i < 100; i++)
        put(b, "  ");
}

static void dump_stmt(dbuf *b, const ast_stmt *s, int ind)
{
    char tb[160];
    if (!s) {
        indent(b, ind);
        put(b, "null\n");
        return;
    }
    indent(b, ind);
    switch (s->kind) {
    case ST_EMPTY: put(b, "empty\n"); return;
    case ST_EXPR: put(b, "expr "); dump_expr(b, s->expr, 0); put(b, "\n"); return;
    case ST_DECL:
        put(b, "decl %s:%s", s->sym->name, ty(s->sym->type, tb));
        dump_init(b, s->sym);
        put(b, "\n");
        return;
    case ST_BLOCK:
        put(b, "block\n");
        for (uint32_t i = 0; i < s->nbody; i++)
            dump_stmt(b, s->body[i], ind + 1);
        return;
    case ST_IF:
        put(b, "if ");
        dump_expr(b, s->expr, 0);
        put(b, "\n");
        dump_stmt(b, s->then, ind + 1);
        if (s->els) {
            indent(b, ind);
            put(b, "else\n");
            dump_stmt(b, s->els, ind + 1);
        }
        return;
    case ST_WHILE:
        put(b, "while ");
        dump_expr(b, s->expr, 0);
        put(b, "\n");
        dump_stmt(b, s->then, ind + 1);
        return;
    case ST_DO:
        put(b, "do-while ");
        dump_expr(b, s->expr, 0);
        put(b, "\n");
        dump_stmt(b, s->then, ind + 1);
        return;
    case ST_FOR:
        put(b, "for ");
        dump_expr(b, s->expr, 0);
        put(b, " step ");
        dump_expr(b, s->step, 0);
        put(b, "\n");
        if (s->init) {
            indent(b, ind + 1);
            put(b, "init:\n");
            dump_stmt(b, s->init, ind + 2);
        }
        dump_stmt(b, s->then, ind + 1);
        return;
    case ST_SWITCH:
        put(b, "switch ");
        dump_expr(b, s->expr, 0);
        put(b, " cases=[");
        for (uint32_t i = 0; i < s->ncases; i++)
            put(b, "%s%lld", i ? "," : "", (long long)s->cases[i]->ival);
        put(b, "]%s\n", s->default_case ? " default" : "");
        dump_stmt(b, s->then, ind + 1);
        return;
    case ST_CASE: put(b, "case %lld\n", (long long)s->ival); return;
    case ST_DEFAULT: put(b, "default\n"); return;
    case ST_BREAK:
        put(b, "break ->%u:%u\n", s->target ? s->target->line : 0, s->target ? s->target->col : 0);
        return;
    case ST_CONTINUE:
        put(b, "continue ->%u:%u\n", s->target ? s->target->line : 0,
            s->target ? s->target->col : 0);
        return;
    case ST_GOTO: put(b, "goto %s\n", s->label); return;
    case ST_LABEL: put(b, "label %s\n", s->label); return;
    case ST_RETURN:
        put(b, "return");
        if (s->expr) {
            put(b, " ");
            dump_expr(b, s->expr, 0);
        }
        put(b, "\n");
        return;
    }
}

char *fe_ast_dump(const ast_unit *u)
{
    dbuf b = {0};
    char tb[160];
    put(&b, "%s", "");
    for (uint32_t i = 0; i < u->nglobals; i++) {
        const csym *s = u->globals[i];
        put(&b, "global %s:%s%s%s%s", s->name, ty(s->type, tb), s->is_static ? " static" : "",
            s->is_extern_decl ? " extern" : "", s->is_used ? " used" : "");
        dump_init(&b, s);
        put(&b, "\n");
    }
    for (uint32_t i = 0; i < u->nfdecls; i++)
        put(&b, "fdecl %s:%s\n", u->fdecls[i]->name, ty(u->fdecls[i]->type, tb));
    for (uint32_t i = 0; i < u->nfuncs; i++) {
        const ast_func *f = u->funcs[i];
        put(&b, "func %s:%s%s\n", f->sym->name, ty(f->sym->type, tb),
            f->sym->is_static ? " static" : "");
        put(&b, "  locals:");
        for (uint32_t k = 0; k < f->nlocals; k++) {
            const csym *s = f->locals[k];
            put(&b, " %s%s:%s%s", s->is_param ? "param " : "", s->name[0] ? s->name : "<lit>",
                ty(s->type, tb), s->addr_taken ? "&" : "");
        }
        put(&b, "\n");
        dump_stmt(&b, f->body, 1);
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

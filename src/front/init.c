/* init.c — initializers: braces, brace elision, designators, strings into
 * char arrays, flattened into ast_init entries sorted by offset.
 *
 * Every entry covers a range of bits of the object. Later initializations
 * override earlier ones: a braced sub-aggregate, a string or a designated
 * union member also records a "kill" range. In the common case entries
 * arrive in increasing, disjoint order and are kept as they come; otherwise
 * a final pass sorts them and drops every entry that a later one overlaps
 * (subobject ranges nest, so one sweep with a stack finds them). */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

typedef struct ient {
    ast_init in;
    uint64_t b0, b1;       /* bit range */
    uint32_t seq;
    uint32_t ancmax, submax;
    uint8_t kill;          /* only a kill range, not an entry */
    uint8_t is_pack;       /* INIT_BYTES of packed constants */
    uint8_t is_copy;       /* a struct/union value: later designators of its
                              members refine it rather than replace it */
    uint32_t eqmax;        /* latest seq of a later entry with the same range */
} ient;

typedef struct ictx {
    px *P;
    csym *sym;
    int is_static;
    ient *v;
    uint32_t n, cap;
    uint64_t max_end;
    int unsorted;
    uint32_t seq;
    /* static tables: runs of adjacent constants are packed into one
       INIT_BYTES entry as they arrive (see pack_value) */
    uint8_t *pack;
    uint32_t pack_len, pack_cap, pack_off;
    int32_t pack_idx;      /* entry holding the pack, or -1 */
    uint32_t run;          /* trailing adjacent packable entries */
    int nopack;
    /* the member last designated in each union (offset, type): designating
       the same member again must not discard what it already holds */
    struct umemo { uint32_t off, member; const ctype *t; } *um;
    uint32_t num, capum;
} ictx;

typedef struct iframe {
    ctype *t;
    uint32_t off;
    uint32_t idx;
} iframe;

static void explode_packs(ictx *ic);
static void pack_close(ictx *ic);

static ient *add_item(ictx *ic, uint64_t b0, uint64_t b1, int kill)
{
    if (kill && b0 >= ic->max_end)
        return NULL; /* nothing earlier to override */
    if (b0 < ic->max_end && !ic->nopack)
        explode_packs(ic);
    if (ic->n == ic->cap) {
        uint32_t cap = ic->cap ? ic->cap * 2 : 2;
        ient *nv = kp_arena_realloc(&ic->P->cx->arena, ic->v, ic->cap * sizeof *nv, cap * sizeof *nv);
        if (!nv) {
            fe_nomem(ic->P->cx);
            px_bail(ic->P);
        }
        ic->v = nv;
        ic->cap = cap;
    }
    ient *e = &ic->v[ic->n++];
    memset(e, 0, sizeof *e);
    e->b0 = b0;
    e->b1 = b1;
    e->seq = ++ic->seq;
    e->kill = (uint8_t)kill;
    if (b0 < ic->max_end)
        ic->unsorted = 1;
    if (!kill && b1 > ic->max_end)
        ic->max_end = b1;
    return e;
}

static void add_kill(ictx *ic, uint32_t off, uint32_t size)
{
    if (size)
        add_item(ic, (uint64_t)off * 8, ((uint64_t)off + size) * 8, 1);
}

static int packable(const ast_init *in)
{
    return (in->kind == INIT_INT || in->kind == INIT_FLOAT) && !in->is_bitfield &&
           in->type->size <= 8;
}

static void put_le(uint8_t *p, const ast_init *in)
{
    uint64_t u;
    uint32_t n = in->type->size;
    if (in->kind == INIT_FLOAT) {
        if (in->type->kind == TY_FLOAT) {
            float f = (float)in->fval;
            uint32_t w;
            memcpy(&w, &f, 4);
            u = w;
        } else {
            memcpy(&u, &in->fval, 8);
        }
    } else {
        u = (uint64_t)in->ival;
    }
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(u >> (8 * i));
}

static void pack_reserve(ictx *ic, uint32_t need)
{
    if (need <= ic->pack_cap)
        return;
    uint32_t cap = ic->pack_cap ? ic->pack_cap : 256;
    while (cap < need)
        cap *= 2;
    uint8_t *np = kp_arena_realloc(&ic->P->cx->arena, ic->pack, ic->pack_len, cap);
    if (!np) {
        fe_nomem(ic->P->cx);
        px_bail(ic->P);
    }
    ic->pack = np;
    ic->pack_cap = cap;
}

#define PACK_GAP 64   /* zero bytes a pack may bridge (padding) */
#define PACK_RUN 16   /* adjacent constants that start a pack */

/* Appends a constant to the pack or collapses a run of constants into a
 * new pack; returns 1 if `in` was absorbed. Only while entries arrive in
 * order (an out-of-order one explodes the packs again). */
static int pack_value(ictx *ic, const ast_init *in, uint64_t b0, uint64_t b1)
{
    if (ic->nopack || !packable(in) || b0 < ic->max_end) {
        ic->run = 0;
        return 0;
    }
    if (ic->pack_idx >= 0 && (uint32_t)ic->pack_idx == ic->n - 1) {
        uint64_t end = (uint64_t)ic->pack_off + ic->pack_len;
        if (in->offset >= end && in->offset - end <= PACK_GAP) {
            uint32_t nl = in->offset - ic->pack_off + in->type->size;
            pack_reserve(ic, nl);
            memset(ic->pack + ic->pack_len, 0, nl - ic->pack_len);
            put_le(ic->pack + (in->offset - ic->pack_off), in);
            ic->pack_len = nl;
            ic->v[ic->n - 1].b1 = b1;
            ic->max_end = b1;
            return 1;
        }
    }
    if (ic->n && ic->run) {
        const ient *pv = &ic->v[ic->n - 1];
        uint64_t end = pv->b1 / 8;
        if (!(packable(&pv->in) && in->offset >= end && in->offset - end <= PACK_GAP))
            ic->run = 0;
    }
    if (ic->run + 1 < PACK_RUN) {
        ic->run++;
        return 0;
    }
    /* collapse the last run entries and `in` into a new pack */
    pack_close(ic);
    uint32_t first = ic->n - ic->run;
    ic->pack = NULL;
    ic->pack_len = ic->pack_cap = 0;
    ic->pack_off = ic->v[first].in.offset;
    uint32_t nl = in->offset - ic->pack_off + in->type->size;
    pack_reserve(ic, nl);
    memset(ic->pack, 0, nl);
    for (uint32_t i = first; i < ic->n; i++)
        put_le(ic->pack + (ic->v[i].in.offset - ic->pack_off), &ic->v[i].in);
    put_le(ic->pack + (in->offset - ic->pack_off), in);
    ic->pack_len = nl;
    ient *pk = &ic->v[first];
    uint64_t pb0 = pk->b0;
    uint32_t seq = pk->seq;
    memset(pk, 0, sizeof *pk);
    pk->b0 = pb0;
    pk->b1 = b1;
    pk->seq = seq;
    pk->is_pack = 1;
    pk->in.kind = INIT_BYTES;
    pk->in.offset = ic->pack_off;
    ic->n = first + 1;
    ic->pack_idx = (int32_t)first;
    ic->max_end = b1;
    ic->run = 0;
    return 1;
}

/* Finishes the current pack entry (its bytes and type). */
static void pack_close(ictx *ic)
{
    if (ic->pack_idx < 0)
        return;
    ient *pk = &ic->v[ic->pack_idx];
    pk->in.bytes = (const char *)ic->pack;
    pk->in.nbytes = ic->pack_len;
    pk->in.type = ty_array(&ic->P->te, ic->P->te.t_uchar, ic->pack_len, 0);
    ic->pack_idx = -1;
    ic->pack = NULL;
    ic->pack_len = ic->pack_cap = 0;
}

/* An entry arrives out of order: turn packs back into byte entries so that
 * overrides stay exact, and stop packing. */
static void explode_packs(ictx *ic)
{
    px *P = ic->P;
    ic->nopack = 1;
    pack_close(ic);
    uint64_t total = 0;
    for (uint32_t i = 0; i < ic->n; i++)
        total += ic->v[i].is_pack ? ic->v[i].in.nbytes : 1;
    if (total == ic->n)
        return;
    if (total > 0x7fffffff)
        px_bail(P);
    ient *nv = px_alloc(P, (size_t)total * sizeof *nv);
    uint32_t k = 0;
    for (uint32_t i = 0; i < ic->n; i++) {
        ient *it = &ic->v[i];
        if (!it->is_pack) {
            nv[k++] = *it;
            continue;
        }
        for (uint32_t b = 0; b < it->in.nbytes; b++) {
            ient *x = &nv[k++];
            memset(x, 0, sizeof *x);
            x->seq = it->seq;
            x->b0 = ((uint64_t)it->in.offset + b) * 8;
            x->b1 = x->b0 + 8;
            x->in.kind = INIT_INT;
            x->in.offset = it->in.offset + b;
            x->in.type = P->te.t_uchar;
            x->in.ival = (uint8_t)it->in.bytes[b];
        }
    }
    ic->v = nv;
    ic->n = ic->cap = (uint32_t)total;
}

typedef struct bitinfo {
    int is_bitfield;
    uint8_t bit_offset, bit_width;
} bitinfo;

/* A scalar (or, for locals, a whole struct) of type t at off, from e
 * (already converted to t). */
static void add_value(ictx *ic, ctype *t, uint32_t off, const bitinfo *bi, ast_expr *e,
                      const fe_token *at)
{
    px *P = ic->P;
    uint64_t b0 = (uint64_t)off * 8, b1 = b0 + (uint64_t)t->size * 8;
    if (bi && bi->is_bitfield) {
        b0 += bi->bit_offset;
        b1 = b0 + bi->bit_width;
    }
    ast_init in;
    memset(&in, 0, sizeof in);
    in.offset = off;
    in.type = t->unqual;
    if (bi && bi->is_bitfield) {
        in.is_bitfield = 1;
        in.bit_offset = bi->bit_offset;
        in.bit_width = bi->bit_width;
    }
    if (!ic->is_static) {
        in.kind = INIT_EXPR;
        in.expr = e;
    } else {
        px_cval v;
        int r = px_eval(P, e, &v);
        if (r == -1) {
            px_error(P, at, "division by zero in a constant expression");
            return;
        }
        if (r == 1 && v.kind == CV_INT && (ty_is_integer(t) || t->kind == TY_PTR)) {
            in.kind = INIT_INT;
            in.ival = ty_wrap(t, v.i);
            if (in.is_bitfield && in.bit_width < 64) {
                uint64_t m = ((uint64_t)1 << in.bit_width) - 1;
                uint64_t u = (uint64_t)in.ival & m;
                if (!ty_is_unsigned(t) && t->kind != TY_BOOL && (u >> (in.bit_width - 1)))
                    u |= ~m;
                in.ival = (int64_t)u;
            }
        } else if (r == 1 && v.kind == CV_FLOAT && ty_is_float(t)) {
            in.kind = INIT_FLOAT;
            in.fval = t->kind == TY_FLOAT ? (double)(float)v.f : v.f;
        } else if (r == 1 && v.kind == CV_ADDR && (t->kind == TY_PTR ||
                                                    (ty_is_integer(t) && t->size == 4))) {
            if (!v.sym && !v.str) {
                in.kind = INIT_INT;
                in.ival = ty_wrap(t, v.i);
            } else {
                in.kind = INIT_ADDR;
                in.sym = v.sym;
                in.str = v.str;
                in.str_len = v.str_len;
                in.addend = v.i;
                if (v.sym)
                    v.sym->is_used = 1;
            }
        } else {
            px_error(P, at, "initializer element is not constant");
            return;
        }
    }
    if (ic->is_static) {
        px_recycle(P, e);
        if (pack_value(ic, &in, b0, b1))
            return;
        if (ic->pack_idx >= 0 && !packable(&in))
            pack_close(ic);
    }
    ient *it = add_item(ic, b0, b1, 0);
    it->in = in;
    it->is_copy = (uint8_t)(in.kind == INIT_EXPR && ty_is_record(t));
}

static int is_char_type(const ctype *t)
{
    return t->kind == TY_CHAR || t->kind == TY_SCHAR || t->kind == TY_UCHAR;
}

/* A string literal initializing the char array *tp at off; completes an
 * array of unknown size. */
static void add_string(ictx *ic, ctype **tp, uint32_t off, ast_expr *s, const fe_token *at)
{
    px *P = ic->P;
    ctype *t = *tp;
    uint32_t n = s->str_len;
    if (t->incomplete) {
        t = ty_array(&P->te, t->base, n, 0);
        *tp = t;
    } else if (n - 1 > t->array_len) {
        px_error(P, at, "initializer-string for array of chars is too long");
        n = t->array_len;
    } else if (n > t->array_len) {
        n = t->array_len; /* char a[3] = "abc": no room for the NUL */
    }
    add_kill(ic, off, t->size);
    ient *it = add_item(ic, (uint64_t)off * 8, ((uint64_t)off + (n ? n : 1)) * 8, 0);
    it->in.kind = INIT_BYTES;
    it->in.offset = off;
    it->in.type = t->unqual;
    it->in.bytes = s->str;
    it->in.nbytes = n;
    it->is_pack = 1; /* a later element override explodes it into bytes */
    if (!n) {
        /* an empty array: nothing to copy; keep a harmless zero-length entry out */
        ic->n--;
    }
}

static int is_string_expr(const ast_expr *e) { return e->kind == EX_STR; }

static void braced(ictx *ic, ctype **tp, uint32_t off);

/* A scalar initialized with an expression (no braces). */
static void scalar_expr(ictx *ic, ctype *t, uint32_t off, const bitinfo *bi, ast_expr *e,
                        const fe_token *at)
{
    px *P = ic->P;
    if (t->kind == TY_ARRAY) {
        px_error(P, at, "array must be initialized with a brace-enclosed initializer");
        return;
    }
    e = px_conv_assign(P, e, t, at, "initialization");
    add_value(ic, t, off, bi, e, at);
}

static uint32_t frame_count(const iframe *f)
{
    const ctype *t = f->t;
    if (t->kind == TY_ARRAY)
        return t->incomplete ? UINT32_MAX : t->array_len;
    if (t->kind == TY_UNION)
        return t->nfields;
    return t->nfields;
}

/* Skips unnamed bit-fields; returns 0 if the frame is exhausted. */
static int frame_elem(iframe *f, ctype **et, uint32_t *eoff, bitinfo *bi)
{
    const ctype *t = f->t;
    memset(bi, 0, sizeof *bi);
    if (t->kind == TY_ARRAY) {
        if (f->idx >= frame_count(f))
            return 0;
        *et = t->base;
        *eoff = f->off + f->idx * t->base->size;
        return 1;
    }
    while (f->idx < t->nfields && !t->fields[f->idx].name && t->fields[f->idx].is_bitfield)
        f->idx++;
    if (f->idx >= t->nfields)
        return 0;
    const cfield *fl = &t->fields[f->idx];
    *et = fl->type;
    *eoff = f->off + fl->offset;
    if (fl->is_bitfield) {
        bi->is_bitfield = 1;
        bi->bit_offset = fl->bit_offset;
        bi->bit_width = fl->bit_width;
    }
    return 1;
}

static void frame_advance(iframe *f)
{
    if (f->t->kind == TY_UNION)
        f->idx = f->t->nfields;
    else
        f->idx++;
}

typedef struct fstack {
    iframe *v;
    uint32_t n, cap;
} fstack;

static void fpush(ictx *ic, fstack *s, ctype *t, uint32_t off)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        iframe *nv = px_alloc(ic->P, cap * sizeof *nv);
        if (s->n)
            memcpy(nv, s->v, s->n * sizeof *nv);
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n].t = t;
    s->v[s->n].off = off;
    s->v[s->n].idx = 0;
    s->n++;
}

static void skip_initializer(ictx *ic)
{
    px *P = ic->P;
    if (px_is_punct(px_tok(P), P_LBRACE)) {
        int depth = 0;
        do {
            const fe_token *t = px_next(P);
            if (t->kind == TK_EOF)
                px_syntax(P, t, "unterminated initializer");
            if (px_is_punct(t, P_LBRACE))
                depth++;
            else if (px_is_punct(t, P_RBRACE))
                depth--;
        } while (depth > 0);
        return;
    }
    P->in_sizeof++;
    px_assign_expr(P);
    P->in_sizeof--;
}

static int record_field_path(const ctype *t, const char *name, uint32_t *path, uint32_t *n,
                             uint32_t depth)
{
    if (depth >= 64)
        return 0;
    for (uint32_t i = 0; i < t->nfields; i++) {
        const cfield *f = &t->fields[i];
        if (f->name && f->name == name) {
            path[depth] = i;
            *n = depth + 1;
            return 1;
        }
        if (!f->name && !f->is_bitfield && ty_is_record(f->type)) {
            path[depth] = i;
            if (record_field_path(f->type, name, path, n, depth + 1))
                return 1;
        }
    }
    return 0;
}

static void union_member(ictx *ic, const iframe *f, uint32_t member)
{
    uint32_t lo = ic->num > 64 ? ic->num - 64 : 0;
    for (uint32_t i = ic->num; i-- > lo;) {
        struct umemo *m = &ic->um[i];
        if (m->off == f->off && m->t == f->t) {
            if (m->member != member)
                add_kill(ic, f->off, f->t->size);
            m->member = member;
            return;
        }
    }
    add_kill(ic, f->off, f->t->size);
    if (ic->num == ic->capum) {
        uint32_t cap = ic->capum ? ic->capum * 2 : 8;
        struct umemo *n = px_alloc(ic->P, cap * sizeof *n);
        if (ic->num)
            memcpy(n, ic->um, ic->num * sizeof *n);
        ic->um = n;
        ic->capum = cap;
    }
    ic->um[ic->num].off = f->off;
    ic->um[ic->num].t = f->t;
    ic->um[ic->num].member = member;
    ic->num++;
}

/* Parses designators (at '.' or '['), repositions the frame stack (whose
 * bottom is the braced object) and consumes '='. */
static void designation(ictx *ic, fstack *fs, uint32_t *maxlen)
{
    px *P = ic->P;
    fs->n = 1;
    int first = 1;
    for (;;) {
        const fe_token *t = px_tok(P);
        iframe *f = &fs->v[fs->n - 1];
        if (!first) {
            /* descend into the element selected by the previous designator */
            ctype *et;
            uint32_t eoff;
            bitinfo bi;
            if (!px_is_punct(t, P_DOT) && !px_is_punct(t, P_LBRACKET))
                break;
            if (!frame_elem(f, &et, &eoff, &bi) ||
                (et->kind != TY_ARRAY && !ty_is_record(et)))
                px_syntax(P, t, "designator into a non-aggregate");
            fpush(ic, fs, et, eoff);
            f = &fs->v[fs->n - 1];
        }
        if (px_is_punct(t, P_LBRACKET)) {
            px_next(P);
            if (f->t->kind != TY_ARRAY)
                px_syntax(P, t, "array index in a non-array initializer");
            const fe_token *it = px_tok(P);
            ast_expr *e = px_rval(P, px_cond_expr(P));
            if (px_is_punct(px_tok(P), P_ELLIPSIS))
                px_syntax(P, px_tok(P), "designator ranges are not supported");
            px_expect(P, P_RBRACKET, "after the array designator");
            int64_t i = 0;
            if (!ty_is_integer(e->type) || !px_eval_int(P, e, it, &i))
                px_syntax(P, it, "array designator is not an integer constant");
            if (i < 0 || (uint64_t)i >= frame_count(f) || i > 0x7fffffff)
                px_syntax(P, it, "array index in initializer exceeds array bounds");
            if (!f->t->incomplete && (uint64_t)i * f->t->base->size > 0x7fffffff)
                px_syntax(P, it, "array index in initializer is too large");
            f->idx = (uint32_t)i;
            if (fs->n == 1 && maxlen && (uint32_t)i + 1 > *maxlen)
                *maxlen = (uint32_t)i + 1;
        } else if (px_is_punct(t, P_DOT)) {
            px_next(P);
            const fe_token *nt = px_tok(P);
            if (nt->kind != TK_IDENT)
                px_syntax(P, nt, "expected a member name after '.'");
            px_next(P);
            if (!ty_is_record(f->t))
                px_syntax(P, nt, "field name not in a struct or union initializer");
            const char *name = px_ident_of(P, nt)->name; /* interned */
            uint32_t path[64], np = 0;
            if (!record_field_path(f->t, name, path, &np, 0))
                px_syntax(P, nt, "unknown field '%s' specified in initializer", name);
            for (uint32_t k = 0; k < np; k++) {
                f = &fs->v[fs->n - 1];
                if (f->t->kind == TY_UNION)
                    union_member(ic, f, path[k]);
                f->idx = path[k];
                if (k + 1 < np) {
                    const cfield *fl = &f->t->fields[path[k]];
                    fpush(ic, fs, fl->type, f->off + fl->offset);
                }
            }
        } else {
            break;
        }
        first = 0;
    }
    if (!px_accept(P, P_ASSIGN))
        px_syntax(P, px_tok(P), "expected '=' after the designator");
}

/* Initializes the current position of the frame stack from one
 * initializer (braced or an expression), descending with brace elision. */
static void place(ictx *ic, fstack *fs, uint32_t *maxlen)
{
    px *P = ic->P;
    ast_expr *e = NULL;
    const fe_token *at = px_tok(P);
    for (;;) {
        iframe *f = &fs->v[fs->n - 1];
        ctype *et;
        uint32_t eoff;
        bitinfo bi;
        if (!frame_elem(f, &et, &eoff, &bi)) {
            if (fs->n == 1) {
                px_error(P, at, "excess elements in %s initializer",
                         f->t->kind == TY_ARRAY ? "array" : f->t->kind == TY_UNION ? "union" : "struct");
                if (!e)
                    skip_initializer(ic);
                return;
            }
            fs->n--;
            frame_advance(&fs->v[fs->n - 1]);
            continue;
        }
        if (fs->n == 1 && maxlen && f->idx + 1 > *maxlen)
            *maxlen = f->idx + 1;
        if (et->kind == TY_ARRAY && et->incomplete) {
            px_error(P, at, "initialization of a flexible array member is not supported");
            if (!e)
                skip_initializer(ic);
            return;
        }
        if (!e && px_is_punct(px_tok(P), P_LBRACE)) {
            ctype *t = et;
            braced(ic, &t, eoff);
            frame_advance(f);
            return;
        }
        if (!e)
            e = px_assign_expr(P);
        if (et->kind == TY_ARRAY && is_char_type(et->base) && is_string_expr(e)) {
            add_string(ic, &et, eoff, e, at);
            frame_advance(f);
            return;
        }
        if (ty_is_record(et) && ty_is_record(e->type) &&
            ty_compatible(et->unqual, e->type->unqual)) {
            add_kill(ic, eoff, et->size);
            add_value(ic, et, eoff, &bi, e, at);
            frame_advance(f);
            return;
        }
        if (et->kind == TY_ARRAY || ty_is_record(et)) {
            if (et->incomplete) {
                px_error(P, at, "initialization of an incomplete type");
                return;
            }
            fpush(ic, fs, et, eoff);
            continue;
        }
        scalar_expr(ic, et, eoff, &bi, e, at);
        frame_advance(f);
        return;
    }
}

/* At '{': a brace-enclosed initializer of *tp at off. */
static void braced(ictx *ic, ctype **tp, uint32_t off)
{
    px *P = ic->P;
    ctype *t = *tp;
    const fe_token *open = px_expect(P, P_LBRACE, NULL);
    px_enter(P);
    if (ty_is_scalar(t)) {
        if (px_is_punct(px_tok(P), P_RBRACE)) {
            /* {} : zero */
            ast_expr *z = px_new_expr(P, EX_INT, P->te.t_int, open);
            scalar_expr(ic, t, off, NULL, z, open);
        } else if (px_is_punct(px_tok(P), P_LBRACE)) {
            braced(ic, tp, off);
        } else {
            const fe_token *at = px_tok(P);
            scalar_expr(ic, t, off, NULL, px_assign_expr(P), at);
        }
        px_accept(P, P_COMMA);
        if (!px_is_punct(px_tok(P), P_RBRACE))
            px_syntax(P, px_tok(P), "excess elements in scalar initializer");
        px_next(P);
        px_leave(P);
        return;
    }
    if (t->kind == TY_ARRAY && is_char_type(t->base) && px_tok(P)->kind == TK_STRING &&
        (px_is_punct(px_peek(P, 1), P_RBRACE) ||
         (px_is_punct(px_peek(P, 1), P_COMMA) && px_is_punct(px_peek(P, 2), P_RBRACE)))) {
        const fe_token *at = px_tok(P);
        ast_expr *s = px_assign_expr(P);
        add_string(ic, tp, off, s, at);
        px_accept(P, P_COMMA);
        px_expect(P, P_RBRACE, NULL);
        px_leave(P);
        return;
    }
    if (t->kind != TY_ARRAY && !ty_is_record(t)) {
        px_syntax(P, open, "invalid initializer");
    }
    if (t->incomplete && t->kind != TY_ARRAY)
        px_syntax(P, open, "initialization of an incomplete type");
    if (!t->incomplete)
        add_kill(ic, off, t->size);
    fstack fs = {0};
    fpush(ic, &fs, t, off);
    uint32_t maxlen = 0;
    while (!px_is_punct(px_tok(P), P_RBRACE)) {
        const fe_token *tk = px_tok(P);
        if (tk->kind == TK_EOF)
            px_syntax(P, open, "unterminated initializer");
        if (px_is_punct(tk, P_DOT) || px_is_punct(tk, P_LBRACKET))
            designation(ic, &fs, &maxlen);
        place(ic, &fs, t->incomplete ? &maxlen : NULL);
        if (!px_accept(P, P_COMMA))
            break;
    }
    px_expect(P, P_RBRACE, "at the end of the initializer");
    if (t->incomplete) {
        if (maxlen == 0)
            px_error(P, open, "zero-size array");
        if ((uint64_t)maxlen * t->base->size > 0x7fffffff) {
            px_error(P, open, "array is too large");
            maxlen = 1;
        }
        *tp = ty_array(&P->te, t->base, maxlen ? maxlen : 1, 0);
    }
    px_leave(P);
}

/* ---- finishing: order and overrides -------------------------------------------------------- */

static int cmp_ient(const void *a, const void *b)
{
    const ient *x = a, *y = b;
    if (x->b0 != y->b0)
        return x->b0 < y->b0 ? -1 : 1;
    if (x->b1 != y->b1)
        return x->b1 > y->b1 ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Not overridden by a later initialization of the same bits. */
static int init_live(const ient *e)
{
    if (e->kill || e->ancmax >= e->seq)
        return 0;
    if (e->is_copy)
        return e->eqmax < e->seq;
    return e->submax < e->seq;
}

static void finish(ictx *ic)
{
    px *P = ic->P;
    pack_close(ic);
    uint32_t n = ic->n;
    ient *v = ic->v;
    if (ic->unsorted && n > 1) {
        qsort(v, n, sizeof *v, cmp_ient);
        uint32_t *stack = px_alloc(P, n * sizeof *stack);
        uint32_t sp = 0;
        for (uint32_t i = 0; i <= n; i++) {
            while (sp && (i == n || v[stack[sp - 1]].b1 <= v[i].b0)) {
                ient *top = &v[stack[--sp]];
                if (sp) {
                    ient *par = &v[stack[sp - 1]];
                    uint32_t m = top->submax > top->seq ? top->submax : top->seq;
                    if (m > par->submax)
                        par->submax = m;
                }
            }
            if (i == n)
                break;
            if (sp) {
                ient *par = &v[stack[sp - 1]];
                v[i].ancmax = par->ancmax > par->seq ? par->ancmax : par->seq;
            }
            stack[sp++] = i;
        }
    }
    /* { .s = x, .s.a = 1 }: the copy of x stays and a is stored after it
       (entries of equal offset sort larger first); only an entry for the
       whole of s again replaces the copy */
    for (uint32_t i = n; i-- > 1;)
        if (v[i - 1].b0 == v[i].b0 && v[i - 1].b1 == v[i].b1)
            v[i - 1].eqmax = v[i].eqmax > v[i].seq ? v[i].eqmax : v[i].seq;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (init_live(&v[i]))
            k++;
    ast_init *out = px_alloc(P, (k ? k : 1) * sizeof *out);
    k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (init_live(&v[i]))
            out[k++] = v[i].in;
    ic->sym->init = out;
    ic->sym->ninit = k;
}

void px_initializer(px *P, csym *sym, int is_static)
{
    ictx ic;
    memset(&ic, 0, sizeof ic);
    ic.P = P;
    ic.pack_idx = -1;
    ic.sym = sym;
    ic.is_static = is_static;
    ctype *t = sym->type;
    const fe_token *at = px_tok(P);
    if (t->kind == TY_FUNC || (t->incomplete && t->kind != TY_ARRAY)) {
        px_error(P, at, "variable '%s' has an incomplete type and cannot be initialized",
                 sym->name);
        skip_initializer(&ic);
        return;
    }
    if (px_is_punct(at, P_LBRACE)) {
        braced(&ic, &t, 0);
    } else {
        ast_expr *e = px_assign_expr(P);
        if (t->kind == TY_ARRAY && is_char_type(t->base) && is_string_expr(e)) {
            add_string(&ic, &t, 0, e, at);
        } else if (t->kind == TY_ARRAY) {
            px_error(P, at, "array must be initialized with a brace-enclosed initializer");
        } else if (ty_is_record(t)) {
            e = px_conv_assign(P, e, t, at, "initialization");
            add_value(&ic, t, 0, NULL, e, at);
        } else {
            scalar_expr(&ic, t, 0, NULL, e, at);
        }
    }
    if (t != sym->type) {
        if (sym->type->qual)
            t = ty_qual(&P->te, t, sym->type->qual);
        sym->type = t;
    }
    finish(&ic);
}

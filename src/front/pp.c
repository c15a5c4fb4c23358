/*
 * pp.c — the preprocessor: directives, conditional groups, #include of the
 * front end's and the runtime's headers, and macro expansion.
 *
 *   fe_preprocess: expand_next -> convert (lex.c) -> token array
 *   expand_next:   tok_next + macro invocation (collect args, pre-expand
 *                  them, substitute, push the result back for rescanning)
 *   tok_next:      the pending stack (expansions waiting to be rescanned),
 *                  else src_next
 *   src_next:      the include stack of lexers; handles directives and
 *                  skips false groups
 *
 * Recursion control follows GCC: a macro is disabled while the tokens of its
 * expansion are being read (a PK_MARKER under them re-enables it), and an
 * identifier naming a disabled macro is painted PF_NOEXPAND for good. So
 * `#define a a` and mutual recursion terminate, and every token pushed for
 * rescanning is counted against a budget, so exponential macros end in
 * KP_ERR_LIMIT instead of eating the machine.
 *
 * Temporary token lists (pending stack, scratch) are malloc'd vectors used
 * LIFO and freed at the end; only what outlives the call (macro bodies,
 * the final token array, rewritten spellings) goes to the arena.
 *
 * Fast paths (docs/preprocessor.md, "Speed"): the built-in headers and the
 * predefined macros are lexed once per process (hcache); a bit filter on
 * identifier hashes (maybe_macro) spares most lookups; and when nothing is
 * pending, runs of ordinary tokens go from the lexer (fe_lex_run) or the
 * cached header (cache_run) straight into the output, doing exactly what
 * expand_next + fe_lex_convert would do for them.
 */
#include "lex.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"

#define MAX_INCLUDE_DEPTH 48
#define MAX_PARAMS 256
#define MAX_CONDS 65536
#define PP_BLOOM_BITS 2048
/* Cancel polls (fe_poll): at most every PP_RUN_MAX output tokens (runs of
 * plain tokens are cut there) or PP_POLL_ITERS steps of the main loop,
 * i.e. about every 0.1-0.5 ms of preprocessing. */
#define PP_RUN_MAX 16384u
#define PP_POLL_ITERS 4096u

typedef struct pp_macro {
    struct pp_macro *next; /* hash chain */
    const char *name;
    uint32_t len, hash;
    pp_tok *body;
    uint32_t nbody;
    uint16_t nparams;
    uint8_t funclike, variadic, disabled, defined, builtin, has_paste;
    /* Definitions in the front end's own headers are only lexed when the
     * macro is first expanded: most of <stdint.h> is never used. */
    uint8_t lazy, lazy_file;
    const char *lazy_src;
    uint32_t lazy_pos, lazy_len;
} pp_macro;

enum { BI_LINE = 1, BI_FILE };

typedef struct tokvec {
    pp_tok *v;
    size_t n, cap;
} tokvec;

typedef struct pp_file {
    fe_lexer lx;
    size_t cond_base;      /* conditional stack depth when the file began */
    /* include-guard detection: 0 nothing yet, 1 inside `#ifndef G`,
     * 2 after its #endif, 3 not a guarded file */
    int mi_state;
    size_t mi_cond;
    const char *mi_name;
    uint32_t mi_len;
    int counted_depth;     /* fe_enter was called for this file */
    int trusted;           /* our own header: #define may be lazy */
    /* A built-in header (or the predefined macros) is read from its tokens
     * lexed once per process (hc != NULL) instead of through lx. */
    const struct pp_hcache *hc;
    uint32_t ci;           /* next token of hc */
} pp_file;

enum { C_ACTIVE, C_DONE, C_SEEK };

typedef struct pp_cond {
    uint8_t state, had_else, file;
    uint32_t line, col;
} pp_cond;

typedef struct pp {
    fe_ctx *cx;
    pp_macro **tab;
    size_t tabsz, nmacros;
    pp_file *files[MAX_INCLUDE_DEPTH + 2]; /* allocated on first use */
    unsigned nf;
    pp_cond *conds;
    size_t ncond, capcond;
    tokvec pend;    /* tokens to read before the source; top = next */
    tokvec scratch; /* LIFO work area: arguments, expansions, #if lines */
    uint32_t *ib;   /* LIFO argument bounds */
    size_t nib, capib;
    fe_token *out;
    size_t nout, capout;
    int out_malloced;   /* out outgrew its arena block and moved to malloc */
    uint64_t nexpanded, nsource;
    int in_if;
    int eof_checked;
    int ev_noeval;  /* inside the unevaluated side of && || ?: */
    int ev_fail;
    uint8_t once[64];
    const char *guard[64];
    uint32_t guardlen[64];
    /* A bit per hash class of every name ever entered in the macro table:
     * most identifiers are not macros and skip the table lookup. */
    uint64_t maybe_macro[PP_BLOOM_BITS / 64];
} pp;

/* ---- small helpers ---------------------------------------------------- */

static int stopped(pp *p)
{
    /* fe_verror counts every error, so code != KP_OK implies nerrors */
    fe_ctx *cx = p->cx;
    return __builtin_expect((cx->nerrors | (unsigned)cx->arena.failed) != 0, 0) &&
           fe_should_stop(cx);
}

static void perr(pp *p, const pp_tok *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void perr(pp *p, const pp_tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fe_verror(p->cx, KP_ERR_COMPILE, t->file, (int)t->line, (int)t->col, fmt, ap);
    va_end(ap);
}

static int grow(pp *p, void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) {
        if (nc > ((size_t)1 << 40) / elem) {
            fe_nomem(p->cx);
            return -1;
        }
        nc *= 2;
    }
    void *n = realloc(*v, nc * elem);
    if (!n) {
        fe_nomem(p->cx);
        return -1;
    }
    *v = n;
    *cap = nc;
    return 0;
}

static int vec_reserve(pp *p, tokvec *v, size_t extra)
{
    return grow(p, (void **)&v->v, &v->cap, v->n + extra, sizeof(pp_tok));
}

static int vec_push(pp *p, tokvec *v, const pp_tok *t)
{
    if (v->n == v->cap && vec_reserve(p, v, 1) < 0)
        return -1;
    v->v[v->n++] = *t;
    return 0;
}

static int ib_push(pp *p, uint32_t x)
{
    if (p->nib == p->capib && grow(p, (void **)&p->ib, &p->capib, p->nib + 1, sizeof(uint32_t)) < 0)
        return -1;
    p->ib[p->nib++] = x;
    return 0;
}

static int is_punct(const pp_tok *t, int id)
{
    return t->kind == PK_PUNCT && t->id == id;
}

static int tok_is(const pp_tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->kind == PK_IDENT && t->len == n && memcmp(t->u.text, s, n) == 0;
}

/* Every token pushed back for rescanning is counted: the budget turns
 * exponential macros into a clean KP_ERR_LIMIT. */
static int charge(pp *p, const pp_tok *at, uint64_t n)
{
    p->nexpanded += n;
    if (p->nexpanded > 1000000 + 50 * p->nsource) {
        if (p->cx->code != KP_ERR_LIMIT)
            fe_error(p->cx, KP_ERR_LIMIT, at->file, (int)at->line, (int)at->col,
                     "macro expansion produces too many tokens (limit %llu)",
                     (unsigned long long)(1000000 + 50 * p->nsource));
        return -1;
    }
    return 0;
}

/* ---- the built-in headers, lexed once per process ------------------------ */

/* The predefined macros and the headers of headers.c never change, so their
 * tokens are lexed once (pthread_once) into immutable malloc'd arrays that
 * every compilation reads; `#define NAME` lines are pre-scanned so that
 * the lazy definition costs a table insertion. */
typedef struct pp_cdef {
    const char *name;
    uint32_t len, hash;
    uint32_t pos;    /* where do_define starts reading (after `define`) */
    uint32_t next;   /* index of the first token after the line */
} pp_cdef;

typedef struct pp_hcache {
    const char *src;
    size_t len;
    pp_tok *toks;
    uint32_t ntoks;
    uint16_t *def;   /* per token: 0, or 1 + index in defs of its `#define` */
    pp_cdef *defs;
    uint32_t nplain; /* tokens outside directive lines (likely output) */
} pp_hcache;

static const char predefined[];
static const size_t predefined_len;

#define PP_NCACHE 16
static pp_hcache hcache[PP_NCACHE]; /* [0]: the predefined macros */
static unsigned hcache_n;
static pthread_once_t hcache_once = PTHREAD_ONCE_INIT;

static int cache_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Lex src into hc; on any trouble leave hc->toks NULL (read through the
 * lexer as before). */
static void hcache_build_one(pp_hcache *hc, const char *src, size_t len)
{
    hc->src = src;
    hc->len = len;
    fe_ctx *cx = calloc(1, sizeof *cx);
    if (!cx)
        return;
    kp_arena_init(&cx->arena, 0);
    cx->files[0].name = "<built-in>";
    cx->files[0].src = src;
    cx->files[0].len = len;
    cx->nfiles = 1;
    fe_lexer lx;
    fe_lex_init(&lx, cx, 0, src, len);
    pp_tok *v = NULL, t;
    size_t n = 0, cap = 0;
    int bad = 0;
    uint16_t *def = NULL;
    pp_cdef *defs = NULL;
    size_t ndefs = 0;
    for (;;) {
        fe_lex_next(&lx, &t);
        if (t.kind == PK_EOF)
            break;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            pp_tok *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                bad = 1;
                break;
            }
            v = nv;
            cap = nc;
        }
        v[n++] = t;
    }
    /* errors or spliced (arena-allocated) spellings: not cacheable */
    if (cx->nerrors || cx->arena.head || n >= UINT32_MAX || n == 0)
        bad = 1;
    if (!bad) {
        def = calloc(n, sizeof *def);
        defs = calloc(n, sizeof *defs);
        if (!def || !defs)
            bad = 1;
    }
    for (size_t i = 0; !bad && i + 1 < n; i++) {
        /* the conditions of lazy_define, on the raw text */
        if (!(v[i].flags & PF_BOL) || v[i].kind != PK_PUNCT || v[i].id != P_HASH)
            continue;
        size_t q = (size_t)(v[i].u.text - src) + 1;
        if (len - q < 8 || memcmp(src + q, "define ", 7) != 0 || v[i + 1].u.text != src + q)
            continue;
        size_t b = q + 7, e = b;
        uint32_t h = 2166136261u;
        for (; e < len && cache_ident_char((unsigned char)src[e]); e++)
            h = (h ^ (unsigned char)src[e]) * 16777619u;
        if (e == b || e >= len || (src[e] != ' ' && src[e] != '(' && src[e] != '\n'))
            continue;
        if (ndefs >= 65535)
            break;
        size_t j = i + 1;
        while (j < n && !(v[j].flags & PF_BOL))
            j++;
        pp_cdef *d = &defs[ndefs++];
        d->name = src + b;
        d->len = (uint32_t)(e - b);
        d->hash = h;
        d->pos = (uint32_t)(q + 6);
        d->next = (uint32_t)j;
        def[i] = (uint16_t)ndefs;
    }
    uint32_t nplain = 0;
    for (size_t i = 0, in_dir = 0; !bad && i < n; i++) {
        if (v[i].flags & PF_BOL)
            in_dir = v[i].kind == PK_PUNCT && v[i].id == P_HASH;
        nplain += !in_dir;
    }
    hc->nplain = nplain;
    if (bad) {
        free(v);
        free(def);
        free(defs);
    } else {
        hc->toks = v;
        hc->ntoks = (uint32_t)n;
        hc->def = def;
        hc->defs = defs;
    }
    free(cx->diag);
    kp_arena_free(&cx->arena);
    free(cx);
}

static void hcache_build(void)
{
    hcache_build_one(&hcache[0], predefined, predefined_len);
    unsigned k = 1;
    size_t len;
    const char *text;
    for (unsigned i = 0; k < PP_NCACHE && (text = fe_std_header_at(i, &len)); i++)
        hcache_build_one(&hcache[k++], text, len);
    hcache_n = k;
}

/* The cache of a trusted text, or NULL. */
static const pp_hcache *hcache_find(const char *src)
{
    if (pthread_once(&hcache_once, hcache_build) != 0)
        return NULL;
    for (unsigned i = 0; i < hcache_n; i++)
        if (hcache[i].src == src)
            return hcache[i].toks ? &hcache[i] : NULL;
    return NULL;
}

/* The next token of file f (its lexer or its cached tokens). */
static inline void file_next(pp_file *f, pp_tok *t)
{
    const pp_hcache *hc = f->hc;
    if (!hc) {
        fe_lex_next(&f->lx, t);
        return;
    }
    if (f->ci < hc->ntoks) {
        *t = hc->toks[f->ci++];
        t->file = f->lx.file;
        return;
    }
    memset(t, 0, sizeof *t);
    t->kind = PK_EOF;
    t->flags = PF_BOL;
    t->file = f->lx.file;
    t->line = hc->ntoks ? hc->toks[hc->ntoks - 1].line + 1 : 1;
    t->col = 1;
}

/* True if nothing but whitespace and comments remain on the current line. */
static inline int file_at_eol(pp_file *f)
{
    const pp_hcache *hc = f->hc;
    if (!hc)
        return fe_lex_at_eol(&f->lx);
    return f->ci >= hc->ntoks || (hc->toks[f->ci].flags & PF_BOL);
}

static inline void bloom_add(pp *p, uint32_t h)
{
    uint32_t b = h & (PP_BLOOM_BITS - 1);
    p->maybe_macro[b >> 6] |= (uint64_t)1 << (b & 63);
}

static inline int bloom_has(const pp *p, uint32_t h)
{
    uint32_t b = h & (PP_BLOOM_BITS - 1);
    return (int)((p->maybe_macro[b >> 6] >> (b & 63)) & 1);
}

/* ---- macro table ------------------------------------------------------- */

static pp_macro *macro_find(pp *p, const char *s, size_t n, uint32_t h)
{
    for (pp_macro *m = p->tab[h & (p->tabsz - 1)]; m; m = m->next)
        if (m->hash == h && m->len == n && memcmp(m->name, s, n) == 0)
            return m;
    return NULL;
}

static pp_macro *macro_get(pp *p, const char *s, size_t n, uint32_t h)
{
    pp_macro *m = macro_find(p, s, n, h);
    if (m)
        return m;
    if (p->nmacros >= p->tabsz) {
        size_t nsz = p->tabsz * 2;
        pp_macro **nt = kp_arena_alloc(&p->cx->arena, nsz * sizeof *nt);
        if (!nt) {
            fe_nomem(p->cx);
            return NULL;
        }
        for (size_t i = 0; i < p->tabsz; i++) {
            pp_macro *c = p->tab[i];
            while (c) {
                pp_macro *nx = c->next;
                c->next = nt[c->hash & (nsz - 1)];
                nt[c->hash & (nsz - 1)] = c;
                c = nx;
            }
        }
        p->tab = nt;
        p->tabsz = nsz;
    }
    m = kp_arena_alloc(&p->cx->arena, sizeof *m);
    if (!m) {
        fe_nomem(p->cx);
        return NULL;
    }
    m->name = s;
    m->len = (uint32_t)n;
    m->hash = h;
    m->next = p->tab[m->hash & (p->tabsz - 1)];
    p->tab[m->hash & (p->tabsz - 1)] = m;
    p->nmacros++;
    bloom_add(p, h);
    return m;
}

static int is_defined(pp *p, const pp_tok *t)
{
    pp_macro *m = macro_find(p, t->u.text, t->len, t->hash);
    return m && m->defined;
}

/* ---- reading tokens ----------------------------------------------------- */

static void src_next(pp *p, pp_tok *t);

/* The next token of the current directive line, or 0 at its end. */
static int line_tok(pp *p, pp_file *f, pp_tok *t)
{
    if (stopped(p) || file_at_eol(f))
        return 0;
    file_next(f, t);
    p->nsource++;
    return t->kind != PK_EOF;
}

static void skip_line(pp *p, pp_file *f)
{
    pp_tok t;
    while (line_tok(p, f, &t))
        ;
}

static void pend_truncate(pp *p, size_t n)
{
    /* dropping an expansion early must still re-enable its macros */
    while (p->pend.n > n) {
        pp_tok *t = &p->pend.v[--p->pend.n];
        if (t->kind == PK_MARKER)
            t->u.mac->disabled = 0;
    }
}

static void tok_next(pp *p, pp_tok *t)
{
    for (;;) {
        if (stopped(p)) {
            memset(t, 0, sizeof *t);
            return;
        }
        if (p->pend.n) {
            pp_tok *top = &p->pend.v[p->pend.n - 1];
            if (top->kind == PK_BARRIER) {
                *t = *top;
                t->kind = PK_EOF;
                return;
            }
            *t = *top;
            p->pend.n--;
            if (t->kind == PK_MARKER) {
                t->u.mac->disabled = 0;
                continue;
            }
            return;
        }
        src_next(p, t);
        return;
    }
}

/* ---- #if expressions ---------------------------------------------------- */

typedef struct ppval {
    uint64_t v;
    int u;
} ppval;

typedef struct ev {
    pp *p;
    size_t i, n; /* into p->scratch */
    const pp_tok *last;
} ev;

static const pp_tok *ev_peek(ev *e)
{
    return e->i < e->n ? &e->p->scratch.v[e->i] : NULL;
}

static void ev_error(ev *e, const char *msg)
{
    if (e->p->ev_fail)
        return;
    e->p->ev_fail = 1;
    const pp_tok *t = ev_peek(e);
    if (!t)
        t = e->last;
    perr(e->p, t, "%s", msg);
}

static ppval ev_cond(ev *e);

static ppval ev_unary(ev *e)
{
    ppval r = {0, 0};
    const pp_tok *t = ev_peek(e);
    if (e->p->ev_fail)
        return r;
    if (!t) {
        ev_error(e, "expected a value in #if expression");
        return r;
    }
    e->i++;
    if (t->kind == PK_NUM) {
        int u = 0;
        if (fe_lex_int_value(e->p->cx, t, &r.v, &u) < 0)
            e->p->ev_fail = 1;
        r.u = u;
        return r;
    }
    if (t->kind == PK_CHAR) {
        int64_t v = 0;
        if (fe_lex_char_value(e->p->cx, t, &v) < 0)
            e->p->ev_fail = 1;
        r.v = (uint64_t)v;
        return r;
    }
    if (t->kind == PK_IDENT)
        return r; /* an identifier that is not a macro is 0 */
    if (t->kind == PK_PUNCT) {
        int id = t->id;
        if (id == P_LPAREN || id == P_PLUS || id == P_MINUS || id == P_TILDE || id == P_BANG) {
            if (!fe_enter(e->p->cx, t->file, (int)t->line, (int)t->col)) {
                e->p->ev_fail = 1;
                return r;
            }
            if (id == P_LPAREN) {
                r = ev_cond(e);
                while (!e->p->ev_fail && ev_peek(e) && is_punct(ev_peek(e), P_COMMA)) {
                    e->i++;
                    r = ev_cond(e);
                }
                if (!e->p->ev_fail) {
                    if (ev_peek(e) && is_punct(ev_peek(e), P_RPAREN))
                        e->i++;
                    else
                        ev_error(e, "missing ')' in #if expression");
                }
            } else {
                r = ev_unary(e);
                if (id == P_MINUS)
                    r.v = 0 - r.v;
                else if (id == P_TILDE)
                    r.v = ~r.v;
                else if (id == P_BANG) {
                    r.v = r.v == 0;
                    r.u = 0;
                }
            }
            fe_leave(e->p->cx);
            return r;
        }
    }
    e->i--;
    if (t->kind == PK_STR)
        ev_error(e, "string literal in #if expression");
    else
        ev_error(e, "unexpected token in #if expression");
    return r;
}

static int binprec(const pp_tok *t)
{
    if (!t || t->kind != PK_PUNCT)
        return 0;
    return fe_binop_prec(t->id);
}

static ppval ev_apply(ev *e, const pp_tok *op, ppval a, ppval b)
{
    ppval r = {0, a.u || b.u};
    int u = r.u;
    int64_t sa = (int64_t)a.v, sb = (int64_t)b.v;
    switch (op->id) {
    case P_STAR: r.v = a.v * b.v; break;
    case P_SLASH:
    case P_PERCENT:
        if (b.v == 0) {
            if (!e->p->ev_noeval) {
                e->p->ev_fail = 1;
                perr(e->p, op, "division by zero in #if expression");
            }
            r.v = 0;
        } else if (u) {
            r.v = op->id == P_SLASH ? a.v / b.v : a.v % b.v;
        } else if (sa == INT64_MIN && sb == -1) {
            r.v = op->id == P_SLASH ? a.v : 0;
        } else {
            r.v = (uint64_t)(op->id == P_SLASH ? sa / sb : sa % sb);
        }
        break;
    case P_PLUS: r.v = a.v + b.v; break;
    case P_MINUS: r.v = a.v - b.v; break;
    case P_SHL:
    case P_SHR: {
        r.u = a.u;
        int right = op->id == P_SHR;
        uint64_t cnt = b.v;
        if (!b.u && sb < 0) {
            right = !right;
            cnt = 0 - b.v;
        }
        if (cnt >= 64)
            r.v = right && !a.u && sa < 0 ? (uint64_t)-1 : 0;
        else if (!right)
            r.v = a.v << cnt;
        else if (a.u || sa >= 0)
            r.v = a.v >> cnt;
        else
            r.v = ~(~a.v >> cnt);
        break;
    }
    case P_LT: r.v = u ? a.v < b.v : sa < sb; r.u = 0; break;
    case P_GT: r.v = u ? a.v > b.v : sa > sb; r.u = 0; break;
    case P_LE: r.v = u ? a.v <= b.v : sa <= sb; r.u = 0; break;
    case P_GE: r.v = u ? a.v >= b.v : sa >= sb; r.u = 0; break;
    case P_EQ: r.v = a.v == b.v; r.u = 0; break;
    case P_NE: r.v = a.v != b.v; r.u = 0; break;
    case P_AMP: r.v = a.v & b.v; break;
    case P_CARET: r.v = a.v ^ b.v; break;
    case P_PIPE: r.v = a.v | b.v; break;
    default: break;
    }
    return r;
}

/* Precedence climbing; the depth is bounded by the number of levels. */
static ppval ev_binary(ev *e, int minprec)
{
    ppval a = ev_unary(e);
    for (;;) {
        const pp_tok *op = ev_peek(e);
        int prec = binprec(op);
        if (!prec || prec < minprec || e->p->ev_fail)
            return a;
        e->i++;
        e->last = op;
        if (op->id == P_ANDAND || op->id == P_OROR) {
            int skip = op->id == P_ANDAND ? a.v == 0 : a.v != 0;
            e->p->ev_noeval += skip;
            ppval b = ev_binary(e, prec + 1);
            e->p->ev_noeval -= skip;
            a.v = op->id == P_ANDAND ? (a.v && b.v) : (a.v || b.v);
            a.u = 0;
        } else {
            ppval b = ev_binary(e, prec + 1);
            a = ev_apply(e, op, a, b);
        }
    }
}

static ppval ev_cond(ev *e)
{
    ppval c = ev_binary(e, 1);
    const pp_tok *q = ev_peek(e);
    if (e->p->ev_fail || !q || !is_punct(q, P_QUESTION))
        return c;
    e->i++;
    e->last = q;
    if (!fe_enter(e->p->cx, q->file, (int)q->line, (int)q->col)) {
        e->p->ev_fail = 1;
        return c;
    }
    int skip_a = c.v == 0, skip_b = !skip_a;
    e->p->ev_noeval += skip_a;
    ppval a = ev_cond(e);
    e->p->ev_noeval -= skip_a;
    const pp_tok *col = ev_peek(e);
    if (!e->p->ev_fail && (!col || !is_punct(col, P_COLON)))
        ev_error(e, "expected ':' in #if expression");
    else
        e->i++;
    e->p->ev_noeval += skip_b;
    ppval b = ev_cond(e);
    e->p->ev_noeval -= skip_b;
    fe_leave(e->p->cx);
    ppval r = c.v ? a : b;
    r.u = a.u || b.u;
    return r;
}

static int expand_next(pp *p, pp_tok *t);

/* Macro-expand `first` (if any) and the rest of the directive line, in
 * isolation; the tokens are appended to scratch from the returned index. */
static size_t expand_line(pp *p, pp_file *f, const pp_tok *first, const pp_tok *dir)
{
    size_t sbase = p->scratch.n;
    pp_tok t;
    if (first && vec_push(p, &p->scratch, first) < 0)
        return sbase;
    while (line_tok(p, f, &t))
        if (vec_push(p, &p->scratch, &t) < 0) {
            p->scratch.n = sbase;
            return sbase;
        }
    size_t nline = p->scratch.n - sbase;
    /* Push the line (reversed) above a barrier and expand it. */
    size_t pbase = p->pend.n;
    pp_tok bar = *dir;
    bar.kind = PK_BARRIER;
    if (vec_reserve(p, &p->pend, nline + 1) < 0) {
        p->scratch.n = sbase;
        return sbase;
    }
    p->pend.v[p->pend.n++] = bar;
    for (size_t i = nline; i-- > 0;)
        p->pend.v[p->pend.n++] = p->scratch.v[sbase + i];
    p->scratch.n = sbase;
    while (expand_next(p, &t) != PK_EOF)
        if (vec_push(p, &p->scratch, &t) < 0)
            break;
    pend_truncate(p, pbase);
    return sbase;
}

/* Evaluate the rest of a #if/#elif line. */
static int eval_if(pp *p, pp_file *f, const pp_tok *dir)
{
    if (file_at_eol(f)) {
        perr(p, dir, "#%.*s with no expression", (int)dir->len, dir->u.text);
        return 0;
    }
    p->in_if++;
    size_t sbase = expand_line(p, f, NULL, dir);
    p->in_if--;
    int result = 0;
    if (!stopped(p)) {
        ev e = {p, sbase, p->scratch.n, dir};
        p->ev_fail = 0;
        p->ev_noeval = 0;
        ppval v = ev_cond(&e);
        while (!p->ev_fail && e.i < e.n && is_punct(&p->scratch.v[e.i], P_COMMA)) {
            e.i++;
            v = ev_cond(&e);
        }
        if (!p->ev_fail && e.i < e.n)
            ev_error(&e, "missing binary operator in #if expression");
        result = !p->ev_fail && v.v != 0;
    }
    p->scratch.n = sbase;
    return result;
}

/* ---- directives --------------------------------------------------------- */

static int cond_push(pp *p, const pp_tok *at, int state)
{
    if (p->ncond >= MAX_CONDS) {
        fe_error(p->cx, KP_ERR_LIMIT, at->file, (int)at->line, (int)at->col,
                 "#if nesting deeper than %d", MAX_CONDS);
        return -1;
    }
    if (grow(p, (void **)&p->conds, &p->capcond, p->ncond + 1, sizeof(pp_cond)) < 0)
        return -1;
    pp_cond *c = &p->conds[p->ncond++];
    c->state = (uint8_t)state;
    c->had_else = 0;
    c->file = at->file;
    c->line = at->line;
    c->col = at->col;
    return 0;
}

static int skipping(const pp *p)
{
    return p->ncond && p->conds[p->ncond - 1].state != C_ACTIVE;
}

static void do_define(pp *p, pp_file *f, const pp_tok *dir)
{
    pp_tok name, t;
    if (!line_tok(p, f, &name) || name.kind != PK_IDENT) {
        perr(p, dir, "macro names must be identifiers");
        skip_line(p, f);
        return;
    }
    if (tok_is(&name, "defined")) {
        perr(p, &name, "\"defined\" cannot be used as a macro name");
        skip_line(p, f);
        return;
    }
    struct { const char *s; uint32_t n; } params[MAX_PARAMS];
    unsigned np = 0;
    int funclike = 0, variadic = 0;
    int has = line_tok(p, f, &t);
    if (has && is_punct(&t, P_LPAREN) && !(t.flags & PF_SPACE)) {
        funclike = 1;
        has = line_tok(p, f, &t);
        if (has && is_punct(&t, P_RPAREN)) {
            has = line_tok(p, f, &t);
        } else {
            for (;;) {
                if (!has) {
                    perr(p, &name, "missing ')' in macro parameter list");
                    return;
                }
                if (is_punct(&t, P_ELLIPSIS)) {
                    variadic = 1;
                    params[np].s = "__VA_ARGS__";
                    params[np++].n = 11;
                } else if (t.kind == PK_IDENT && !tok_is(&t, "__VA_ARGS__")) {
                    for (unsigned i = 0; i < np; i++)
                        if (params[i].n == t.len && memcmp(params[i].s, t.u.text, t.len) == 0) {
                            perr(p, &t, "duplicate macro parameter '%.*s'", (int)t.len, t.u.text);
                            skip_line(p, f);
                            return;
                        }
                    if (np >= MAX_PARAMS) {
                        perr(p, &t, "too many macro parameters (limit %d)", MAX_PARAMS);
                        skip_line(p, f);
                        return;
                    }
                    params[np].s = t.u.text;
                    params[np++].n = t.len;
                } else {
                    perr(p, &t, "expected a parameter name in macro parameter list");
                    skip_line(p, f);
                    return;
                }
                has = line_tok(p, f, &t);
                if (has && is_punct(&t, P_RPAREN) ) {
                    has = line_tok(p, f, &t);
                    break;
                }
                if (!has || !is_punct(&t, P_COMMA) || variadic) {
                    perr(p, has ? &t : &name, "expected ',' or ')' in macro parameter list");
                    skip_line(p, f);
                    return;
                }
                has = line_tok(p, f, &t);
            }
        }
    }
    size_t sbase = p->scratch.n;
    while (has) {
        if (t.kind == PK_IDENT) {
            if (funclike) {
                for (unsigned i = 0; i < np; i++)
                    if (params[i].n == t.len && memcmp(params[i].s, t.u.text, t.len) == 0) {
                        t.kind = PK_PARAM;
                        t.id = (uint16_t)i;
                        break;
                    }
            }
            if (t.kind == PK_IDENT && tok_is(&t, "__VA_ARGS__")) {
                perr(p, &t, "__VA_ARGS__ can only appear in the expansion of a variadic macro");
                p->scratch.n = sbase;
                skip_line(p, f);
                return;
            }
        }
        if (t.flags & PF_BOL)
            t.flags = (uint8_t)((t.flags & ~PF_BOL) | PF_SPACE);
        if (vec_push(p, &p->scratch, &t) < 0)
            return;
        has = line_tok(p, f, &t);
    }
    size_t nb = p->scratch.n - sbase;
    pp_tok *b = nb ? p->scratch.v + sbase : NULL;
    int bad = 0;
    if (nb && (is_punct(&b[0], P_HASHHASH) || is_punct(&b[nb - 1], P_HASHHASH))) {
        perr(p, is_punct(&b[0], P_HASHHASH) ? &b[0] : &b[nb - 1],
             "'##' cannot appear at either end of a macro expansion");
        bad = 1;
    }
    for (size_t i = 0; funclike && !bad && i < nb; i++)
        if (is_punct(&b[i], P_HASH) && (i + 1 >= nb || b[i + 1].kind != PK_PARAM)) {
            perr(p, &b[i], "'#' is not followed by a macro parameter");
            bad = 1;
        }
    if (bad) {
        p->scratch.n = sbase;
        return;
    }
    pp_macro *m = macro_get(p, name.u.text, name.len, name.hash);
    pp_tok *body = NULL;
    if (m && nb) {
        body = kp_arena_alloc(&p->cx->arena, nb * sizeof *body);
        if (!body)
            fe_nomem(p->cx);
        else
            memcpy(body, b, nb * sizeof *body);
        if (body)
            body[0].flags &= (uint8_t)~PF_SPACE;
    }
    p->scratch.n = sbase;
    if (!m || (nb && !body))
        return;
    m->body = body;
    m->nbody = (uint32_t)nb;
    m->nparams = (uint16_t)np;
    m->funclike = (uint8_t)funclike;
    m->variadic = (uint8_t)variadic;
    m->builtin = 0;
    m->defined = 1;
    m->lazy = 0;
    m->has_paste = 0;
    for (size_t i = 0; i < nb; i++)
        if (is_punct(&body[i], P_HASHHASH))
            m->has_paste = 1;
}

static pp_file *new_file(pp *p)
{
    if (!p->files[p->nf]) {
        p->files[p->nf] = kp_arena_alloc(&p->cx->arena, sizeof(pp_file));
        if (!p->files[p->nf]) {
            fe_nomem(p->cx);
            return NULL;
        }
    }
    pp_file *f = p->files[p->nf++];
    memset(f, 0, sizeof *f);
    return f;
}

static int push_file(pp *p, unsigned idx, int counted)
{
    pp_file *f = new_file(p);
    if (!f)
        return -1;
    fe_lex_init(&f->lx, p->cx, idx, p->cx->files[idx].src, p->cx->files[idx].len);
    f->hc = idx ? hcache_find(p->cx->files[idx].src) : NULL;
    f->cond_base = p->ncond;
    f->counted_depth = counted;
    return 0;
}

static void do_include(pp *p, pp_file *f, const pp_tok *dir)
{
    fe_ctx *cx = p->cx;
    const char *nm = NULL;
    size_t nl = 0;
    pp_tok t;
    if (!(!f->hc && fe_lex_angle_name(&f->lx, &nm, &nl)) && line_tok(p, f, &t)) {
        if (t.kind == PK_STR && t.len >= 2 && t.u.text[0] == '"') {
            nm = t.u.text + 1;
            nl = t.len - 2;
        } else {
            /* #include MACRO: the expansion must be "name" or <name> */
            size_t sb = expand_line(p, f, &t, dir), ne = p->scratch.n - sb;
            const pp_tok *v = p->scratch.v + sb;
            if (ne == 1 && v[0].kind == PK_STR && v[0].len >= 2 && v[0].u.text[0] == '"') {
                nm = v[0].u.text + 1;
                nl = v[0].len - 2;
            } else if (ne >= 2 && is_punct(&v[0], P_LT) && is_punct(&v[ne - 1], P_GT)) {
                size_t total = 0;
                for (size_t i = 1; i + 1 < ne; i++)
                    total += v[i].len + 1;
                char *b = kp_arena_alloc(&cx->arena, total + 1);
                if (b) {
                    for (size_t i = 1; i + 1 < ne; i++) {
                        if (i > 1 && (v[i].flags & PF_SPACE))
                            b[nl++] = ' ';
                        memcpy(b + nl, v[i].u.text, v[i].len);
                        nl += v[i].len;
                    }
                    nm = b;
                }
            }
            p->scratch.n = sb;
        }
    }
    if (!nm) {
        if (!stopped(p))
            perr(p, dir, "#include expects \"FILENAME\" or <FILENAME>");
        skip_line(p, f);
        return;
    }
    skip_line(p, f);
    char *name = kp_arena_strndup(&cx->arena, nm, nl);
    if (!name) {
        fe_nomem(cx);
        return;
    }
    size_t len = 0;
    const char *text = fe_std_header(name, &len);
    int trusted = text != NULL;
    if (!text && cx->headers)
        text = cx->headers(cx->headers_ud, name, &len);
    if (!text || memchr(name, 0, nl)) {
        perr(p, dir, "header not found: <%s>", name);
        return;
    }
    unsigned idx;
    for (idx = 1; idx < cx->nfiles; idx++)
        if (cx->files[idx].src == text && strlen(cx->files[idx].name) == nl + 2 &&
            memcmp(cx->files[idx].name + 1, name, nl) == 0)
            break;
    if (idx == cx->nfiles) {
        if (cx->nfiles >= sizeof cx->files / sizeof cx->files[0]) {
            fe_error(cx, KP_ERR_LIMIT, dir->file, (int)dir->line, (int)dir->col,
                     "too many different included files");
            return;
        }
        char *fname = kp_arena_alloc(&cx->arena, nl + 3);
        if (!fname) {
            fe_nomem(cx);
            return;
        }
        fname[0] = '<';
        memcpy(fname + 1, name, nl);
        fname[nl + 1] = '>';
        cx->files[idx].name = fname;
        cx->files[idx].src = text;
        cx->files[idx].len = len;
        cx->nfiles++;
    }
    if (p->once[idx])
        return;
    if (p->guard[idx]) {
        pp_macro *g = macro_find(p, p->guard[idx], p->guardlen[idx],
                                 fe_lex_hash(p->guard[idx], p->guardlen[idx]));
        if (g && g->defined)
            return;
    }
    if (p->nf >= MAX_INCLUDE_DEPTH) {
        fe_error(cx, KP_ERR_LIMIT, dir->file, (int)dir->line, (int)dir->col,
                 "#include nested deeper than %d", MAX_INCLUDE_DEPTH);
        return;
    }
    if (!fe_enter(cx, dir->file, (int)dir->line, (int)dir->col))
        return;
    if (push_file(p, idx, 1) < 0) {
        fe_leave(cx);
        return;
    }
    p->files[p->nf - 1]->trusted = trusted;
}

/* Something outside the include guard's #ifndef ... #endif. */
static void mi_invalidate(pp_file *f)
{
    if (f->mi_state != 1)
        f->mi_state = 3;
}

/* `#define NAME ...` in a trusted header: remember where it is. */
static int lazy_define(pp *p, pp_file *f)
{
    if (f->hc) {
        /* ci is just after the '#' */
        unsigned k = f->ci ? f->hc->def[f->ci - 1] : 0;
        if (!k)
            return 0;
        const pp_cdef *d = &f->hc->defs[k - 1];
        pp_macro *m = macro_get(p, d->name, d->len, d->hash);
        if (!m)
            return 1;
        m->lazy = 1;
        m->lazy_file = f->lx.file;
        m->lazy_src = f->hc->src;
        m->lazy_pos = d->pos;
        m->lazy_len = (uint32_t)f->hc->len;
        m->defined = 1;
        m->builtin = 0;
        f->ci = d->next;
        return 1;
    }
    const char *s = f->lx.src;
    size_t n = f->lx.len, q = f->lx.pos;
    if (n - q < 8 || memcmp(s + q, "define ", 7) != 0)
        return 0;
    size_t b = q + 7, e = b;
    uint32_t h = 2166136261u; /* fe_lex_hash, computed on the way */
    for (; e < n; e++) {
        unsigned char c = (unsigned char)s[e];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            break;
        h = (h ^ c) * 16777619u;
    }
    if (e == b || e >= n || (s[e] != ' ' && s[e] != '(' && s[e] != '\n'))
        return 0;
    pp_macro *m = macro_get(p, s + b, e - b, h);
    if (!m)
        return 1;
    m->lazy = 1;
    m->lazy_file = f->lx.file;
    m->lazy_src = s;
    m->lazy_pos = (uint32_t)(q + 6);
    m->lazy_len = (uint32_t)n;
    m->defined = 1;
    m->builtin = 0;
    const char *nl = memchr(s + e, '\n', n - e);
    f->lx.pos = nl ? (size_t)(nl - s) : n;
    return 1;
}

static void do_define(pp *p, pp_file *f, const pp_tok *dir);

static void materialize(pp *p, pp_macro *m)
{
    pp_file tmp;
    memset(&tmp, 0, sizeof tmp);
    m->lazy = 0;
    m->nbody = 0;
    fe_lex_init(&tmp.lx, p->cx, m->lazy_file, m->lazy_src, m->lazy_len);
    tmp.lx.pos = m->lazy_pos;
    tmp.lx.bol = 0;
    tmp.mi_state = 3;
    pp_tok dir;
    memset(&dir, 0, sizeof dir);
    dir.file = m->lazy_file;
    dir.line = 1;
    dir.col = 1;
    do_define(p, &tmp, &dir);
}

static void directive(pp *p, pp_file *f, const pp_tok *hash)
{
    pp_tok d;
    if (f->trusted && !skipping(p) && lazy_define(p, f))
        return;
    if (!line_tok(p, f, &d))
        return; /* the null directive */
    int skip = skipping(p);
    if (d.kind != PK_IDENT) {
        if (!skip && d.kind != PK_NUM) /* `# 12 "file"` line markers are ignored */
            perr(p, &d, "invalid preprocessing directive");
        mi_invalidate(f);
        skip_line(p, f);
        return;
    }
    const char *s = d.u.text;
    size_t n = d.len;
#define IS(w) (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)
    if (IS("if") || IS("ifdef") || IS("ifndef")) {
        int state;
        if (skip) {
            state = C_DONE;
            skip_line(p, f);
        } else if (IS("if")) {
            if (f->mi_state == 0)
                mi_invalidate(f);
            state = eval_if(p, f, &d) ? C_ACTIVE : C_SEEK;
        } else {
            pp_tok nm;
            int v = 0;
            if (!line_tok(p, f, &nm) || nm.kind != PK_IDENT) {
                perr(p, &d, "macro names must be identifiers");
            } else {
                v = is_defined(p, &nm);
                if (IS("ifndef") && f->mi_state == 0 && p->ncond == f->cond_base) {
                    f->mi_state = 1;
                    f->mi_cond = p->ncond;
                    f->mi_name = nm.u.text;
                    f->mi_len = nm.len;
                } else if (f->mi_state != 1) {
                    mi_invalidate(f);
                }
            }
            skip_line(p, f);
            state = (IS("ifdef") ? v : !v) ? C_ACTIVE : C_SEEK;
        }
        cond_push(p, &d, state);
    } else if (IS("elif") || IS("else")) {
        if (p->ncond <= f->cond_base) {
            perr(p, &d, "#%.*s without #if", (int)n, s);
            skip_line(p, f);
        } else {
            pp_cond *c = &p->conds[p->ncond - 1];
            if (f->mi_state == 1 && f->mi_cond == p->ncond - 1)
                f->mi_state = 3;
            if (c->had_else)
                perr(p, &d, "#%.*s after #else", (int)n, s);
            if (IS("else")) {
                c->had_else = 1;
                c->state = c->state == C_SEEK ? C_ACTIVE : C_DONE;
                skip_line(p, f);
            } else if (c->state == C_SEEK) {
                /* evaluated with the enclosing groups active */
                c->state = C_DONE;
                p->ncond--;
                int v = eval_if(p, f, &d);
                p->ncond++;
                c = &p->conds[p->ncond - 1];
                c->state = v ? C_ACTIVE : C_SEEK;
            } else {
                c->state = C_DONE;
                skip_line(p, f);
            }
        }
    } else if (IS("endif")) {
        if (p->ncond <= f->cond_base) {
            perr(p, &d, "#endif without #if");
        } else {
            p->ncond--;
            if (f->mi_state == 1 && f->mi_cond == p->ncond)
                f->mi_state = 2;
        }
        skip_line(p, f);
    } else if (skip) {
        skip_line(p, f);
    } else {
        mi_invalidate(f);
        if (IS("define")) {
            do_define(p, f, &d);
        } else if (IS("undef")) {
            pp_tok nm;
            if (!line_tok(p, f, &nm) || nm.kind != PK_IDENT) {
                perr(p, &d, "macro names must be identifiers");
            } else {
                pp_macro *m = macro_find(p, nm.u.text, nm.len, nm.hash);
                if (m)
                    m->defined = m->lazy = 0;
            }
            skip_line(p, f);
        } else if (IS("include")) {
            do_include(p, f, &d);
        } else if (IS("error")) {
            const char *msg;
            size_t ml;
            if (f->hc) {
                msg = "";
                ml = 0;
                skip_line(p, f);
            } else {
                fe_lex_rest_of_line(&f->lx, &msg, &ml);
            }
            perr(p, hash, "#error %.*s", (int)(ml > 300 ? 300 : ml), msg);
        } else if (IS("warning") || IS("line") || IS("ident") || IS("sccs")) {
            const char *msg;
            size_t ml;
            if (f->hc)
                skip_line(p, f);
            else
                fe_lex_rest_of_line(&f->lx, &msg, &ml);
        } else if (IS("pragma")) {
            pp_tok w;
            if (line_tok(p, f, &w) && tok_is(&w, "once"))
                p->once[f->lx.file] = 1;
            skip_line(p, f);
        } else {
            perr(p, &d, "invalid preprocessing directive #%.*s", (int)(n > 40 ? 40 : n), s);
            skip_line(p, f);
        }
    }
#undef IS
    f->lx.skipping = (uint8_t)skipping(p);
}

/* The common case of src_next for a token t just read from f: not a
 * directive, not the end, not in a false group. Returns 0 (and changes
 * nothing) otherwise. */
static inline int src_plain(pp *p, pp_file *f, const pp_tok *t)
{
    if (t->kind == PK_EOF || ((t->flags & PF_BOL) && is_punct(t, P_HASH)) ||
        (p->ncond && p->conds[p->ncond - 1].state != C_ACTIVE))
        return 0;
    p->nsource++;
    if (f->mi_state != 1)
        f->mi_state = 3;
    return 1;
}

/* src_next, when `have`: with t already read from the top file. */
static void src_next_from(pp *p, pp_tok *t, int have)
{
    for (;;) {
        pp_file *f = p->files[p->nf - 1];
        if (!have) {
            if (stopped(p)) {
                memset(t, 0, sizeof *t);
                return;
            }
            file_next(f, t);
        }
        have = 0;
        if (t->kind == PK_EOF) {
            if (p->ncond > f->cond_base) {
                pp_cond *c = &p->conds[f->cond_base];
                pp_tok at = {0};
                at.file = c->file;
                at.line = c->line;
                at.col = c->col;
                perr(p, &at, "unterminated conditional directive");
                p->ncond = f->cond_base;
            }
            if (p->nf == 1)
                return;
            if (f->mi_state == 2 && f->lx.file < 64) {
                p->guard[f->lx.file] = f->mi_name;
                p->guardlen[f->lx.file] = f->mi_len;
            }
            if (f->counted_depth)
                fe_leave(p->cx);
            p->nf--;
            p->files[p->nf - 1]->lx.skipping = (uint8_t)skipping(p);
            continue;
        }
        p->nsource++;
        if ((t->flags & PF_BOL) && is_punct(t, P_HASH)) {
            directive(p, f, t);
            continue;
        }
        if (f->mi_state != 1)
            f->mi_state = 3;
        if (p->ncond && p->conds[p->ncond - 1].state != C_ACTIVE)
            continue;
        return;
    }
}

static void src_next(pp *p, pp_tok *t)
{
    src_next_from(p, t, 0);
}

/* ---- macro expansion ------------------------------------------------- */

/* Push scratch[from..) reversed onto the pending stack above a marker that
 * re-enables m, with the position of the invocation. */
static int push_expansion(pp *p, pp_macro *m, const pp_tok *name, size_t from)
{
    size_t n = p->scratch.n - from;
    if (charge(p, name, n + m->nbody + 1) < 0)
        return -1;
    if (vec_reserve(p, &p->pend, n + 1) < 0)
        return -1;
    pp_tok mk = *name;
    mk.kind = PK_MARKER;
    mk.u.mac = m;
    p->pend.v[p->pend.n++] = mk;
    for (size_t i = n; i-- > 0;) {
        pp_tok *t = &p->pend.v[p->pend.n++];
        *t = p->scratch.v[from + i];
        t->file = name->file;
        t->line = name->line;
        t->col = name->col;
        t->flags &= (uint8_t)~PF_BOL;
    }
    if (n)
        p->pend.v[p->pend.n - 1].flags =
            (uint8_t)((p->pend.v[p->pend.n - 1].flags & ~PF_SPACE) | (name->flags & PF_SPACE));
    m->disabled = 1;
    return 0;
}

static int stringize(pp *p, size_t s, size_t e, const pp_tok *at, pp_tok *out)
{
    size_t need = 3;
    for (size_t i = s; i < e; i++)
        need += 1 + 2 * (size_t)p->scratch.v[i].len;
    if (charge(p, at, need / 16) < 0)
        return -1;
    char *b = kp_arena_alloc(&p->cx->arena, need);
    if (!b) {
        fe_nomem(p->cx);
        return -1;
    }
    size_t k = 0;
    b[k++] = '"';
    for (size_t i = s; i < e; i++) {
        const pp_tok *t = &p->scratch.v[i];
        if (i > s && (t->flags & (PF_SPACE | PF_BOL)))
            b[k++] = ' ';
        int q = t->kind == PK_STR || t->kind == PK_CHAR;
        for (uint32_t j = 0; j < t->len; j++) {
            char c = t->u.text[j];
            if (q && (c == '"' || c == '\\'))
                b[k++] = '\\';
            b[k++] = c;
        }
    }
    b[k++] = '"';
    memset(out, 0, sizeof *out);
    out->kind = PK_STR;
    out->file = at->file;
    out->line = at->line;
    out->col = at->col;
    out->u.text = b;
    out->len = (uint32_t)k;
    return 0;
}

static int paste(pp *p, const pp_tok *l, const pp_tok *r, pp_tok *out)
{
    if (l->kind == PK_PLACEMARKER) {
        *out = *r;
        return 0;
    }
    if (r->kind == PK_PLACEMARKER) {
        *out = *l;
        return 0;
    }
    size_t n = (size_t)l->len + r->len;
    char *b = kp_arena_alloc(&p->cx->arena, n + 1);
    if (!b) {
        fe_nomem(p->cx);
        return -1;
    }
    memcpy(b, l->u.text, l->len);
    memcpy(b + l->len, r->u.text, r->len);
    fe_lexer lx;
    fe_lex_init(&lx, p->cx, l->file, b, n);
    lx.quiet = 1;
    pp_tok t2;
    int k = fe_lex_next(&lx, out);
    int k2 = fe_lex_next(&lx, &t2);
    if (lx.failed || k == PK_EOF || k2 != PK_EOF || (out->flags & PF_SPACE) || out->len != n) {
        perr(p, l, "pasting \"%.*s\" and \"%.*s\" does not give a valid preprocessing token",
             (int)(l->len > 40 ? 40 : l->len), l->u.text, (int)(r->len > 40 ? 40 : r->len),
             r->u.text);
        return -1;
    }
    out->flags = l->flags & PF_SPACE;
    out->file = l->file;
    out->line = l->line;
    out->col = l->col;
    return 0;
}

/* Fully macro-expand scratch[s..e) in isolation, appending the result. */
static int expand_arg(pp *p, size_t s, size_t e, const pp_tok *at)
{
    if (!fe_enter(p->cx, at->file, (int)at->line, (int)at->col))
        return -1;
    size_t pbase = p->pend.n;
    int rc = 0;
    if (charge(p, at, e - s) < 0 || vec_reserve(p, &p->pend, e - s + 1) < 0) {
        fe_leave(p->cx);
        return -1;
    }
    pp_tok bar = *at;
    bar.kind = PK_BARRIER;
    p->pend.v[p->pend.n++] = bar;
    for (size_t i = e; i-- > s;)
        p->pend.v[p->pend.n++] = p->scratch.v[i];
    pp_tok t;
    while (expand_next(p, &t) != PK_EOF)
        if (vec_push(p, &p->scratch, &t) < 0) {
            rc = -1;
            break;
        }
    if (stopped(p))
        rc = -1;
    pend_truncate(p, pbase);
    fe_leave(p->cx);
    return rc;
}

static int substitute(pp *p, pp_macro *m, const pp_tok *name, size_t ibase);

/* Invoke function-like m; the '(' has been read. */
static int expand_call(pp *p, pp_macro *m, const pp_tok *name)
{
    size_t sbase = p->scratch.n, ibase = p->nib;
    unsigned nargs = 0;
    int depth = 0, rc = -1;
    size_t start = p->scratch.n;
    /* ib holds 4 words per argument: raw start, raw end, expanded start, end */
    for (;;) {
        pp_tok a;
        tok_next(p, &a);
        if (a.kind == PK_EOF) {
            if (!stopped(p))
                perr(p, name, "unterminated argument list invoking macro '%.*s'",
                     (int)m->len, m->name);
            goto out;
        }
        if (a.kind == PK_PUNCT) {
            if (a.id == P_LPAREN) {
                depth++;
            } else if (a.id == P_RPAREN && depth-- == 0) {
                break;
            } else if (a.id == P_COMMA && depth == 0 &&
                       !(m->variadic && nargs + 1 >= m->nparams)) {
                if (ib_push(p, (uint32_t)start) < 0 || ib_push(p, (uint32_t)p->scratch.n) < 0 ||
                    ib_push(p, 0) < 0 || ib_push(p, 0) < 0)
                    goto out;
                nargs++;
                start = p->scratch.n;
                continue;
            }
        }
        if (a.flags & PF_BOL)
            a.flags = (uint8_t)((a.flags & ~PF_BOL) | PF_SPACE);
        if (start == p->scratch.n)
            a.flags &= (uint8_t)~PF_SPACE;
        if (vec_push(p, &p->scratch, &a) < 0)
            goto out;
    }
    if (!(nargs == 0 && start == p->scratch.n && m->nparams == 0)) {
        if (ib_push(p, (uint32_t)start) < 0 || ib_push(p, (uint32_t)p->scratch.n) < 0 ||
            ib_push(p, 0) < 0 || ib_push(p, 0) < 0)
            goto out;
        nargs++;
    }
    if (m->variadic && nargs + 1 == m->nparams) {
        if (ib_push(p, (uint32_t)p->scratch.n) < 0 || ib_push(p, (uint32_t)p->scratch.n) < 0 ||
            ib_push(p, 0) < 0 || ib_push(p, 0) < 0)
            goto out;
        nargs++;
    }
    if (nargs != m->nparams) {
        perr(p, name, "macro '%.*s' takes %u argument%s, but %u given", (int)m->len, m->name,
             m->nparams, m->nparams == 1 ? "" : "s", nargs);
        goto out;
    }
    rc = substitute(p, m, name, ibase);
out:
    p->scratch.n = sbase;
    p->nib = ibase;
    return rc;
}

/* Replace m's body (arguments at ib[ibase..]) and push the result. */
static int substitute(pp *p, pp_macro *m, const pp_tok *name, size_t ibase)
{
    int rc = -1;
    size_t sbase = p->scratch.n;
    if (charge(p, name, m->nbody) < 0)
        goto out;
    const pp_tok *body = m->body;
    uint32_t nb = m->nbody;
    /* Pre-expand the arguments used outside # and ##. */
    for (uint32_t i = 0; i < nb; i++) {
        if (body[i].kind != PK_PARAM)
            continue;
        if ((i > 0 && is_punct(&body[i - 1], P_HASH)) ||
            (i > 0 && is_punct(&body[i - 1], P_HASHHASH)) ||
            (i + 1 < nb && is_punct(&body[i + 1], P_HASHHASH)))
            continue;
        uint32_t *a = &p->ib[ibase + 4 * (size_t)body[i].id];
        if (a[3])
            continue;
        uint32_t es = (uint32_t)p->scratch.n;
        if (expand_arg(p, a[0], a[1], name) < 0)
            goto out;
        a = &p->ib[ibase + 4 * (size_t)body[i].id];
        a[2] = es;
        a[3] = (uint32_t)p->scratch.n + 1; /* +1: 0 means not expanded */
    }
    /* Substitute. */
    size_t obase = p->scratch.n;
    for (uint32_t i = 0; i < nb; i++) {
        const pp_tok *bt = &body[i];
        pp_tok st;
        if (is_punct(bt, P_HASH) && i + 1 < nb && body[i + 1].kind == PK_PARAM) {
            uint32_t *a = &p->ib[ibase + 4 * (size_t)body[i + 1].id];
            if (stringize(p, a[0], a[1], name, &st) < 0)
                goto out;
            st.flags = bt->flags & PF_SPACE;
            if (vec_push(p, &p->scratch, &st) < 0)
                goto out;
            i++;
            continue;
        }
        if (bt->kind == PK_PARAM) {
            uint32_t *a = &p->ib[ibase + 4 * (size_t)bt->id];
            int pasted = (i > 0 && is_punct(&body[i - 1], P_HASHHASH)) ||
                         (i + 1 < nb && is_punct(&body[i + 1], P_HASHHASH));
            size_t s = pasted ? a[0] : a[2], e = pasted ? a[1] : a[3] - 1;
            if (s == e) {
                if (pasted) {
                    memset(&st, 0, sizeof st);
                    st.kind = PK_PLACEMARKER;
                    if (vec_push(p, &p->scratch, &st) < 0)
                        goto out;
                }
                continue;
            }
            if (vec_reserve(p, &p->scratch, e - s) < 0)
                goto out;
            size_t o = p->scratch.n;
            memcpy(p->scratch.v + o, p->scratch.v + s, (e - s) * sizeof(pp_tok));
            p->scratch.n += e - s;
            p->scratch.v[o].flags =
                (uint8_t)((p->scratch.v[o].flags & ~PF_SPACE) | (bt->flags & PF_SPACE));
            continue;
        }
        if (is_punct(bt, P_HASHHASH) && i + 1 < nb) {
            const pp_tok *rt = &body[++i];
            pp_tok rhs, lhs;
            size_t rest_s = 0, rest_e = 0;
            if (rt->kind == PK_PARAM) {
                uint32_t *a = &p->ib[ibase + 4 * (size_t)rt->id];
                /* GNU: `, ## __VA_ARGS__` drops the comma when there are none */
                if (m->variadic && rt->id == m->nparams - 1 && p->scratch.n > obase &&
                    is_punct(&p->scratch.v[p->scratch.n - 1], P_COMMA)) {
                    if (a[0] == a[1]) {
                        p->scratch.n--;
                    } else {
                        if (vec_reserve(p, &p->scratch, a[1] - a[0]) < 0)
                            goto out;
                        memcpy(p->scratch.v + p->scratch.n, p->scratch.v + a[0],
                               (a[1] - a[0]) * sizeof(pp_tok));
                        p->scratch.n += a[1] - a[0];
                    }
                    continue;
                }
                if (a[0] == a[1]) {
                    memset(&rhs, 0, sizeof rhs);
                    rhs.kind = PK_PLACEMARKER;
                } else {
                    rhs = p->scratch.v[a[0]];
                    rest_s = a[0] + 1;
                    rest_e = a[1];
                }
            } else if (is_punct(rt, P_HASH) && i + 1 < nb && body[i + 1].kind == PK_PARAM) {
                uint32_t *a = &p->ib[ibase + 4 * (size_t)body[i + 1].id];
                if (stringize(p, a[0], a[1], name, &rhs) < 0)
                    goto out;
                i++;
            } else {
                rhs = *rt;
            }
            if (p->scratch.n > obase) {
                lhs = p->scratch.v[--p->scratch.n];
            } else {
                memset(&lhs, 0, sizeof lhs);
                lhs.kind = PK_PLACEMARKER;
            }
            if (paste(p, &lhs, &rhs, &st) < 0)
                goto out;
            if (vec_push(p, &p->scratch, &st) < 0)
                goto out;
            if (rest_e > rest_s) {
                if (vec_reserve(p, &p->scratch, rest_e - rest_s) < 0)
                    goto out;
                memcpy(p->scratch.v + p->scratch.n, p->scratch.v + rest_s,
                       (rest_e - rest_s) * sizeof(pp_tok));
                p->scratch.n += rest_e - rest_s;
            }
            continue;
        }
        if (vec_push(p, &p->scratch, bt) < 0)
            goto out;
    }
    /* Drop placemarkers. */
    size_t w = obase;
    for (size_t r = obase; r < p->scratch.n; r++)
        if (p->scratch.v[r].kind != PK_PLACEMARKER)
            p->scratch.v[w++] = p->scratch.v[r];
    p->scratch.n = w;
    rc = push_expansion(p, m, name, obase);
out:
    p->scratch.n = sbase;
    return rc;
}

static void builtin(pp *p, pp_macro *m, pp_tok *t)
{
    char buf[32];
    const char *s = buf;
    size_t n;
    if (m->builtin == BI_LINE) {
        n = (size_t)snprintf(buf, sizeof buf, "%u", (unsigned)t->line);
        t->kind = PK_NUM;
    } else {
        const char *fn = t->file < p->cx->nfiles ? p->cx->files[t->file].name : NULL;
        if (!fn)
            fn = "?";
        size_t fl = strlen(fn);
        char *b = kp_arena_alloc(&p->cx->arena, 2 * fl + 3);
        if (!b) {
            fe_nomem(p->cx);
            t->kind = PK_EOF;
            return;
        }
        n = 0;
        b[n++] = '"';
        for (size_t i = 0; i < fl; i++) {
            if (fn[i] == '"' || fn[i] == '\\')
                b[n++] = '\\';
            b[n++] = fn[i];
        }
        b[n++] = '"';
        s = b;
        t->kind = PK_STR;
    }
    if (s == buf) {
        char *b = kp_arena_strndup(&p->cx->arena, buf, n);
        if (!b) {
            fe_nomem(p->cx);
            t->kind = PK_EOF;
            return;
        }
        s = b;
    }
    t->u.text = s;
    t->len = (uint32_t)n;
}

static int expand_next(pp *p, pp_tok *t)
{
    for (;;) {
        tok_next(p, t);
        if (t->kind != PK_IDENT || (t->flags & PF_NOEXPAND))
            return t->kind;
        if (p->in_if && t->len == 7 && memcmp(t->u.text, "defined", 7) == 0) {
            pp_tok n;
            int paren = 0;
            tok_next(p, &n);
            if (is_punct(&n, P_LPAREN)) {
                paren = 1;
                tok_next(p, &n);
            }
            int v = 0;
            if (n.kind != PK_IDENT) {
                perr(p, t, "operator \"defined\" requires an identifier");
            } else {
                v = is_defined(p, &n);
                if (paren) {
                    tok_next(p, &n);
                    if (!is_punct(&n, P_RPAREN))
                        perr(p, t, "missing ')' after \"defined\"");
                }
            }
            t->kind = PK_NUM;
            t->u.text = v ? "1" : "0";
            t->len = 1;
            return t->kind;
        }
        if (!bloom_has(p, t->hash))
            return t->kind;
        pp_macro *m = macro_find(p, t->u.text, t->len, t->hash);
        if (!m || !m->defined)
            return t->kind;
        if (m->lazy)
            materialize(p, m);
        if (m->disabled) {
            t->flags |= PF_NOEXPAND;
            return t->kind;
        }
        if (m->builtin) {
            builtin(p, m, t);
            return t->kind;
        }
        if (!m->funclike && m->has_paste) {
            pp_tok name = *t;
            if (substitute(p, m, &name, p->nib) < 0 && stopped(p))
                return PK_EOF;
            continue;
        }
        if (!m->funclike) {
            size_t from = p->scratch.n;
            if (vec_reserve(p, &p->scratch, m->nbody) < 0)
                return PK_EOF;
            if (m->nbody)
                memcpy(p->scratch.v + from, m->body, m->nbody * sizeof(pp_tok));
            p->scratch.n += m->nbody;
            int rc = push_expansion(p, m, t, from);
            p->scratch.n = from;
            if (rc < 0)
                return PK_EOF;
            continue;
        }
        pp_tok nx;
        tok_next(p, &nx);
        if (!is_punct(&nx, P_LPAREN)) {
            if (nx.kind != PK_EOF && vec_push(p, &p->pend, &nx) < 0)
                return PK_EOF;
            return t->kind;
        }
        pp_tok name = *t;
        if (expand_call(p, m, &name) < 0 && stopped(p))
            return PK_EOF;
    }
}

/* ---- predefined macros and the driver ---------------------------------- */

static const char predefined[] =
    "#define __kplug__ 1\n"
    "#define __STDC__ 1\n"
    "#define __STDC_VERSION__ 201112L\n"
    "#define __STDC_HOSTED__ 0\n"
    "#define __STDC_NO_VLA__ 1\n"
    "#define __STDC_NO_ATOMICS__ 1\n"
    "#define __STDC_NO_COMPLEX__ 1\n"
    "#define __STDC_NO_THREADS__ 1\n"
    "#define __CHAR_BIT__ 8\n"
    "#define __SIZEOF_POINTER__ 4\n"
    "#define __SIZEOF_INT__ 4\n"
    "#define __SIZEOF_LONG__ 8\n"
    "#define __SIZEOF_LONG_LONG__ 8\n"
    "#define __SIZEOF_SHORT__ 2\n"
    "#define __SIZEOF_FLOAT__ 4\n"
    "#define __SIZEOF_DOUBLE__ 8\n"
    "#define __SIZEOF_SIZE_T__ 4\n"
    "#define __SCHAR_MAX__ 127\n"
    "#define __SHRT_MAX__ 32767\n"
    "#define __INT_MAX__ 2147483647\n"
    "#define __LONG_MAX__ 9223372036854775807L\n"
    "#define __LONG_LONG_MAX__ 9223372036854775807LL\n"
    "#define __SIZE_MAX__ 4294967295U\n"
    "#define __ORDER_LITTLE_ENDIAN__ 1234\n"
    "#define __ORDER_BIG_ENDIAN__ 4321\n"
    "#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__\n";
static const size_t predefined_len = sizeof predefined - 1;

static int init(pp *p, fe_ctx *cx)
{
    p->cx = cx;
    p->tabsz = 256;
    p->tab = kp_arena_alloc(&cx->arena, p->tabsz * sizeof *p->tab);
    if (!p->tab)
        return -1;
    static const struct { const char *name; int kind; } bi[] = {
        {"__LINE__", BI_LINE}, {"__FILE__", BI_FILE}};
    for (size_t i = 0; i < sizeof bi / sizeof bi[0]; i++) {
        size_t bl = strlen(bi[i].name);
        pp_macro *m = macro_get(p, bi[i].name, bl, fe_lex_hash(bi[i].name, bl));
        if (!m)
            return -1;
        m->builtin = (uint8_t)bi[i].kind;
        m->defined = 1;
    }
    /* The main file at the bottom of the include stack, the predefined
     * macros above it (they only hold directives, so their position never
     * shows in a token). */
    if (push_file(p, 0, 0) < 0)
        return -1;
    pp_file *f = new_file(p);
    if (!f)
        return -1;
    fe_lex_init(&f->lx, cx, 0, predefined, sizeof predefined - 1);
    f->hc = hcache_find(predefined);
    f->cond_base = 0;
    f->mi_state = 3;
    f->trusted = 1;
    return 0;
}

/* fe_lex_run for a built-in header: its ordinary tokens straight to the
 * output, until one that needs more (returned in *t: 1) or the end (0). */
static int cache_run(pp *p, pp_file *f, pp_tok *t)
{
    const pp_hcache *hc = f->hc;
    const pp_tok *v = hc->toks;
    uint32_t i = f->ci, n = hc->ntoks;
    uint8_t file = f->lx.file;
    size_t room = p->capout - p->nout, k = 0;
    if (room > (size_t)UINT32_MAX - 2 - p->nout)
        room = (size_t)UINT32_MAX - 2 - p->nout;
    fe_token *out = p->out + p->nout;
    int have = 0;
    while (i < n && k < room) {
        const pp_tok *c = &v[i];
        int kind;
        if (c->kind == PK_PUNCT && !((c->flags & PF_BOL) && c->id == P_HASH))
            kind = TK_PUNCT;
        else if (c->kind == PK_IDENT && !bloom_has(p, c->hash))
            kind = c->id ? TK_KEYWORD : TK_IDENT;
        else {
            *t = *c;
            t->file = file;
            i++;
            have = 1;
            break;
        }
        fe_token *o = &out[k++];
        o->kind = (uint8_t)kind;
        o->file = file;
        o->id = c->id;
        o->line = c->line;
        o->col = c->col;
        o->text = c->u.text;
        o->len = c->len;
        memset(&o->u, 0, sizeof o->u);
        i++;
    }
    f->ci = i;
    if (k) {
        p->nout += k;
        p->nsource += k;
        if (f->mi_state != 1)
            f->mi_state = 3;
    }
    return have;
}

static fe_token *out_grow(pp *p)
{
    /* The arena block guessed at the start was too small: continue in
     * malloc'd memory (copied back to the arena at the end). */
    size_t nc = p->capout * 2 + 256;
    fe_token *n = NULL;
    if (nc < ((size_t)1 << 40) / sizeof *n)
        n = p->out_malloced ? realloc(p->out, nc * sizeof *n) : malloc(nc * sizeof *n);
    if (!n) {
        fe_nomem(p->cx);
        return NULL;
    }
    if (!p->out_malloced && p->nout)
        memcpy(n, p->out, p->nout * sizeof *n);
    p->out = n;
    p->capout = nc;
    p->out_malloced = 1;
    return &p->out[p->nout++];
}

static inline fe_token *out_push(pp *p)
{
    if (__builtin_expect(p->nout == p->capout, 0))
        return out_grow(p);
    return &p->out[p->nout++];
}

/* Tokens the #include lines of src will likely add: the size of a built-in
 * header, a guess for others. A quick look at the raw text, so `#include`
 * in a comment counts too; only the size of the first allocation depends
 * on it. */
static size_t include_guess(const char *s, size_t n)
{
    size_t extra = 0;
    const char *e = s + n, *q = s;
    while (q < e && (q = memchr(q, '#', (size_t)(e - q))) != NULL) {
        const char *r = ++q;
        while (r < e && (*r == ' ' || *r == '\t'))
            r++;
        if (e - r < 7 || memcmp(r, "include", 7) != 0)
            continue;
        r += 7;
        while (r < e && (*r == ' ' || *r == '\t'))
            r++;
        size_t add = 256, len;
        char name[32];
        if (r < e && *r == '<') {
            const char *b = ++r;
            while (r < e && *r != '>' && *r != '\n' && r - b < (ptrdiff_t)sizeof name - 1)
                r++;
            memcpy(name, b, (size_t)(r - b));
            name[r - b] = 0;
            const char *text = r < e && *r == '>' ? fe_std_header(name, &len) : NULL;
            const pp_hcache *hc = text ? hcache_find(text) : NULL;
            if (hc)
                add = hc->nplain;
        }
        extra += add;
        q = r;
    }
    return extra;
}

int fe_preprocess(fe_ctx *cx, fe_token **toks, uint32_t *ntoks)
{
    *toks = NULL;
    *ntoks = 0;
    /* Build the header cache (once) before the arena's first chunk, so
     * that its long-lived blocks do not sit between a compilation's chunks
     * in the malloc heap. */
    (void)hcache_find(NULL);
    pp *p = kp_arena_alloc(&cx->arena, sizeof *p);
    if (!p || init(p, cx) < 0) {
        fe_nomem(cx);
        return -1;
    }
    /* Reserve the likely output at once rather than copying while growing;
     * not zeroed: every token pushed is written whole. */
    size_t guess = cx->files[0].len / 3 + 32 + include_guess(cx->files[0].src, cx->files[0].len);
    if (guess > ((size_t)1 << 22))
        guess = (size_t)1 << 22;
    if (cx->arena.budget) {
        size_t room = cx->arena.budget > cx->arena.used_total
                          ? (cx->arena.budget - cx->arena.used_total) / 4 / sizeof(fe_token)
                          : 0;
        if (guess > room)
            guess = room;
    }
    p->out = guess ? kp_arena_alloc_raw(&cx->arena, guess * sizeof(fe_token)) : NULL;
    p->capout = p->out ? guess : 0;
    pp_tok t, held;
    int have_held = 0;
    size_t next_poll = PP_RUN_MAX;
    unsigned iters = 0;
    for (;;) {
        if ((++iters == PP_POLL_ITERS || p->nout >= next_poll) && p->nout) {
            iters = 0;
            next_poll = p->nout + PP_RUN_MAX;
            const fe_token *last = &p->out[p->nout - 1];
            if (!fe_poll(cx, last->file, (int)last->line, (int)last->col))
                break;
        }
        if (have_held) {
            t = held;
            have_held = 0;
        } else if (p->pend.n == 0 && !stopped(p)) {
            /* Straight from the file: an identifier goes through
             * expand_next (via the pending stack, as if tok_next had read
             * it) only if it may name a macro. */
            pp_file *f = p->files[p->nf - 1];
            int have = 0;
            if (!f->hc && p->nout < p->capout &&
                !(p->ncond && p->conds[p->ncond - 1].state != C_ACTIVE)) {
                /* Runs of ordinary tokens go straight to the output. */
                size_t room = p->capout - p->nout;
                if (room > (size_t)UINT32_MAX - 2 - p->nout)
                    room = (size_t)UINT32_MAX - 2 - p->nout;
                /* Runs are bounded so that a huge file polls cx's cancel
                 * callback between them (a compile inside a plugin call
                 * stops at the call's deadline). */
                if (room > PP_RUN_MAX)
                    room = PP_RUN_MAX;
                size_t k = fe_lex_run(&f->lx, p->out + p->nout, room, p->maybe_macro,
                                      PP_BLOOM_BITS - 1, &t, &have);
                if (k) {
                    p->nout += k;
                    p->nsource += k;
                    if (f->mi_state != 1)
                        f->mi_state = 3;
                }
            }
            else if (f->hc && p->nout < p->capout &&
                     !(p->ncond && p->conds[p->ncond - 1].state != C_ACTIVE))
                have = cache_run(p, f, &t);
            if (!have)
                file_next(f, &t);
            if (!src_plain(p, f, &t))
                src_next_from(p, &t, 1);
            if (t.kind == PK_IDENT && !(t.flags & PF_NOEXPAND) && bloom_has(p, t.hash)) {
                if (vec_push(p, &p->pend, &t) < 0)
                    break;
                expand_next(p, &t);
            }
        } else {
            expand_next(p, &t);
        }
        if (t.kind == PK_EOF || stopped(p))
            break;
        fe_token *o = out_push(p);
        if (!o)
            break;
        if (t.kind == PK_STR) {
            memset(o, 0, sizeof *o);
            size_t sbase = p->scratch.n;
            if (vec_push(p, &p->scratch, &t) < 0)
                break;
            for (;;) {
                expand_next(p, &held);
                if (held.kind != PK_STR)
                    break;
                if (vec_push(p, &p->scratch, &held) < 0)
                    break;
            }
            have_held = 1;
            fe_lex_string(cx, p->scratch.v + sbase, p->scratch.n - sbase, o);
            p->scratch.n = sbase;
        } else if (t.kind == PK_IDENT || t.kind == PK_PUNCT) {
            /* fe_lex_convert inline for the common tokens (the lexer has
             * looked up the keyword already) */
            o->kind = t.kind == PK_PUNCT ? TK_PUNCT : t.id ? TK_KEYWORD : TK_IDENT;
            o->file = t.file;
            o->id = t.id;
            o->line = t.line;
            o->col = t.col;
            o->text = t.u.text;
            o->len = t.len;
            memset(&o->u, 0, sizeof o->u);
        } else {
            memset(o, 0, sizeof *o);
            fe_lex_convert(cx, &t, o);
        }
        if (p->nout > UINT32_MAX - 2) {
            fe_error(cx, KP_ERR_LIMIT, t.file, (int)t.line, (int)t.col, "too many tokens");
            break;
        }
    }
    int rc = -1;
    fe_token *o = cx->nerrors ? NULL : out_push(p);
    if (o) {
        memset(o, 0, sizeof *o);
        o->kind = TK_EOF;
        o->file = 0;
        o->line = p->files[0]->lx.line;
        o->col = (uint32_t)(p->files[0]->lx.len - p->files[0]->lx.line_start + 1);
        fe_token *arr = p->out;
        if (p->out_malloced) {
            arr = kp_arena_alloc(&cx->arena, p->nout * sizeof *arr);
            if (arr)
                memcpy(arr, p->out, p->nout * sizeof *arr);
        }
        if (!arr) {
            fe_nomem(cx);
        } else {
            *toks = arr;
            *ntoks = (uint32_t)p->nout;
            rc = 0;
        }
    }
    /* Unwind include nesting so cx->depth is balanced for the next stage. */
    while (p->nf > 1) {
        if (p->files[p->nf - 1]->counted_depth)
            fe_leave(cx);
        p->nf--;
    }
    free(p->pend.v);
    free(p->scratch.v);
    free(p->ib);
    free(p->conds);
    if (p->out_malloced)
        free(p->out);
    if (cx->nerrors) {
        *toks = NULL;
        *ntoks = 0;
        return -1;
    }
    return rc;
}

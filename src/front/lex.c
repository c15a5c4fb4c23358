/*
 * lex.c — the lexer: bytes of one file -> preprocessing tokens, and the
 * conversion of those tokens into the parser's fe_token (literal values,
 * keywords, string concatenation) once the preprocessor is done with them.
 *
 * The source is not NUL-terminated: every read is bounds-checked against
 * `len`. Line splices (backslash-newline) may appear anywhere; `sk` steps
 * over them, and a token that contained one gets a cleaned copy of its
 * spelling in the arena (rare), so the common path allocates nothing.
 * Lines are counted as whitespace is skipped (and, off the hot path, inside
 * comments and spliced tokens), so every token knows its line and column.
 *
 * Two layers: lex_fast takes the common tokens (no splice, comment, literal
 * or digraph) with the state in registers and never fails; lex_general
 * takes everything, restarting at the token lex_fast declined. Identifiers
 * carry their keyword (pp_tok.id) from here, so converting them is a copy.
 */
#include "lex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"

/* ---- names ------------------------------------------------------------- */

static const char *const kw_names[KW_COUNT] = {
    "?",
#define KW_NAME(e, s) s,
    FE_KEYWORDS(KW_NAME)
#undef KW_NAME
};

static const uint8_t kw_lens[KW_COUNT] = {
    0,
#define KW_LEN(e, s) sizeof(s) - 1,
    FE_KEYWORDS(KW_LEN)
#undef KW_LEN
};

static const char *const p_names[P_COUNT] = {
    "?",
#define P_NAME(e, s) s,
    FE_PUNCTS(P_NAME)
#undef P_NAME
};

const char *fe_keyword_name(int kw)
{
    return kw > 0 && kw < KW_COUNT ? kw_names[kw] : "?";
}

const char *fe_punct_name(int p)
{
    return p > 0 && p < P_COUNT ? p_names[p] : "?";
}

/* A perfect hash of the keywords (found by a small search script; the unit
 * test checks every keyword maps to itself, so a change to FE_KEYWORDS that
 * breaks it is caught): h = (12*s[0] + 20*s[2 or 1] + 7*s[n-1] + 2*n) & 127. */
static const uint8_t kw_hash[128] = {
    32, 19, 0, 10, 27, 0, 45, 0, 29, 0, 0, 0, 0, 0, 0, 6, 21, 39, 20, 0, 0, 34,
    0, 0, 0, 47, 0, 0, 44, 51, 35, 0, 0, 0, 49, 9, 0, 0, 0, 0, 0, 0, 13, 17, 0,
    1, 18, 40, 0, 0, 16, 0, 38, 0, 0, 46, 24, 26, 0, 41, 30, 0, 36, 0, 0, 0, 25,
    0, 31, 0, 23, 50, 0, 0, 0, 33, 37, 0, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0,
    12, 0, 0, 0, 4, 0, 0, 0, 7, 11, 0, 0, 0, 0, 0, 8, 43, 3, 0, 0, 0, 0, 0, 0,
    5, 2, 0, 15, 22, 0, 48, 0, 0, 42, 28, 0, 0, 0};

/* Inline in the lexer's fast path, which then calls nothing (cheap entry). */
static inline int kw_lookup(const char *s, size_t n)
{
    if (n < 2 || n > 14)
        return KW_NONE;
    const unsigned char *u = (const unsigned char *)s;
    unsigned h = (u[0] * 12u + u[n > 2 ? 2 : 1] * 20u + u[n - 1] * 7u + (unsigned)n * 2u) & 127;
    int k = kw_hash[h];
    if (!k || kw_lens[k] != n)
        return KW_NONE;
    const char *w = kw_names[k];
    for (size_t i = 0; i < n; i++)
        if (w[i] != s[i])
            return KW_NONE;
    return k;
}

int fe_lex_keyword(const char *s, size_t n)
{
    return kw_lookup(s, n);
}

/* ---- the lexer --------------------------------------------------------- */

void fe_lex_init(fe_lexer *lx, fe_ctx *cx, unsigned file, const char *src, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->cx = cx;
    lx->src = src;
    lx->len = src ? len : 0;
    lx->line = 1;
    lx->file = (uint8_t)file;
    lx->bol = 1;
}

static void lx_err(fe_lexer *lx, size_t pos, const char *fmt, const char *arg)
{
    if (lx->quiet) {
        lx->failed = 1;
        return;
    }
    fe_error(lx->cx, KP_ERR_COMPILE, lx->file, (int)lx->line,
             (int)(pos - lx->line_start + 1), fmt, arg);
}

static inline int at(const fe_lexer *lx, size_t p)
{
    return p < lx->len ? (unsigned char)lx->src[p] : -1;
}

/* Count the newlines of s in [b, e) into *line and *line_start (the
 * offset after the last one). */
static inline void lines_in(const char *s, size_t b, size_t e, uint32_t *line,
                            size_t *line_start)
{
    while (b < e) {
        const char *nl = memchr(s + b, '\n', e - b);
        if (!nl)
            break;
        b = (size_t)(nl - s) + 1;
        ++*line;
        *line_start = b;
    }
}

/* ... for the lexer (comments and splices: off the hot path) */
static void count_lines(fe_lexer *lx, size_t b, size_t e)
{
    lines_in(lx->src, b, e, &lx->line, &lx->line_start);
}

static size_t sk_slow(fe_lexer *lx, size_t p)
{
    const char *s = lx->src;
    while (p < lx->len && s[p] == '\\') {
        if (p + 1 < lx->len && s[p + 1] == '\n')
            p += 2;
        else if (p + 2 < lx->len && s[p + 1] == '\r' && s[p + 2] == '\n')
            p += 3;
        else
            break;
        lx->spliced = 1;
    }
    return p;
}

/* The position of the next character at or after p, stepping over splices. */
static inline size_t sk(fe_lexer *lx, size_t p)
{
    if (__builtin_expect(p < lx->len && lx->src[p] == '\\', 0))
        return sk_slow(lx, p);
    return p;
}

enum { CL_ID = 1, CL_DIGIT = 2, CL_WS = 4 /* may start whitespace or a comment */ };
static const uint8_t cls[256] = {
    ['a' ... 'z'] = CL_ID, ['A' ... 'Z'] = CL_ID, ['_'] = CL_ID, ['0' ... '9'] = CL_ID | CL_DIGIT,
    [' '] = CL_WS, ['\t'] = CL_WS, ['\n'] = CL_WS, ['\r'] = CL_WS, ['\f'] = CL_WS,
    ['\v'] = CL_WS, ['/'] = CL_WS, ['\\'] = CL_WS,
};

static inline int is_ident_start(int c)
{
    return c >= 0 && (cls[c] & (CL_ID | CL_DIGIT)) == CL_ID;
}

static inline int is_ident_char(int c)
{
    return c >= 0 && (cls[c] & CL_ID);
}

/* Skip whitespace and comments (stopping at a newline if stop_nl); return
 * PF_SPACE if any was seen. */
static int skip_ws(fe_lexer *lx, int stop_nl)
{
    const char *s = lx->src;
    size_t n = lx->len, p = lx->pos, q;
    int fl = 0;
    while (p < n) {
        switch (s[p]) {
        case ' ': case '\t': case '\f': case '\v': case '\r':
            p++;
            fl |= PF_SPACE;
            continue;
        case '\n':
            if (stop_nl)
                goto done;
            p++;
            lx->line++;
            lx->line_start = p;
            lx->bol = 1;
            fl |= PF_SPACE;
            continue;
        case '\\':
            q = sk(lx, p);
            if (q == p)
                goto done;
            count_lines(lx, p, q);
            p = q;
            continue;
        case '/':
            q = sk(lx, p + 1);
            if (q < n && s[q] == '/') {
                count_lines(lx, p, q);
                p = q + 1;
                for (;;) {
                    const char *e = memchr(s + p, '\n', n - p);
                    if (!e) {
                        p = n;
                        break;
                    }
                    p = (size_t)(e - s);
                    if (s[p - 1] == '\\' || (s[p - 1] == '\r' && p >= 2 && s[p - 2] == '\\')) {
                        p++;
                        lx->line++;
                        lx->line_start = p;
                        continue;
                    }
                    break; /* the newline itself is seen next round */
                }
                fl |= PF_SPACE;
                continue;
            }
            if (q < n && s[q] == '*') {
                size_t start = p;
                p = q + 1;
                for (;;) {
                    const char *e = p < n ? memchr(s + p, '*', n - p) : NULL;
                    if (!e) {
                        lx_err(lx, start, "unterminated comment%s", "");
                        p = n;
                        break;
                    }
                    p = (size_t)(e - s) + 1;
                    q = sk(lx, p);
                    if (q < n && s[q] == '/') {
                        p = q + 1;
                        break;
                    }
                }
                count_lines(lx, start, p);
                fl |= PF_SPACE;
                continue;
            }
            goto done;
        default:
            goto done;
        }
    }
done:
    lx->pos = p;
    return fl;
}

/* Scan a quoted literal whose opening quote is at q; returns the end. */
static size_t scan_quoted(fe_lexer *lx, size_t start, size_t q)
{
    const char *s = lx->src;
    size_t n = lx->len, p = q + 1;
    char qc = s[q];
    for (;;) {
        if (p >= n || s[p] == '\n') {
            if (!lx->skipping)
                lx_err(lx, start, qc == '"' ? "unterminated string literal%s"
                                            : "unterminated character constant%s", "");
            else
                lx->failed = 1;
            return p;
        }
        char c = s[p];
        if (c == qc)
            return p + 1;
        if (c == '\\') {
            size_t r = sk(lx, p);
            if (r != p) {
                p = r;
                continue;
            }
            p = sk(lx, p + 1);
            if (p < n && s[p] != '\n')
                p++;
            continue;
        }
        p++;
    }
}

/* The general lexer: every token, splices, comments, errors. fe_lex_next
 * handles the common tokens itself and comes here for the rest, with pos
 * at the token (or at whitespace it did not skip) and the whitespace it
 * did skip in lx->space. */
static __attribute__((noinline)) int lex_general(fe_lexer *lx, pp_tok *t)
{
    const char *s = lx->src;
    size_t n = lx->len, p, start;
    int fl, c;
again:
    fl = lx->space;
    lx->space = 0;
    while (lx->pos < n && s[lx->pos] == ' ') { /* the usual separator, inline */
        lx->pos++;
        fl = PF_SPACE;
    }
    if (lx->pos >= n || (cls[(unsigned char)s[lx->pos]] & CL_WS))
        fl |= skip_ws(lx, 0);
    start = p = lx->pos;
    if (lx->bol)
        fl |= PF_BOL;
    if (p >= n) {
        memset(t, 0, sizeof *t);
        t->kind = PK_EOF;
        t->flags = (uint8_t)(fl | PF_BOL);
        t->file = lx->file;
        t->line = lx->line;
        t->col = (uint32_t)(n - lx->line_start + 1);
        return PK_EOF;
    }
    lx->spliced = 0;
    c = (unsigned char)s[p];
    t->pad = 0;
    t->id = 0;
    if (is_ident_start(c)) {
        uint32_t h = (2166136261u ^ (uint32_t)c) * 16777619u;
        p++;
        for (;;) {
            while (p < n && (cls[(unsigned char)s[p]] & CL_ID)) {
                h = (h ^ (unsigned char)s[p]) * 16777619u;
                p++;
            }
            size_t q = sk(lx, p);
            if (q != p && q < n && is_ident_char((unsigned char)s[q])) {
                p = q;
                continue;
            }
            break;
        }
        t->hash = h;
        t->kind = PK_IDENT;
        /* String/char prefixes: L u U u8 */
        size_t l = p - start;
        t->id = (uint16_t)fe_lex_keyword(s + start, l);
        size_t q = sk(lx, p);
        if (q < n && (s[q] == '"' || s[q] == '\'') && !lx->spliced &&
            ((l == 1 && (c == 'L' || c == 'u' || c == 'U')) ||
             (l == 2 && c == 'u' && s[start + 1] == '8'))) {
            t->kind = s[q] == '"' ? PK_STR : PK_CHAR;
            t->id = 0;
            p = scan_quoted(lx, start, q);
        }
    } else if ((c >= '0' && c <= '9') ||
               (c == '.' && at(lx, sk(lx, p + 1)) >= '0' && at(lx, sk(lx, p + 1)) <= '9')) {
        t->kind = PK_NUM;
        size_t end = p + 1;
        for (;;) {
            size_t q = sk(lx, end);
            int d = at(lx, q);
            if (!is_ident_char(d) && d != '.')
                break;
            end = q + 1;
            if (d == 'e' || d == 'E' || d == 'p' || d == 'P') {
                size_t r = sk(lx, end);
                if (at(lx, r) == '+' || at(lx, r) == '-')
                    end = r + 1;
            }
        }
        p = end;
    } else if (c == '"' || c == '\'') {
        t->kind = c == '"' ? PK_STR : PK_CHAR;
        p = scan_quoted(lx, start, p);
    } else {
        size_t p1 = sk(lx, p + 1);
        int c1 = at(lx, p1), id = 0;
        size_t end = p + 1;
#define TWO(ch, pid) if (c1 == (ch)) { id = (pid); end = p1 + 1; break; }
        switch (c) {
        case '(': id = P_LPAREN; break;
        case ')': id = P_RPAREN; break;
        case '[': id = P_LBRACKET; break;
        case ']': id = P_RBRACKET; break;
        case '{': id = P_LBRACE; break;
        case '}': id = P_RBRACE; break;
        case '~': id = P_TILDE; break;
        case '?': id = P_QUESTION; break;
        case ';': id = P_SEMI; break;
        case ',': id = P_COMMA; break;
        case '.':
            id = P_DOT;
            if (c1 == '.') {
                size_t p2 = sk(lx, p1 + 1);
                if (at(lx, p2) == '.') {
                    id = P_ELLIPSIS;
                    end = p2 + 1;
                }
            }
            break;
        case '-':
            TWO('>', P_ARROW) TWO('-', P_DEC) TWO('=', P_SUB_ASSIGN)
            id = P_MINUS; break;
        case '+':
            TWO('+', P_INC) TWO('=', P_ADD_ASSIGN)
            id = P_PLUS; break;
        case '&':
            TWO('&', P_ANDAND) TWO('=', P_AND_ASSIGN)
            id = P_AMP; break;
        case '*':
            TWO('=', P_MUL_ASSIGN)
            id = P_STAR; break;
        case '!':
            TWO('=', P_NE)
            id = P_BANG; break;
        case '/':
            TWO('=', P_DIV_ASSIGN)
            id = P_SLASH; break;
        case '%':
            TWO('=', P_MOD_ASSIGN) TWO('>', P_RBRACE)
            if (c1 == ':') {
                size_t p2 = sk(lx, p1 + 1), p3 = sk(lx, p2 + 1);
                id = P_HASH;
                end = p1 + 1;
                if (at(lx, p2) == '%' && at(lx, p3) == ':') {
                    id = P_HASHHASH;
                    end = p3 + 1;
                }
                break;
            }
            id = P_PERCENT; break;
        case '<':
            if (c1 == '<') {
                size_t p2 = sk(lx, p1 + 1);
                if (at(lx, p2) == '=') {
                    id = P_SHL_ASSIGN;
                    end = p2 + 1;
                } else {
                    id = P_SHL;
                    end = p1 + 1;
                }
                break;
            }
            TWO('=', P_LE) TWO(':', P_LBRACKET) TWO('%', P_LBRACE)
            id = P_LT; break;
        case '>':
            if (c1 == '>') {
                size_t p2 = sk(lx, p1 + 1);
                if (at(lx, p2) == '=') {
                    id = P_SHR_ASSIGN;
                    end = p2 + 1;
                } else {
                    id = P_SHR;
                    end = p1 + 1;
                }
                break;
            }
            TWO('=', P_GE)
            id = P_GT; break;
        case '=':
            TWO('=', P_EQ)
            id = P_ASSIGN; break;
        case '^':
            TWO('=', P_XOR_ASSIGN)
            id = P_CARET; break;
        case '|':
            TWO('|', P_OROR) TWO('=', P_OR_ASSIGN)
            id = P_PIPE; break;
        case ':':
            TWO('>', P_RBRACKET)
            id = P_COLON; break;
        case '#':
            TWO('#', P_HASHHASH)
            id = P_HASH; break;
        default:
            break;
        }
#undef TWO
        if (!id) {
            /* A stray byte: complain about the first few, then give up on
             * the file (binary garbage would drown the real errors). */
            lx->pos = p + 1;
            if (lx->skipping)
                goto again;
            if (lx->quiet) {
                lx->failed = 1;
                goto again;
            }
            char buf[32];
            if (c > 0x20 && c < 0x7f) {
                buf[0] = '\'';
                buf[1] = (char)c;
                buf[2] = '\'';
                buf[3] = 0;
            } else {
                static const char hex[] = "0123456789abcdef";
                memcpy(buf, "byte 0x", 7);
                buf[7] = hex[c >> 4];
                buf[8] = hex[c & 15];
                buf[9] = 0;
            }
            lx_err(lx, p, "stray character %s in program", buf);
            if (++lx->nstray >= 5 || fe_should_stop(lx->cx))
                lx->pos = n;
            goto again;
        }
        t->kind = PK_PUNCT;
        t->id = (uint16_t)id;
        p = end;
    }
    lx->pos = p;
    lx->bol = 0;
    t->flags = (uint8_t)fl;
    t->file = lx->file;
    t->line = lx->line;
    t->col = (uint32_t)(start - lx->line_start + 1);
    t->u.text = s + start;
    t->len = (uint32_t)(p - start);
    if (lx->spliced) {
        /* Rare: rebuild the spelling without the splices. */
        count_lines(lx, start, p);
        char *d = kp_arena_alloc(&lx->cx->arena, p - start + 1);
        if (!d) {
            fe_nomem(lx->cx);
            lx->pos = n;
            t->kind = PK_EOF;
            return PK_EOF;
        }
        size_t k = 0, q = start;
        while (q < p) {
            size_t r = sk(lx, q);
            if (r >= p)
                break;
            d[k++] = s[r];
            q = r + 1;
        }
        t->u.text = d;
        t->len = (uint32_t)k;
        if (t->kind == PK_IDENT) {
            t->hash = fe_lex_hash(d, k);
            t->id = (uint16_t)fe_lex_keyword(d, k);
        }
    }
    return t->kind;
}

/* Punctuators the fast path takes whatever follows them. */
static const uint8_t punct1[256] = {
    ['('] = P_LPAREN, [')'] = P_RPAREN, ['['] = P_LBRACKET, [']'] = P_RBRACKET,
    ['{'] = P_LBRACE, ['}'] = P_RBRACE, ['~'] = P_TILDE, ['?'] = P_QUESTION,
    [';'] = P_SEMI, [','] = P_COMMA,
};

/* The common tokens in one pass with the state in registers: identifiers,
 * numbers and punctuators not touched by a line splice, after blanks and
 * newlines. Everything else (comments, quotes, splices, digraphs, the end)
 * goes to lex_general, which restarts at the token. */
typedef struct lex_state {
    size_t pos, line_start;
    uint32_t line;
    uint8_t bol, space;
} lex_state;

/* One common token at st into t; 0 (with st unchanged but for skipped
 * blanks and newlines) if it needs lex_general. */
/* want_hash 0 (a constant at each call): identifiers get hash 0, for a
 * caller that has no macro to look them up in. */
static inline __attribute__((always_inline)) int lex_fast(const char *s, size_t n,
                                                           lex_state *st, pp_tok *t,
                                                           int want_hash)
{
    size_t p = st->pos, start;
    int fl = st->space, c, id;
    for (;;) {
        if (__builtin_expect(p >= n, 0)) {
            start = p;
            goto general;
        }
        c = (unsigned char)s[p];
        if (c == ' ' || c == '\t') {
            p++;
            fl = PF_SPACE;
        } else if (c == '\n') {
            p++;
            st->line++;
            st->line_start = p;
            st->bol = 1;
            fl = PF_SPACE;
            /* indentation, 8 and 4 blanks at a time */
            uint64_t w8;
            uint32_t w4;
            while (p + 8 <= n && (memcpy(&w8, s + p, 8), w8 == 0x2020202020202020ull))
                p += 8;
            if (p + 4 <= n && (memcpy(&w4, s + p, 4), w4 == 0x20202020u))
                p += 4;
        } else if (c == '/' && p + 1 < n && s[p + 1] == '/') {
            /* a line comment; its newline is seen next round. One that a
             * splice continues is skip_ws's. */
            const char *e = memchr(s + p + 2, '\n', n - p - 2);
            size_t q = e ? (size_t)(e - s) : n;
            if (e && (s[q - 1] == '\\' || s[q - 1] == '\r')) {
                start = p;
                goto general;
            }
            p = q;
            fl = PF_SPACE;
        } else if (c == '/' && p + 1 < n && s[p + 1] == '*') {
            /* a block comment: its newlines count lines but, as in
             * skip_ws, do not put the next token at the start of a line.
             * Unterminated, or a splice after a '*': skip_ws's. */
            size_t q = p + 2;
            for (;;) {
                const char *e = q < n ? memchr(s + q, '*', n - q) : NULL;
                if (!e || (size_t)(e - s) + 1 >= n || s[(size_t)(e - s) + 1] == '\\') {
                    start = p;
                    goto general;
                }
                q = (size_t)(e - s) + 1;
                if (s[q] == '/')
                    break;
            }
            lines_in(s, p + 2, q, &st->line, &st->line_start);
            p = q + 1;
            fl = PF_SPACE;
        } else {
            break;
        }
    }
    start = p;
    if ((cls[c] & (CL_ID | CL_DIGIT)) == CL_ID) {
        uint32_t h = want_hash ? (2166136261u ^ (uint32_t)c) * 16777619u : 0;
        p++;
        while (p < n && (cls[(unsigned char)s[p]] & CL_ID)) {
            if (want_hash)
                h = (h ^ (unsigned char)s[p]) * 16777619u;
            p++;
        }
        /* a splice, or a string/char prefix (L u U u8): the general path */
        if (p < n && (s[p] == '\\' || ((s[p] == '"' || s[p] == '\'') && p - start <= 2)))
            goto general;
        t->kind = PK_IDENT;
        t->hash = h;
        t->id = c >= '_' ? (uint16_t)kw_lookup(s + start, p - start) : 0;
    } else if (c >= '0' && c <= '9') {
        p++;
        for (;;) {
            if (p >= n)
                break;
            int d = (unsigned char)s[p];
            if (!(cls[d] & CL_ID) && d != '.') {
                if (d == '\\')
                    goto general;
                break;
            }
            p++;
            if ((d | 0x20) == 'e' || (d | 0x20) == 'p') {
                if (p < n && (s[p] == '+' || s[p] == '-'))
                    p++;
                else if (p < n && s[p] == '\\')
                    goto general;
            }
        }
        t->kind = PK_NUM;
        t->id = 0;
    } else if ((id = punct1[c]) != 0) {
        p++;
        t->kind = PK_PUNCT;
        t->id = (uint16_t)id;
    } else if (c == '\'' && p + 2 < n && s[p + 1] != '\\' && s[p + 1] != '\'' &&
               s[p + 1] != '\n' && s[p + 2] == '\'') {
        /* 'x': the common character constant (its value: fe_lex_char_value) */
        p += 3;
        t->kind = PK_CHAR;
        t->id = 0;
    } else if (c == '\'' && p + 3 < n && s[p + 1] == '\\' && s[p + 3] == '\'' &&
               strchr("ntr0\\'\"", s[p + 2]) && s[p + 2]) {
        /* '\n', '\0' and the like */
        p += 4;
        t->kind = PK_CHAR;
        t->id = 0;
    } else {
        int c1 = p + 1 < n ? (unsigned char)s[p + 1] : -1;
        if (c1 == '\\')
            goto general;
        id = 0;
        p++;
#define TWO(ch, pid) if (c1 == (ch)) { id = (pid); p++; break; }
        switch (c) {
        case '-':
            TWO('>', P_ARROW) TWO('-', P_DEC) TWO('=', P_SUB_ASSIGN)
            id = P_MINUS; break;
        case '+':
            TWO('+', P_INC) TWO('=', P_ADD_ASSIGN)
            id = P_PLUS; break;
        case '&':
            TWO('&', P_ANDAND) TWO('=', P_AND_ASSIGN)
            id = P_AMP; break;
        case '*':
            TWO('=', P_MUL_ASSIGN)
            id = P_STAR; break;
        case '!':
            TWO('=', P_NE)
            id = P_BANG; break;
        case '=':
            TWO('=', P_EQ)
            id = P_ASSIGN; break;
        case '^':
            TWO('=', P_XOR_ASSIGN)
            id = P_CARET; break;
        case '|':
            TWO('|', P_OROR) TWO('=', P_OR_ASSIGN)
            id = P_PIPE; break;
        case '#':
            TWO('#', P_HASHHASH)
            id = P_HASH; break;
        case '/': /* not a comment: the loop above took those */
            TWO('=', P_DIV_ASSIGN)
            id = P_SLASH; break;
        case '%':
            if (c1 == '>' || c1 == ':')
                break; /* digraphs */
            TWO('=', P_MOD_ASSIGN)
            id = P_PERCENT; break;
        case ':':
            TWO('>', P_RBRACKET)
            id = P_COLON; break;
        case '<':
            if (c1 == '<' || c1 == ':' || c1 == '%')
                break; /* <<, <<=, digraphs */
            TWO('=', P_LE)
            id = P_LT; break;
        case '>':
            if (c1 == '>')
                break; /* >>, >>= */
            TWO('=', P_GE)
            id = P_GT; break;
        case '.':
            if (c1 == '.' || (c1 >= '0' && c1 <= '9'))
                break; /* ..., .5 */
            id = P_DOT; break;
        default: /* quotes, whitespace, stray bytes */
            break;
        }
#undef TWO
        if (!id) {
            p = start;
            goto general;
        }
        t->kind = PK_PUNCT;
        t->id = (uint16_t)id;
    }
    if (st->bol)
        fl |= PF_BOL;
    st->pos = p;
    st->bol = 0;
    st->space = 0;
    t->flags = (uint8_t)fl;
    t->pad = 0;
    t->line = st->line;
    t->col = (uint32_t)(start - st->line_start + 1);
    t->u.text = s + start;
    t->len = (uint32_t)(p - start);
    return 1;
general:
    st->pos = start;
    st->space = (uint8_t)fl;
    return 0;
}

static inline void state_load(const fe_lexer *lx, lex_state *st)
{
    st->pos = lx->pos;
    st->line_start = lx->line_start;
    st->line = lx->line;
    st->bol = lx->bol;
    st->space = lx->space;
}

static inline void state_store(fe_lexer *lx, const lex_state *st)
{
    lx->pos = st->pos;
    lx->line_start = st->line_start;
    lx->line = st->line;
    lx->bol = st->bol;
    lx->space = st->space;
}

/* The first bytes of the tokens fe_lex_plain must see: '#' and '##', the
 * digraphs '%:' and '%:%:', and identifiers that may start with "__". */
static const uint8_t plain_suspect[256] = {['#'] = 1, ['%'] = 1, ['_'] = 1};

/* A run's token t as *o, its value payload zeroed for the caller. */
static inline fe_token *run_token(fe_token *o, int kind, uint8_t file, uint16_t id,
                                  const pp_tok *t)
{
    o->kind = (uint8_t)kind;
    o->file = file;
    o->id = id;
    o->line = t->line;
    o->col = t->col;
    o->text = t->u.text;
    o->len = t->len;
    memset(&o->u, 0, sizeof o->u);
    return o;
}

/* fe_lex_run's loop; macros 0 (a constant): no identifier can be a macro
 * name, so none is hashed or looked up, and the run stops at the tokens
 * of plain_suspect instead. */
static inline __attribute__((always_inline)) size_t
lex_run(fe_lexer *lx, fe_token *out, size_t max, const uint64_t *maybe_macro,
        uint32_t bloom_mask, pp_tok *stop, int *have_stop, int macros)
{
    lex_state st;
    const char *s = lx->src;
    size_t n = lx->len;
    fe_token *o = out, *oend = out + max; /* a cursor: one value fewer live than k < max */
    uint8_t file = lx->file;
    pp_tok t;
    *have_stop = 0;
    state_load(lx, &st);
    while (o < oend) {
        if (!lex_fast(s, n, &st, &t, macros))
            break;
        t.file = file;
        if (!macros && __builtin_expect(plain_suspect[(unsigned char)t.u.text[0]], 0))
            goto stop; /* fe_lex_plain looks at it */
        int kind;
        if (t.kind == PK_PUNCT) {
            if ((t.flags & PF_BOL) && t.id == P_HASH)
                goto stop;
            kind = TK_PUNCT;
        } else if (t.kind == PK_IDENT) {
            if (macros) {
                uint32_t b = t.hash & bloom_mask;
                if ((maybe_macro[b >> 6] >> (b & 63)) & 1)
                    goto stop;
            }
            kind = t.id ? TK_KEYWORD : TK_IDENT;
        } else if (t.kind == PK_NUM && t.len <= 18) {
            /* A plain decimal integer (or 0) as int_value would read it;
             * anything else (octal, hex, suffix, float) stops the run. */
            const char *d = t.u.text;
            uint64_t v = 0;
            uint32_t i = 0;
            if (d[0] == '0' && t.len > 1)
                goto stop;
            for (; i < t.len && d[i] >= '0' && d[i] <= '9'; i++)
                v = v * 10 + (uint64_t)(d[i] - '0');
            if (i != t.len)
                goto stop;
            fe_token *q = run_token(o++, TK_INT, file, 0, &t);
            q->u.i.value = v;
            q->u.i.decimal = d[0] != '0';
            continue;
        } else if (t.kind == PK_CHAR) {
            /* lex_fast's two forms, valued as fe_lex_char_value would */
            int c = (unsigned char)t.u.text[1];
            if (c == '\\') {
                switch (t.u.text[2]) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                case '0': c = 0; break;
                default: c = (unsigned char)t.u.text[2]; break; /* \\ \' \" */
                }
            }
            fe_token *q = run_token(o++, TK_CHAR, file, 0, &t);
            q->u.i.value = (uint64_t)(int64_t)(signed char)c;
            continue;
        } else {
            goto stop;
        }
        run_token(o++, kind, file, t.id, &t);
        continue;
    stop:
        *stop = t;
        *have_stop = 1;
        break;
    }
    state_store(lx, &st);
    return (size_t)(o - out);
}

size_t fe_lex_run(fe_lexer *lx, fe_token *out, size_t max, const uint64_t *maybe_macro,
                  uint32_t bloom_mask, pp_tok *stop, int *have_stop)
{
    /* With an empty filter (fe_lex_plain's) no identifier stops the run:
     * the copy of the loop without the hashing (a few instructions per
     * identifier byte). */
    if (!bloom_mask && !(maybe_macro[0] & 1))
        return lex_run(lx, out, max, maybe_macro, 0, stop, have_stop, 0);
    return lex_run(lx, out, max, maybe_macro, bloom_mask, stop, have_stop, 1);
}

int fe_lex_next(fe_lexer *lx, pp_tok *t)
{
    lex_state st;
    state_load(lx, &st);
    int ok = lex_fast(lx->src, lx->len, &st, t, 1);
    state_store(lx, &st);
    if (!ok)
        return lex_general(lx, t);
    t->file = lx->file;
    return t->kind;
}

uint32_t fe_lex_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

int fe_lex_at_eol(fe_lexer *lx)
{
    if (lx->bol)
        return 1;
    lx->space |= (uint8_t)skip_ws(lx, 1);
    return lx->pos >= lx->len || lx->src[lx->pos] == '\n';
}

int fe_lex_angle_name(fe_lexer *lx, const char **name, size_t *len)
{
    const char *s = lx->src;
    size_t p = lx->pos, n = lx->len;
    while (p < n && (s[p] == ' ' || s[p] == '\t'))
        p++;
    if (p >= n || s[p] != '<')
        return 0;
    size_t q = p + 1;
    while (q < n && s[q] != '>' && s[q] != '\n')
        q++;
    if (q >= n || s[q] != '>')
        return 0;
    *name = s + p + 1;
    *len = q - p - 1;
    lx->pos = q + 1;
    return 1;
}

void fe_lex_rest_of_line(fe_lexer *lx, const char **str, size_t *len)
{
    const char *s = lx->src;
    size_t p = lx->pos, n = lx->len;
    while (p < n && (s[p] == ' ' || s[p] == '\t'))
        p++;
    size_t b = p;
    for (;;) {
        const char *e = p < n ? memchr(s + p, '\n', n - p) : NULL;
        if (!e) {
            p = n;
            break;
        }
        p = (size_t)(e - s);
        if (p > b && s[p - 1] == '\\') {
            p++;
            continue;
        }
        break;
    }
    size_t e = p;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        e--;
    *str = s + b;
    *len = e - b;
    lx->pos = p;
}

/* ---- literal values ---------------------------------------------------- */

static void tok_err(fe_ctx *cx, const pp_tok *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void tok_err(fe_ctx *cx, const pp_tok *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fe_verror(cx, KP_ERR_COMPILE, p->file, (int)p->line, (int)p->col, fmt, ap);
    va_end(ap);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* s[*i] is just after a backslash: decode one escape, return its byte. */
static int escape(fe_ctx *cx, const pp_tok *p, const char *s, size_t n, size_t *i)
{
    if (*i >= n) {
        tok_err(cx, p, "incomplete escape sequence");
        return -1;
    }
    int c = (unsigned char)s[(*i)++];
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return 7;
    case 'b': return 8;
    case 'f': return 12;
    case 'v': return 11;
    case 'e': return 27;
    case '\\': case '\'': case '"': case '?': return c;
    case 'x': {
        unsigned v = 0;
        int nd = 0, d;
        while (*i < n && (d = hexval((unsigned char)s[*i])) >= 0) {
            v = v * 16 + (unsigned)d;
            (*i)++;
            nd++;
            if (v > 255) {
                tok_err(cx, p, "hex escape sequence out of range");
                return -1;
            }
        }
        if (!nd) {
            tok_err(cx, p, "\\x used with no following hex digits");
            return -1;
        }
        return (int)v;
    }
    default:
        if (c >= '0' && c <= '7') {
            unsigned v = (unsigned)(c - '0');
            for (int k = 0; k < 2 && *i < n && s[*i] >= '0' && s[*i] <= '7'; k++)
                v = v * 8 + (unsigned)(s[(*i)++] - '0');
            if (v > 255) {
                tok_err(cx, p, "octal escape sequence out of range");
                return -1;
            }
            return (int)v;
        }
        if (c > 0x20 && c < 0x7f)
            tok_err(cx, p, "unknown escape sequence '\\%c'", c);
        else
            tok_err(cx, p, "unknown escape sequence");
        return -1;
    }
}

/* Check the prefix and quotes of a literal; set [*b, *e) to its body. */
static int literal_body(fe_ctx *cx, const pp_tok *p, char q, size_t *b, size_t *e)
{
    const char *s = p->u.text;
    size_t n = p->len, i = 0;
    if (n && (s[0] == 'L' || s[0] == 'U' || (s[0] == 'u' && !(n > 1 && s[1] == '8')))) {
        tok_err(cx, p, q == '"' ? "wide strings are not supported"
                                : "wide character constants are not supported");
        return -1;
    }
    if (n >= 2 && s[0] == 'u' && s[1] == '8')
        i = 2;
    if (n < i + 2 || s[i] != q || s[n - 1] != q) {
        if (!cx->nerrors)
            tok_err(cx, p, q == '"' ? "unterminated string literal"
                                    : "unterminated character constant");
        return -1;
    }
    *b = i + 1;
    *e = n - 1;
    return 0;
}

int fe_lex_char_value(fe_ctx *cx, const pp_tok *p, int64_t *v)
{
    size_t i, e;
    if (literal_body(cx, p, '\'', &i, &e) < 0)
        return -1;
    const char *s = p->u.text;
    int count = 0, val = 0;
    while (i < e) {
        int c = (unsigned char)s[i++];
        if (c == '\\') {
            c = escape(cx, p, s, e, &i);
            if (c < 0)
                return -1;
        }
        if (count++ == 0)
            val = c;
    }
    if (count == 0) {
        tok_err(cx, p, "empty character constant");
        return -1;
    }
    if (count > 1) {
        tok_err(cx, p, "multi-character character constants are not supported");
        return -1;
    }
    *v = (int64_t)(signed char)val;
    return 0;
}

int fe_lex_string(fe_ctx *cx, const pp_tok *p, size_t n, fe_token *t)
{
    size_t total = 1;
    for (size_t k = 0; k < n; k++)
        total += p[k].len;
    char *d = kp_arena_alloc(&cx->arena, total);
    if (!d) {
        fe_nomem(cx);
        return -1;
    }
    size_t o = 0;
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i, e;
        if (literal_body(cx, &p[k], '"', &i, &e) < 0) {
            rc = -1;
            continue;
        }
        const char *s = p[k].u.text;
        while (i < e) {
            int c = (unsigned char)s[i++];
            if (c == '\\') {
                c = escape(cx, &p[k], s, e, &i);
                if (c < 0) {
                    rc = -1;
                    break;
                }
            }
            d[o++] = (char)c;
        }
    }
    d[o] = 0;
    memset(t, 0, sizeof *t);
    t->kind = TK_STRING;
    t->file = p[0].file;
    t->line = p[0].line;
    t->col = p[0].col;
    t->text = p[0].u.text;
    t->len = p[0].len;
    t->u.s.bytes = d;
    t->u.s.len = (uint32_t)o;
    return rc;
}

/* Parse an integer pp-number. Returns 0, or -1 after reporting. */
static int int_value(fe_ctx *cx, const pp_tok *p, uint64_t *value, int *is_unsigned,
                     int *longs, int *decimal)
{
    const char *s = p->u.text;
    size_t n = p->len, i = 0;
    unsigned base = 10;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (n >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        i = 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    uint64_t v = 0;
    int overflow = 0;
    size_t digits = i;
    for (; i < n; i++) {
        int d = hexval((unsigned char)s[i]);
        if (d < 0)
            break;
        if (base != 16 && d >= 10)
            break; /* a suffix letter (or bad digit, caught below) */
        if ((unsigned)d >= base) {
            tok_err(cx, p, "invalid digit '%c' in %s constant", s[i],
                    base == 8 ? "octal" : "binary");
            return -1;
        }
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            overflow = 1;
        v = v * base + (uint64_t)d;
    }
    if (i == digits && base != 8) {
        tok_err(cx, p, "invalid integer constant '%.*s'", (int)(n > 40 ? 40 : n), s);
        return -1;
    }
    /* suffix: u, l, ll in either order, any case (but not lL) */
    int u = 0, l = 0;
    size_t sfx = i;
    while (i < n) {
        char c = s[i];
        if ((c == 'u' || c == 'U') && !u) {
            u = 1;
            i++;
        } else if ((c == 'l' || c == 'L') && !l) {
            if (i + 1 < n && s[i + 1] == c) {
                l = 2;
                i += 2;
            } else {
                l = 1;
                i++;
            }
        } else {
            break;
        }
    }
    if (i != n) {
        tok_err(cx, p, "invalid suffix '%.*s' on integer constant",
                (int)(n - sfx > 20 ? 20 : n - sfx), s + sfx);
        return -1;
    }
    if (overflow) {
        tok_err(cx, p, "integer constant is too large");
        return -1;
    }
    *value = v;
    *is_unsigned = u;
    *longs = l;
    *decimal = base == 10;
    return 0;
}

static int is_float_number(const pp_tok *p)
{
    const char *s = p->u.text;
    size_t n = p->len;
    int hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' || (!hex && (c == 'e' || c == 'E')) || (hex && (c == 'p' || c == 'P')))
            return 1;
    }
    return 0;
}

int fe_lex_int_value(fe_ctx *cx, const pp_tok *p, uint64_t *v, int *is_unsigned)
{
    if (is_float_number(p)) {
        tok_err(cx, p, "floating constant in preprocessor expression");
        return -1;
    }
    int l, d;
    if (int_value(cx, p, v, is_unsigned, &l, &d) < 0)
        return -1;
    if (*v > (uint64_t)INT64_MAX)
        *is_unsigned = 1;
    return 0;
}

static int float_value(fe_ctx *cx, const pp_tok *p, fe_token *t)
{
    const char *s = p->u.text;
    size_t n = p->len;
    int is_float = 0;
    int hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    char c = s[n - 1];
    if (c == 'f' || c == 'F') {
        is_float = 1;
        n--;
    } else if (c == 'l' || c == 'L') {
        n--;
    }
    if (hex && !memchr(s, 'p', n) && !memchr(s, 'P', n)) {
        tok_err(cx, p, "hexadecimal floating constant requires an exponent");
        return -1;
    }
    char buf[128];
    char *b = buf;
    if (n >= sizeof buf) {
        b = kp_arena_alloc(&cx->arena, n + 1);
        if (!b) {
            fe_nomem(cx);
            return -1;
        }
    }
    memcpy(b, s, n);
    b[n] = 0;
    char *end = NULL;
    double d = strtod(b, &end);
    if (n == 0 || end != b + n) {
        tok_err(cx, p, "invalid floating constant '%.*s'", (int)(p->len > 40 ? 40 : p->len), s);
        return -1;
    }
    t->kind = TK_FLOAT;
    t->u.f.value = d;
    t->u.f.is_float = (uint8_t)is_float;
    return 0;
}

int fe_lex_convert(fe_ctx *cx, const pp_tok *p, fe_token *t)
{
    /* t may be fresh arena memory (zeroed); set every field anyway */
    t->u.i.value = 0;
    t->u.i.is_unsigned = t->u.i.longs = t->u.i.decimal = 0;
    t->id = 0;
    t->file = p->file;
    t->line = p->line;
    t->col = p->col;
    t->text = p->u.text;
    t->len = p->len;
    switch (p->kind) {
    case PK_IDENT: {
        int kw = fe_lex_keyword(p->u.text, p->len);
        if (kw) {
            t->kind = TK_KEYWORD;
            t->id = (uint16_t)kw;
        } else {
            t->kind = TK_IDENT;
        }
        return 0;
    }
    case PK_PUNCT:
        t->kind = TK_PUNCT;
        t->id = p->id;
        return 0;
    case PK_NUM: {
        if (is_float_number(p))
            return float_value(cx, p, t);
        uint64_t v;
        int u, l, d;
        t->kind = TK_INT;
        if (int_value(cx, p, &v, &u, &l, &d) < 0)
            return -1;
        t->u.i.value = v;
        t->u.i.is_unsigned = (uint8_t)u;
        t->u.i.longs = (uint8_t)l;
        t->u.i.decimal = (uint8_t)d;
        return 0;
    }
    case PK_CHAR: {
        int64_t v = 0;
        t->kind = TK_CHAR;
        if (fe_lex_char_value(cx, p, &v) < 0)
            return -1;
        t->u.i.value = (uint64_t)v;
        return 0;
    }
    case PK_STR:
        return fe_lex_string(cx, p, 1, t);
    default:
        tok_err(cx, p, "internal error: unexpected preprocessing token");
        return -1;
    }
}

/* ---- text that needs no preprocessing ------------------------------------------------------ */

int fe_lex_plain(fe_ctx *cx, fe_token **toks, uint32_t *ntoks)
{
    /* Every predefined macro (and __LINE__, __FILE__) starts with "__", and
     * a text without directives defines no others: so a text whose
     * identifiers never start with "__" and that has no '#' expands to its
     * own tokens. Anything else (literals other than plain decimals, a
     * lexical error) is left to fe_preprocess, which also owns the
     * diagnostics: nothing is reported here. */
    static const uint64_t no_macros[1];
    const char *src = cx->files[0].src;
    size_t len = cx->files[0].len;
    if (len > 4096)
        return -1;
    /* splices (a backslash before a line end) are the general lexer's;
     * other backslashes are in character constants ('\n') or are errors */
    for (const char *b = src; (b = memchr(b, '\\', len - (size_t)(b - src))) != NULL; b++)
        if ((size_t)(b - src) + 1 >= len || b[1] == '\n' || b[1] == '\r')
            return -1;
    /* fe_preprocess's first guess (a run that outgrows it declines), so a
     * compile never charges its memory budget more than the preprocessor
     * would have. */
    size_t cap = len / 3 + 32;
    fe_token *out = kp_arena_alloc_raw(&cx->arena, cap * sizeof *out);
    if (!out)
        return -1;
    fe_lexer lx;
    fe_lex_init(&lx, cx, 0, src, len);
    lx.quiet = 1;
    size_t k = 0;
    for (;;) {
        pp_tok t;
        int have = 0;
        k += fe_lex_run(&lx, out + k, cap - 1 - k, no_macros, 0, &t, &have);
        if (!have)
            fe_lex_next(&lx, &t);
        if (t.kind == PK_EOF)
            break;
        if (lx.failed || k == cap - 1 || (t.kind != PK_IDENT && t.kind != PK_PUNCT))
            return -1;
        /* Every token fe_lex_run did not take comes here, so these are
         * all the '#', '##' and identifiers starting with "__". Spellings
         * are the source's (splices were declined). */
        if (t.kind == PK_PUNCT ? t.id == P_HASH || t.id == P_HASHHASH
                               : t.len >= 2 && t.u.text[0] == '_' && t.u.text[1] == '_')
            return -1;
        fe_token *o = &out[k++];
        memset(o, 0, sizeof *o);
        o->kind = t.kind == PK_PUNCT ? TK_PUNCT : t.id ? TK_KEYWORD : TK_IDENT;
        o->id = t.id;
        o->line = t.line;
        o->col = t.col;
        o->text = t.u.text;
        o->len = t.len;
    }
    if (lx.failed)
        return -1;
    fe_token *e = &out[k++];
    memset(e, 0, sizeof *e);
    e->kind = TK_EOF;
    e->line = lx.line;
    e->col = (uint32_t)(len - lx.line_start + 1);
    *toks = out;
    *ntoks = (uint32_t)k;
    return 0;
}

/*
 * lex.h — private interface between the lexer (lex.c) and the preprocessor
 * (pp.c). Nothing outside these two files should include it; the parser sees
 * only the fe_token stream of token.h.
 *
 * The lexer turns one file's bytes into preprocessing tokens (pp_tok): the
 * spelling points into the source (or into the arena when line splices had
 * to be removed), so lexing allocates nothing per token. Literal values are
 * computed only when a token leaves the preprocessor (fe_lex_convert), after
 * macro expansion, pasting and string concatenation.
 */
#ifndef KP_LEX_H
#define KP_LEX_H

#include "token.h"

typedef enum pp_kind {
    PK_EOF = 0,
    PK_IDENT,
    PK_NUM,        /* a pp-number: converted to TK_INT/TK_FLOAT on output */
    PK_CHAR,       /* raw spelling including the quotes and any prefix */
    PK_STR,        /* raw spelling including the quotes and any prefix */
    PK_PUNCT,      /* id: P_* */
    PK_PARAM,      /* in a macro body: parameter number `id` */
    PK_MARKER,     /* end of a macro's expansion: re-enables `mac` */
    PK_BARRIER,    /* end of an isolated token list (#if line, macro argument) */
    PK_PLACEMARKER /* an empty argument next to ## */
} pp_kind;

enum {
    PF_BOL = 1,      /* first token of a line */
    PF_SPACE = 2,    /* whitespace before it (stringizing) */
    PF_NOEXPAND = 4  /* "painted blue": names a macro that must never expand */
};

struct pp_macro;

typedef struct pp_tok {
    uint8_t kind, flags, file, pad;
    uint16_t id;               /* P_* (PK_PUNCT), parameter number (PK_PARAM),
                                  KW_* or KW_NONE (PK_IDENT, set by the lexer) */
    uint32_t line, col;
    uint32_t len;
    uint32_t hash;             /* PK_IDENT: fe_lex_hash of the spelling */
    union {
        const char *text;      /* spelling, len bytes (not NUL-terminated) */
        struct pp_macro *mac;  /* PK_MARKER */
    } u;
} pp_tok;

typedef struct fe_lexer {
    fe_ctx *cx;
    const char *src;
    size_t len, pos;
    size_t line_start;   /* offset of the current physical line */
    uint32_t line;
    uint8_t file;
    uint8_t bol;         /* the next token starts a line */
    uint8_t quiet;       /* report nothing, set `failed` (token pasting) */
    uint8_t skipping;    /* in a false #if group: no complaints about junk */
    uint8_t failed;
    uint8_t spliced;     /* the current token contained a line splice */
    uint8_t space;       /* whitespace seen by fe_lex_at_eol */
    unsigned nstray;
} fe_lexer;

/* headers.c: the text of the i-th built-in header (from 0), or NULL past
 * the last; pp.c lexes them once per process. */
const char *fe_std_header_at(unsigned i, size_t *len);

/* lex.c */
void fe_lex_init(fe_lexer *lx, fe_ctx *cx, unsigned file, const char *src, size_t len);
/* Next preprocessing token; PK_EOF at the end (and on a fatal error). */
int fe_lex_next(fe_lexer *lx, pp_tok *t);
/* The preprocessor's fast path: lex ordinary tokens straight into out
 * (at most max): punctuators, plain decimal integers, and identifiers
 * whose hash bit is clear in maybe_macro (bit h & bloom_mask). Stops at anything else: if that was a
 * token fe_lex_next would have given at once, it is consumed into *stop
 * and *have_stop set; otherwise (comments, literals, splices, the end...)
 * fe_lex_next takes it from there. Returns the number of tokens written.
 * bloom_mask 0 with bit 0 clear (fe_lex_plain's empty filter) also stops
 * at every token whose spelling starts with '#', '%' or '_'. */
size_t fe_lex_run(fe_lexer *lx, fe_token *out, size_t max, const uint64_t *maybe_macro,
                  uint32_t bloom_mask, pp_tok *stop, int *have_stop);
/* True if only whitespace/comments remain on the current line. */
int fe_lex_at_eol(fe_lexer *lx);
/* After `#include`: if the rest of the line starts with <...>, return the
 * name (pointing into the source) and consume it. */
int fe_lex_angle_name(fe_lexer *lx, const char **name, size_t *len);
/* Raw text from the current position to the end of the line (consumed),
 * for #error. */
void fe_lex_rest_of_line(fe_lexer *lx, const char **s, size_t *n);
/* Convert a token leaving the preprocessor into t. Strings are handled by
 * fe_lex_string (several literals at once). Returns 0 or -1 (reported). */
int fe_lex_convert(fe_ctx *cx, const pp_tok *p, fe_token *t);
/* Decode the string literals p[0..n) and concatenate them into t. */
int fe_lex_string(fe_ctx *cx, const pp_tok *p, size_t n, fe_token *t);
/* Value of a character constant (for #if too). Returns 0 or -1 (reported). */
int fe_lex_char_value(fe_ctx *cx, const pp_tok *p, int64_t *v);
/* Integer value of a pp-number for #if. Returns 0, or -1 (reported). */
int fe_lex_int_value(fe_ctx *cx, const pp_tok *p, uint64_t *v, int *is_unsigned);
/* The hash of identifiers (FNV-1a), as in pp_tok.hash. */
uint32_t fe_lex_hash(const char *s, size_t n);
/* KW_* of an identifier spelling, or KW_NONE. */
int fe_lex_keyword(const char *s, size_t n);

#endif /* KP_LEX_H */

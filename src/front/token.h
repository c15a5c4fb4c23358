/*
 * token.h — tokens after preprocessing, the interface between pp.c/lex.c
 * and the parser.
 */
#ifndef KP_TOKEN_H
#define KP_TOKEN_H

#include <stdint.h>
#include "front.h"

typedef enum fe_tkind {
    TK_EOF = 0,
    TK_IDENT,    /* text/len: the spelling (never a keyword) */
    TK_KEYWORD,  /* id: a KW_* value */
    TK_PUNCT,    /* id: a P_* value */
    TK_INT,      /* u.i */
    TK_FLOAT,    /* u.f */
    TK_CHAR,     /* u.i.value holds the char's int value (type int, 'ab' multi-char
                    constants rejected by the lexer) */
    TK_STRING    /* u.s: bytes after escapes, adjacent literals concatenated,
                    terminating NUL NOT counted in len but present in bytes */
} fe_tkind;

#define FE_KEYWORDS(X)                                                         \
    X(AUTO, "auto") X(BREAK, "break") X(CASE, "case") X(CHAR, "char")          \
    X(CONST, "const") X(CONTINUE, "continue") X(DEFAULT, "default")            \
    X(DO, "do") X(DOUBLE, "double") X(ELSE, "else") X(ENUM, "enum")            \
    X(EXTERN, "extern") X(FLOAT, "float") X(FOR, "for") X(GOTO, "goto")        \
    X(IF, "if") X(INLINE, "inline") X(INT, "int") X(LONG, "long")              \
    X(REGISTER, "register") X(RESTRICT, "restrict") X(RETURN, "return")        \
    X(SHORT, "short") X(SIGNED, "signed") X(SIZEOF, "sizeof")                  \
    X(STATIC, "static") X(STRUCT, "struct") X(SWITCH, "switch")                \
    X(TYPEDEF, "typedef") X(UNION, "union") X(UNSIGNED, "unsigned")            \
    X(VOID, "void") X(VOLATILE, "volatile") X(WHILE, "while")                  \
    X(BOOL, "_Bool") X(ALIGNOF, "_Alignof") X(STATIC_ASSERT, "_Static_assert") \
    X(NORETURN, "_Noreturn") X(ASM, "asm") X(ASM2, "__asm__")                  \
    X(ATTRIBUTE, "__attribute__") X(INLINE2, "__inline") X(CONST2, "__const") \
    X(RESTRICT2, "__restrict") X(TYPEOF, "typeof") X(ALIGNOF2, "__alignof__")  \
    X(ALIGNAS, "_Alignas") X(COMPLEX, "_Complex") X(THREAD_LOCAL, "_Thread_local") \
    X(ATOMIC, "_Atomic") X(GENERIC, "_Generic")

typedef enum fe_keyword {
    KW_NONE = 0,
#define FE_KW_ENUM(e, s) KW_##e,
    FE_KEYWORDS(FE_KW_ENUM)
#undef FE_KW_ENUM
    KW_COUNT
} fe_keyword;

#define FE_PUNCTS(X)                                                           \
    X(LPAREN, "(") X(RPAREN, ")") X(LBRACKET, "[") X(RBRACKET, "]")            \
    X(LBRACE, "{") X(RBRACE, "}") X(DOT, ".") X(ARROW, "->")                   \
    X(INC, "++") X(DEC, "--") X(AMP, "&") X(STAR, "*") X(PLUS, "+")            \
    X(MINUS, "-") X(TILDE, "~") X(BANG, "!") X(SLASH, "/") X(PERCENT, "%")     \
    X(SHL, "<<") X(SHR, ">>") X(LT, "<") X(GT, ">") X(LE, "<=") X(GE, ">=")    \
    X(EQ, "==") X(NE, "!=") X(CARET, "^") X(PIPE, "|") X(ANDAND, "&&")         \
    X(OROR, "||") X(QUESTION, "?") X(COLON, ":") X(SEMI, ";")                  \
    X(ELLIPSIS, "...") X(ASSIGN, "=") X(MUL_ASSIGN, "*=") X(DIV_ASSIGN, "/=")  \
    X(MOD_ASSIGN, "%=") X(ADD_ASSIGN, "+=") X(SUB_ASSIGN, "-=")                \
    X(SHL_ASSIGN, "<<=") X(SHR_ASSIGN, ">>=") X(AND_ASSIGN, "&=")              \
    X(XOR_ASSIGN, "^=") X(OR_ASSIGN, "|=") X(COMMA, ",") X(HASH, "#")          \
    X(HASHHASH, "##")

typedef enum fe_punct {
    P_NONE = 0,
#define FE_P_ENUM(e, s) P_##e,
    FE_PUNCTS(FE_P_ENUM)
#undef FE_P_ENUM
    P_COUNT
} fe_punct;

typedef struct fe_token {
    uint8_t kind;       /* fe_tkind */
    uint8_t file;       /* index into fe_ctx.files */
    uint16_t id;        /* KW_* or P_* */
    uint32_t line, col; /* 1-based, in files[file]; for tokens from a macro
                           expansion: the position of the macro's use */
    uint32_t len;       /* before text: no padding, 40 bytes a token */
    const char *text;   /* spelling (identifiers; others may be NULL) */
    union {
        struct {
            uint64_t value;
            uint8_t is_unsigned; /* u/U suffix */
            uint8_t longs;       /* 0, 1 (l) or 2 (ll) */
            uint8_t decimal;     /* written in decimal (affects its C type) */
        } i;
        struct {
            double value;
            uint8_t is_float;    /* f/F suffix */
        } f;
        struct {
            const char *bytes;   /* NUL-terminated copy in the arena */
            uint32_t len;
        } s;
    } u;
} fe_token;

/* pp.c: preprocess and tokenize files[0] (already registered in cx->files by
 * the caller). On success returns 0 and an array of tokens ending with a
 * TK_EOF token; on failure returns -1 after reporting diagnostics. */
int fe_preprocess(fe_ctx *cx, fe_token **toks, uint32_t *ntoks);

/* lex.c: the same for a short text that needs no preprocessing (no
 * directive, no macro name, no literal but plain decimals, no line splice):
 * returns 0 with the very tokens fe_preprocess would give, or -1 having
 * reported nothing, and the caller runs fe_preprocess on a fresh context.
 * For built-in prototypes, where the preprocessor's setup is most of the
 * cost. */
int fe_lex_plain(fe_ctx *cx, fe_token **toks, uint32_t *ntoks);

/* Precedence of a binary operator punctuator (1 = ||, 10 = * / %), or 0:
 * shared by the parser and the preprocessor's #if evaluator. */
static inline int fe_binop_prec(int punct)
{
    switch (punct) {
    case P_OROR: return 1;
    case P_ANDAND: return 2;
    case P_PIPE: return 3;
    case P_CARET: return 4;
    case P_AMP: return 5;
    case P_EQ: case P_NE: return 6;
    case P_LT: case P_GT: case P_LE: case P_GE: return 7;
    case P_SHL: case P_SHR: return 8;
    case P_PLUS: case P_MINUS: return 9;
    case P_STAR: case P_SLASH: case P_PERCENT: return 10;
    default: return 0;
    }
}

const char *fe_keyword_name(int kw);
const char *fe_punct_name(int p);

#endif /* KP_TOKEN_H */

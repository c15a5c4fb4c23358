/*
 * test_pp.c — unit tests of the preprocessor and lexer (pp.c, lex.c,
 * headers.c). Links only those plus diag.c and arena.c:
 *
 *   cc -std=gnu11 -Iinclude -fsanitize=address,undefined tests/unit/test_pp.c \
 *      src/front/pp.c src/front/lex.c src/front/headers.c src/front/diag.c \
 *      src/util/arena.c -o test_pp && ./test_pp
 *
 * Each case preprocesses a source and compares a rendering of the token
 * stream (identifiers and keywords by spelling, numbers by value, strings
 * quoted, punctuators by spelling) or a substring of the diagnostics.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../include/kplug.h"
#include "../../src/front/lex.h"

static int passed, failed;

typedef struct run {
    fe_ctx cx;
    fe_token *toks;
    uint32_t n;
    int rc;
} run;

static const char *test_headers(void *ud, const char *name, size_t *len)
{
    (void)ud;
    static const char kplug_h[] = "#pragma once\nint create(const char *name, const char *src);\n";
    static const char guard_h[] = "#ifndef G_H\n#define G_H\nint g;\n#endif\n";
    static const char noguard_h[] = "int ng;\n";
    static const char self_h[] = "#include \"self.h\"\n";
    static const char unterm_h[] = "#if 1\nint u;\n";
    static const char macro_h[] = "#define FROM_HEADER 42\n";
    static const char bad_h[] = "int x = @;\n";
    static const struct { const char *n, *t; size_t l; } tab[] = {
        {"kplug.h", kplug_h, sizeof kplug_h - 1}, {"guard.h", guard_h, sizeof guard_h - 1},
        {"noguard.h", noguard_h, sizeof noguard_h - 1}, {"self.h", self_h, sizeof self_h - 1},
        {"unterm.h", unterm_h, sizeof unterm_h - 1}, {"macro.h", macro_h, sizeof macro_h - 1},
        {"bad.h", bad_h, sizeof bad_h - 1},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(name, tab[i].n) == 0) {
            *len = tab[i].l;
            return tab[i].t;
        }
    return NULL;
}

static void start(run *r, const char *src, size_t len, const fe_options *o)
{
    memset(&r->cx, 0, sizeof r->cx);
    if (o)
        r->cx.opts = *o;
    kp_arena_init(&r->cx.arena, r->cx.opts.max_memory ? r->cx.opts.max_memory
                                                       : ((size_t)64 << 20) + 64 * len);
    r->cx.plugin_name = "t.c";
    r->cx.headers = test_headers;
    r->cx.files[0].name = "t.c";
    r->cx.files[0].src = src;
    r->cx.files[0].len = len;
    r->cx.nfiles = 1;
    r->rc = fe_preprocess(&r->cx, &r->toks, &r->n);
}

static void finish(run *r)
{
    free(r->cx.diag);
    kp_arena_free(&r->cx.arena);
}

static void render(const run *r, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
#define OUT(...) do { if (k < cap) { int w = snprintf(buf + k, cap - k, __VA_ARGS__); if (w > 0) k += (size_t)w; } } while (0)
    for (uint32_t i = 0; i < r->n && r->toks[i].kind != TK_EOF; i++) {
        const fe_token *t = &r->toks[i];
        if (i)
            OUT(" ");
        switch (t->kind) {
        case TK_IDENT: OUT("%.*s", (int)t->len, t->text); break;
        case TK_KEYWORD: OUT("%s", fe_keyword_name(t->id)); break;
        case TK_PUNCT: OUT("%s", fe_punct_name(t->id)); break;
        case TK_INT:
            OUT("%llu%s%s", (unsigned long long)t->u.i.value, t->u.i.is_unsigned ? "u" : "",
                t->u.i.longs == 2 ? "ll" : t->u.i.longs ? "l" : "");
            break;
        case TK_FLOAT: OUT("%g%s", t->u.f.value, t->u.f.is_float ? "f" : ""); break;
        case TK_CHAR: OUT("c%lld", (long long)(int64_t)t->u.i.value); break;
        case TK_STRING:
            OUT("\"");
            for (uint32_t j = 0; j < t->u.s.len; j++) {
                unsigned char c = (unsigned char)t->u.s.bytes[j];
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                    OUT("%c", c);
                else
                    OUT("\\x%02x", c);
            }
            OUT("\"");
            break;
        default: OUT("?"); break;
        }
    }
#undef OUT
}

#define EXPECT(cond, ...)                                                      \
    do {                                                                       \
        if (cond) {                                                            \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                        \
            printf(__VA_ARGS__);                                               \
            printf("\n");                                                      \
        }                                                                      \
    } while (0)

static char big[1 << 16];

/* src must preprocess without errors to exactly `want`. */
static void ok_at(int line, const char *src, const char *want)
{
    run r;
    start(&r, src, strlen(src), NULL);
    render(&r, big, sizeof big);
    int good = r.rc == 0 && r.cx.nerrors == 0 && strcmp(big, want) == 0 && r.n &&
               r.toks[r.n - 1].kind == TK_EOF;
    if (good)
        passed++;
    else {
        failed++;
        printf("FAIL line %d: source:\n%s\n  want: %s\n  got:  %s (rc %d)\n%s", line, src, want,
               big, r.rc, r.cx.diag ? r.cx.diag : "");
    }
    finish(&r);
}
#define OK(src, want) ok_at(__LINE__, src, want)

/* src must preprocess without errors to tokens ending with `want`. */
static void tail_at(int line, const char *src, const char *want)
{
    run r;
    start(&r, src, strlen(src), NULL);
    render(&r, big, sizeof big);
    size_t bl = strlen(big), wl = strlen(want);
    int good = r.rc == 0 && r.cx.nerrors == 0 && bl >= wl && strcmp(big + bl - wl, want) == 0 &&
               (bl == wl || big[bl - wl - 1] == ' ');
    if (good)
        passed++;
    else {
        failed++;
        printf("FAIL line %d: source:\n%s\n  want tail: %s\n  got:  %s (rc %d)\n%s", line, src,
               want, big, r.rc, r.cx.diag ? r.cx.diag : "");
    }
    finish(&r);
}
#define TAIL(src, want) tail_at(__LINE__, src, want)

/* src must fail with code and a diagnostic containing `msg`. */
static void err_at(int line, const char *src, size_t len, int code, const char *msg)
{
    run r;
    start(&r, src, len, NULL);
    int good = r.rc == -1 && r.cx.nerrors > 0 && r.cx.code == code && r.cx.diag &&
               strstr(r.cx.diag, msg) && r.toks == NULL && r.cx.depth == 0;
    if (good)
        passed++;
    else {
        failed++;
        printf("FAIL line %d: want error %d '%s', got rc %d code %d:\n%s\n", line, code, msg, r.rc,
               r.cx.code, r.cx.diag ? r.cx.diag : "(no diagnostics)");
    }
    finish(&r);
}
#define ERR(src, msg) err_at(__LINE__, src, strlen(src), KP_ERR_COMPILE, msg)
#define ERRN(src, n, msg) err_at(__LINE__, src, n, KP_ERR_COMPILE, msg)
#define LIMIT(src, msg) err_at(__LINE__, src, strlen(src), KP_ERR_LIMIT, msg)

static void test_lexer(void)
{
    OK("", "");
    OK("int x = 42;", "int x = 42 ;");
    OK("a+++++b", "a ++ ++ + b");
    OK("x->y ... . <<= >>= << >> <= >= == != && || ## # -> -- ++ += -= *= /= %= &= ^= |= ~ ? :",
       "x -> y ... . <<= >>= << >> <= >= == != && || ## # -> -- ++ += -= *= /= %= &= ^= |= ~ ? :");
    OK("<: :> <% %>", "[ ] { }");
    OK("0 7 010 0x1F 0XfF 0b101 123u 5l 6LL 7ull 8LLU 9lu 10Ul",
       "0 7 8 31 255 5 123u 5l 6ll 7ull 8ull 9ul 10ul");
    OK("18446744073709551615u 0xffffffffffffffff", "18446744073709551615u 18446744073709551615");
    OK("1.5 .5 1e3 1.5f 2.0L 0x1p4 0x1.8p1 1e-2 3.", "1.5 0.5 1000 1.5f 2 16 3 0.01 3");
    OK("'a' '\\n' '\\t' '\\\\' '\\'' '\\\"' '\\?' '\\a' '\\b' '\\f' '\\v' '\\r' '\\0'",
       "c97 c10 c9 c92 c39 c34 c63 c7 c8 c12 c11 c13 c0");
    OK("'\\xff' '\\377' '\\x7f' '\\101' '\\xA' u8'a'", "c-1 c-1 c127 c65 c10 c97");
    OK("\"ab\" \"c\\n\" \"\\x41\\101\\0z\"", "\"abc\\x0aAA\\x00z\"");
    OK("\"a\" u8\"b\" \"\"", "\"ab\"");
    OK("x \"s\" y \"t\"", "x \"s\" y \"t\"");
    OK("a // comment\nb /* multi\nline */ c", "a b c");
    OK("a/**/b/***/c/* * / */d", "a b c d");
    OK("in\\\nt x\\\n = 1\\\n2;", "int x = 12 ;");
    OK("a // comment continues \\\n still comment\nb", "a b");
    OK("\"str\\\ning\"", "\"string\"");
    OK("a /\\\n* c *\\\n/ b", "a b");
    OK("x\r\ny\r\n", "x y");
    OK("_Bool __attribute__ _Static_assert typeof", "_Bool __attribute__ _Static_assert typeof");
    ERR("$", "stray character '$'");
}

static void test_positions(void)
{
    const char *src = "int\n  x =\n\t1;\n#define M a b\n  M\nf(\\\n y)";
    run r;
    start(&r, src, strlen(src), NULL);
    EXPECT(r.rc == 0 && r.n == 12, "rc %d n %u", r.rc, r.n);
    if (r.rc == 0 && r.n == 12) {
        EXPECT(r.toks[0].line == 1 && r.toks[0].col == 1, "int");
        EXPECT(r.toks[1].line == 2 && r.toks[1].col == 3, "x at %u:%u", r.toks[1].line, r.toks[1].col);
        EXPECT(r.toks[2].line == 2 && r.toks[2].col == 5, "=");
        EXPECT(r.toks[3].line == 3 && r.toks[3].col == 2, "1");
        EXPECT(r.toks[5].line == 5 && r.toks[5].col == 3, "a from M at %u:%u", r.toks[5].line, r.toks[5].col);
        EXPECT(r.toks[6].line == 5 && r.toks[6].col == 3, "b from M");
        EXPECT(r.toks[9].line == 7 && r.toks[9].col == 2, "y at %u:%u", r.toks[9].line, r.toks[9].col);
        EXPECT(r.toks[0].kind == TK_KEYWORD && r.toks[0].id == KW_INT, "kw");
        EXPECT(r.toks[1].kind == TK_IDENT && r.toks[1].len == 1 && r.toks[1].text[0] == 'x', "ident");
    }
    finish(&r);
    /* the EOF token, and keywords produced by macros */
    start(&r, "#define T int\nT", 15, NULL);
    EXPECT(r.rc == 0 && r.n == 2 && r.toks[0].kind == TK_KEYWORD && r.toks[0].id == KW_INT &&
               r.toks[1].kind == TK_EOF, "keyword from a macro");
    finish(&r);
    /* diagnostics of a header name the header */
    start(&r, "#include <bad.h>\n", 17, NULL);
    EXPECT(r.rc == -1 && r.cx.diag && strstr(r.cx.diag, "<bad.h>:1:9: error: stray character '@'"),
           "header diag: %s", r.cx.diag ? r.cx.diag : "");
    finish(&r);
}

static void test_keywords(void)
{
    for (int k = 1; k < KW_COUNT; k++) {
        const char *n = fe_keyword_name(k);
        EXPECT(fe_lex_keyword(n, strlen(n)) == k && fe_lex_keyword(n, strlen(n) - 1) != k, "keyword %s", n);
    }
}

static void test_macros(void)
{
    OK("#define X 1\nX X", "1 1");
    OK("#define X\nX a X", "a");
    OK("#define F(a, b) a + b\nF(1, 2) F((1,2), 3)", "1 + 2 ( 1 , 2 ) + 3");
    OK("#define F(a) [a]\nF() F( ) F(F(x))", "[ ] [ ] [ [ x ] ]");
    OK("#define F() 1\nF() F", "1 F");
    OK("#define F(x) x\nF\n(2) F", "2 F");
    OK("#define F(x) x\nint F;", "int F ;");
    OK("#define S(x) #x\nS(a  +  b), S( \"q\\n\" ), S('\"'), S(), S(  a\n b  )",
       "\"a + b\" , \"\\x22q\\x5cn\\x22\" , \"'\\x22'\" , \"\" , \"a b\"");
    OK("#define C(a, b) a ## b\nC(x, y) C(1, 2) C(, y) C(x, ) C(,) C(+, =) C(<<, =)",
       "xy 12 y x += <<=");
    OK("#define C(a, b, c) a ## b ## c\nC(1, 2, 3) C(,,x)", "123 x");
    OK("#define V(...) f(__VA_ARGS__)\nV() V(1) V(1, 2, (3, 4))", "f ( ) f ( 1 ) f ( 1 , 2 , ( 3 , 4 ) )");
    OK("#define V(fmt, ...) p(fmt, ## __VA_ARGS__)\nV(a) V(a, b, c)", "p ( a ) p ( a , b , c )");
    OK("#define V(a, ...) #__VA_ARGS__\nV(1, 2,3)", "\"2,3\"");
    OK("#define a a b\na", "a b");
    OK("#define a b\n#define b a\na b", "a b");
    OK("#define f(x) x f\nf(1)(2)", "1 f ( 2 )");
    /* C standard 6.10.3.5 examples */
    OK("#define x 3\n#define f(a) f(x * (a))\n#undef x\n#define x 2\n#define g f\n#define z z[0]\n"
       "#define h g(~\n#define m(a) a(w)\n#define w 0,1\n#define t(a) a\n#define p() int\n"
       "#define q(x) x\n#define r(x,y) x ## y\n#define str(x) # x\n"
       "f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);\n"
       "g(x+(3,4)-w) | h 5) & m\n(f)^m(m);\n",
       "f ( 2 * ( y + 1 ) ) + f ( 2 * ( f ( 2 * ( z [ 0 ] ) ) ) ) % f ( 2 * ( 0 ) ) + t ( 1 ) ; "
       "f ( 2 * ( 2 + ( 3 , 4 ) - 0 , 1 ) ) | f ( 2 * ( ~ 5 ) ) & f ( 2 * ( 0 , 1 ) ) ^ m ( 0 , 1 ) ;");
    OK("#define hash_hash # ## #\n#define mkstr(a) # a\n#define in_between(a) mkstr(a)\n"
       "#define join(c, d) in_between(c hash_hash d)\njoin(x, y)",
       "\"x ## y\"");
    OK("#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)", "2 * 9 * g");
    OK("#define OBJ (1 + 2)\n#define F(x) x * OBJ\nF(OBJ)", "( 1 + 2 ) * ( 1 + 2 )");
    OK("#define E()\n#define L (\nE L )", "E ( )");
    OK("#define P a ## b\n#define Q(x) x ## P\nP Q(y)", "ab yP");
    OK("#define X 1\n#undef X\nX", "X");
    OK("#define X 1\n#define X 2\nX", "2");
    OK("#define F(x) #x\nF(\"\\\\\")", "\"\\x22\\x5c\\x5c\\x22\"");
    OK("#define CAT(a,b) a##b\n#define ONE 1\nCAT(ON, E)", "1");
    OK("#define CAT(a,b) a##b\nCAT(0x, 1F) CAT(1., e5) CAT(., 5)", "31 100000 0.5");
    OK("__LINE__\n\n__LINE__ __FILE__", "1 3 \"t.c\"");
    OK("#define L __LINE__\nL\nL", "2 3");
    OK("__kplug__ __STDC_VERSION__ __SIZEOF_POINTER__ __CHAR_BIT__", "1 201112l 4 8");
    OK("#ifdef __x86_64__\nbad\n#endif\n", "");
    OK("#define M(x) x\nM(a\nb\n)", "a b");
    OK("#define M(x) x\nM(\n#define Q 1\nQ)", "1");
    OK("#define N 3\n#define F(x) N x\nF(N)", "3 3");
    OK("#define W(x) x\nW(W(W(1)))", "1");
    OK("#define str(s) # s\n#define xstr(s) str(s)\n#define INCFILE(n) vers ## n\n"
       "xstr(INCFILE(2).h); str(strncmp(\"abc\\0d\", \"abc\", '\\4') == 0)",
       "\"vers2.h\" ; \"strncmp(\\x22abc\\x5c0d\\x22, \\x22abc\\x22, '\\x5c4') == 0\"");
}

static void test_conditionals(void)
{
    OK("#if 1\na\n#else\nb\n#endif", "a");
    OK("#if 0\na\n#elif 1\nb\n#elif 1\nc\n#else\nd\n#endif", "b");
    OK("#if 0\na\n#elif 0\nb\n#else\nd\n#endif", "d");
    OK("#define X\n#ifdef X\na\n#endif\n#ifndef X\nb\n#endif\n#ifdef Y\nc\n#endif", "a");
    OK("#if defined X || defined(Y)\na\n#endif\n#define Y\n#if defined X || defined(Y)\nb\n#endif", "b");
    OK("#if 0\n#if 1\na\n#else\nb\n#endif\n#elif 1\nc\n#endif", "c");
    OK("#if 0\n'unbalanced \" junk @ ` \\x \n#error no\n#include <nothere.h>\n#endif\nok", "ok");
    OK("#if 1 + 2 * 3 == 7 && (10 - 4) / 2 == 3 && 7 % 4 == 3 && -1 < 0 && ~0 == -1\na\n#endif", "a");
    OK("#if (1 << 62) > 0 && (1 << 63) < 0 && -1 >> 1 == -1 && 0x7fffffffffffffff + 0 > 0\na\n#endif", "a");
    OK("#if -1 > 0u\na\n#endif\n#if 18446744073709551615 == -1\nb\n#endif", "a b");
    OK("#if 'a' == 97 && '\\xff' < 0 && '\\n' == 10\na\n#endif", "a");
    OK("#if 1 ? 2 : (1/0)\na\n#endif\n#if 0 && 1/0\n#else\nb\n#endif\n#if 1 || 1%0\nc\n#endif", "a b c");
    OK("#if UNKNOWN == 0 && !UNKNOWN\na\n#endif", "a");
    OK("#define F(x) (x + 1)\n#if F(2) == 3\na\n#endif", "a");
    OK("#define D defined(Q)\n#define Q\n#if D\na\n#endif", "a");
    OK("#if (2 || 0) == 1 && (0 ? 1 : 2) == 2 && (1, 2) == 2\na\n#endif", "a");
    OK("#if 0x10 == 16 && 010 == 8 && 0b11 == 3 && 10ULL == 10\na\n#endif", "a");
    OK("#if __STDC_VERSION__ >= 201112L\na\n#endif", "a");
    OK("#if 0\n#else\n#if 0\n#endif\nx\n#endif", "x");
    OK("#\n# /* null */\nx", "x");
    OK("#pragma whatever (1)\n#warning careful\n#line 12\n#ident \"x\"\nx", "x");
    OK("# 33 \"file.c\"\nx", "x");
    OK("#if 1 //c\na\n#endif /* c\n */ b\nc", "a c");
}

static void test_includes(void)
{
    TAIL("#include <stdint.h>\nINT32_MAX UINT32_MAX INT64_MIN SIZE_MAX INTPTR_MAX UINT64_C(5)",
       "2147483647 4294967295u ( - 9223372036854775807ll - 1 ) 4294967295u 2147483647 5ull");
    TAIL("#include <stdint.h>\nint8_t", "typedef unsigned long long uintmax_t ; int8_t");
    TAIL("#include <stddef.h>\n#include <stdlib.h>\n#include <string.h>\n#include <stdio.h>\n"
       "NULL offsetof(struct s, m) EOF",
       "( ( void * ) 0 ) ( ( size_t ) & ( ( struct s * ) 0 ) -> m ) ( - 1 )");
    OK("#include <stdbool.h>\nbool true false", "_Bool 1 0");
    OK("#include <limits.h>\nCHAR_BIT INT_MAX LONG_MAX ULLONG_MAX",
       "8 2147483647 9223372036854775807l 18446744073709551615ull");
    OK("#include <float.h>\nDBL_MANT_DIG FLT_MAX", "53 3.40282e+38f");
    OK("#include <kplug.h>\n#include <kplug.h>\n#include \"kplug.h\"\n",
       "int create ( const char * name , const char * src ) ;");
    OK("#include <guard.h>\n#include <guard.h>\ng", "int g ; g");
    OK("#include <noguard.h>\n#include <noguard.h>\n", "int ng ; int ng ;");
    OK("#include <macro.h>\nFROM_HEADER", "42");
    TAIL("#define H <macro.h>\n#include <stdint.h>\n#if INT8_MAX == 127\nok\n#endif", "ok");
    /* size_t defined once */
    OK("#include <stdio.h>\n#include <string.h>\n#include <stddef.h>\nsize_t",
       "typedef unsigned int size_t ; int printf ( const char * fmt , ... ) ; int puts ( const char * s ) ; "
       "int putchar ( int c ) ; void * memcpy ( void * dst , const void * src , size_t n ) ; "
       "void * memmove ( void * dst , const void * src , size_t n ) ; "
       "void * memset ( void * dst , int c , size_t n ) ; "
       "int memcmp ( const void * a , const void * b , size_t n ) ; size_t strlen ( const char * s ) ; "
       "int strcmp ( const char * a , const char * b ) ; "
       "int strncmp ( const char * a , const char * b , size_t n ) ; "
       "char * strcpy ( char * dst , const char * src ) ; char * strchr ( const char * s , int c ) ; "
       "typedef int ptrdiff_t ; typedef double max_align_t ; size_t");
    OK("#define H <macro.h>\n#include H\nFROM_HEADER", "42");
    OK("#define H \"macro.h\"\n#include H\nFROM_HEADER", "42");
    OK("#define N macro\n#define H <N.h>\n#include H\nFROM_HEADER", "42");
    ERR("#define H 3\n#include H\n", "#include expects");
    ERR("#include\n", "#include expects");
    ERR("#include <nothere.h>\n", "header not found: <nothere.h>");
    ERR("#include nothere\n", "#include expects");
    ERR("#include <unterm.h>\n", "unterminated conditional");
    LIMIT("#include <self.h>\n", "nested deeper");
    /* The built-in headers come from tokens lexed once per process, and
     * ordinary tokens bypass expansion: user macros must still apply. */
    OK("#define long int\n#define short char\n#include <stdint.h>\nint64_t",
       "typedef signed char int8_t ; typedef char int16_t ; typedef int int32_t ; "
       "typedef int int int64_t ; typedef unsigned char uint8_t ; "
       "typedef unsigned char uint16_t ; typedef unsigned int uint32_t ; "
       "typedef unsigned int int uint64_t ; typedef signed char int_least8_t ; "
       "typedef char int_least16_t ; typedef int int_least32_t ; "
       "typedef int int int_least64_t ; typedef unsigned char uint_least8_t ; "
       "typedef unsigned char uint_least16_t ; typedef unsigned int uint_least32_t ; "
       "typedef unsigned int int uint_least64_t ; typedef signed char int_fast8_t ; "
       "typedef int int_fast16_t ; typedef int int_fast32_t ; typedef int int int_fast64_t ; "
       "typedef unsigned char uint_fast8_t ; typedef unsigned int uint_fast16_t ; "
       "typedef unsigned int uint_fast32_t ; typedef unsigned int int uint_fast64_t ; "
       "typedef int intptr_t ; typedef unsigned int uintptr_t ; typedef int int intmax_t ; "
       "typedef unsigned int int uintmax_t ; int64_t");
    OK("#define __KPLUG_SIZE_T\n#define NULL 0\n#include <string.h>\nNULL size_t",
       "void * memcpy ( void * dst , const void * src , size_t n ) ; "
       "void * memmove ( void * dst , const void * src , size_t n ) ; "
       "void * memset ( void * dst , int c , size_t n ) ; "
       "int memcmp ( const void * a , const void * b , size_t n ) ; size_t strlen ( const char * s ) ; "
       "int strcmp ( const char * a , const char * b ) ; "
       "int strncmp ( const char * a , const char * b , size_t n ) ; "
       "char * strcpy ( char * dst , const char * src ) ; char * strchr ( const char * s , int c ) ; "
       "0 size_t");
    OK("#include <stdbool.h>\n#undef true\n#define false true\nbool true false", "_Bool true true");
    TAIL("#include <stdint.h>\n#undef INT8_MAX\nINT8_MAX INT8_MIN", "uintmax_t ; INT8_MAX ( - 128 )");
    TAIL("#include <stdint.h>\n#define uint8_t(x) x\nuint8_t uint8_t(3)", "uint8_t 3");
    /* a macro defined in the middle of a run of ordinary tokens */
    OK("a b\n#define b c\na b\n#undef b\na b", "a b a c a b");
    OK("f(x) g\n#define g(y) [y]\ng(f) g\n", "f ( x ) g [ f ] g");
}

static void test_errors(void)
{
    ERR("int x = @;", "t.c:1:9: error: stray character '@'");
    ERR("`", "stray character '`'");
    ERRN("a\0b", 3, "stray character byte 0x00");
    ERR("a \xc3\xa9", "stray character byte 0xc3");
    ERR("/* open", "unterminated comment");
    ERR("\"open\nx", "unterminated string literal");
    ERR("'a", "unterminated character constant");
    ERR("'ab'", "multi-character");
    ERR("''", "empty character constant");
    ERR("L\"wide\"", "wide strings are not supported");
    ERR("u\"wide\"", "wide strings are not supported");
    ERR("U'x'", "wide character constants are not supported");
    ERR("\"a\" L\"b\"", "wide strings are not supported");
    ERR("'\\q'", "unknown escape sequence '\\q'");
    ERR("\"\\x100\"", "hex escape sequence out of range");
    ERR("\"\\x\"", "\\x used with no following hex digits");
    ERR("'\\777'", "octal escape sequence out of range");
    ERR("18446744073709551616", "integer constant is too large");
    ERR("0x", "invalid integer constant");
    ERR("09", "invalid digit '9' in octal constant");
    ERR("0b2", "invalid digit '2' in binary constant");
    ERR("12abc", "invalid suffix 'abc'");
    ERR("1lul", "invalid suffix");
    ERR("1e", "invalid floating constant");
    ERR("0x1.8", "requires an exponent");
    ERR("#error stop here  \nx", "#error stop here");
    ERR("#if 1/0\n#endif", "division by zero");
    ERR("#if 1 %% 0\n#endif", "unexpected token");
    ERR("#if 5 % 0\n#endif", "division by zero");
    ERR("#if\n#endif", "#if with no expression");
    ERR("#if (1\n#endif", "missing ')'");
    ERR("#if 1 2\n#endif", "missing binary operator");
    ERR("#if \"s\"\n#endif", "string literal in #if");
    ERR("#if 1.0\n#endif", "floating constant in preprocessor expression");
    ERR("#if 1 ?\n#endif", "expected a value");
    ERR("#if 1 ? 2\n#endif", "expected ':'");
    ERR("#if defined\n#endif", "requires an identifier");
    ERR("#if defined(X\n#endif", "missing ')' after");
    ERR("#if 1\n", "unterminated conditional");
    ERR("#endif\n", "#endif without #if");
    ERR("#else\n", "#else without #if");
    ERR("#elif 1\n", "#elif without #if");
    ERR("#if 1\n#else\n#else\n#endif", "#else after #else");
    ERR("#foo\n", "invalid preprocessing directive #foo");
    ERR("#define\n", "macro names must be identifiers");
    ERR("#define 3 x\n", "macro names must be identifiers");
    ERR("#define defined\n", "cannot be used as a macro name");
    ERR("#define F(a, a) a\n", "duplicate macro parameter");
    ERR("#define F(a b) a\n", "expected ',' or ')'");
    ERR("#define F(a\n", "expected ',' or ')'");
    ERR("#define F(\n", "missing ')'");
    ERR("#define F(1) a\n", "expected a parameter name");
    ERR("#define F(x) #y\n", "'#' is not followed by a macro parameter");
    ERR("#define F ## x\n", "'##' cannot appear at either end");
    ERR("#define F x ##\n", "'##' cannot appear at either end");
    ERR("#define F __VA_ARGS__\n", "__VA_ARGS__ can only appear");
    ERR("#define F(a) a\nF(1, 2)", "takes 1 argument, but 2 given");
    ERR("#define F(a, b) a\nF(1)", "takes 2 arguments, but 1 given");
    ERR("#define F(a) a\nF(1", "unterminated argument list invoking macro 'F'");
    ERR("#define C(a, b) a ## b\nC(+, -)", "does not give a valid preprocessing token");
    ERR("#define C(a, b) a ## b\nC(/, /)", "does not give a valid preprocessing token");
    ERR("#undef\n", "macro names must be identifiers");
    ERR("#ifdef 3\n#endif\n", "macro names must be identifiers");
    ERR("int x = @;\n@\n@\n", "t.c:3:1: error: stray");
}

static char *make(size_t n, const char *unit)
{
    size_t ul = strlen(unit);
    char *s = malloc(n * ul + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    s[n * ul] = 0;
    return s;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_robustness(void)
{
    /* a million nested parentheses in #if: a clean limit error */
    {
        size_t n = 1000000;
        char *s = malloc(2 * n + 16);
        size_t k = 0;
        memcpy(s, "#if ", 4);
        k = 4;
        for (size_t i = 0; i < n; i++)
            s[k++] = '(';
        s[k++] = '1';
        for (size_t i = 0; i < n; i++)
            s[k++] = ')';
        memcpy(s + k, "\n#endif\n", 8);
        k += 8;
        err_at(__LINE__, s, k, KP_ERR_LIMIT, "nesting deeper than the limit");
        /* ... and in ordinary code they are just tokens */
        run r;
        start(&r, s + 4, 2 * n + 1, NULL);
        EXPECT(r.rc == 0 && r.n == 2 * n + 2, "parens as tokens: rc %d n %u", r.rc, r.n);
        finish(&r);
        free(s);
    }
    /* a million nested unary operators */
    {
        char *s = make(1000000, "- ");
        char *t = malloc(strlen(s) + 20);
        sprintf(t, "#if %s1\n#endif\n", s);
        err_at(__LINE__, t, strlen(t), KP_ERR_LIMIT, "nesting deeper");
        free(s);
        free(t);
    }
    /* exponential macros */
    LIMIT("#define a0 x x\n#define a1 a0 a0\n#define a2 a1 a1\n#define a3 a2 a2\n#define a4 a3 a3\n"
          "#define a5 a4 a4\n#define a6 a5 a5\n#define a7 a6 a6\n#define a8 a7 a7\n#define a9 a8 a8\n"
          "#define b0 a9 a9\n#define b1 b0 b0\n#define b2 b1 b1\n#define b3 b2 b2\n#define b4 b3 b3\n"
          "#define b5 b4 b4\n#define b6 b5 b5\n#define b7 b6 b6\n#define b8 b7 b7\n#define b9 b8 b8\n"
          "#define c0 b9 b9\n#define c1 c0 c0\n#define c2 c1 c1\n#define c3 c2 c2\nc3\n",
          "macro expansion produces too many tokens");
    LIMIT("#define F(x) x x x x\n#define G(x) F(F(F(F(x))))\nG(G(G(G(G(1)))))",
          "too many tokens");
    LIMIT("#define S(x) #x\n#define T(x) S(x) S(x)\n#define U(x) T(T(T(T(T(T(T(T(x))))))))\n"
          "U(U(U(U(\"a\\\\\"))))", "too many");
    /* deep arguments: a clean limit error */
    {
        char *a = make(5000, "F(");
        char *b = make(5000, ")");
        char *s = malloc(strlen(a) + strlen(b) + 64);
        sprintf(s, "#define F(x) x\n%s1%s", a, b);
        err_at(__LINE__, s, strlen(s), KP_ERR_LIMIT, "error:");
        free(a);
        free(b);
        free(s);
    }
    /* self-reference through arguments */
    OK("#define f(x) f(x)\nf(f(1))", "f ( f ( 1 ) )");
    OK("#define a b\n#define b c\n#define c a\na", "a");
    /* a truncated source in every prefix length */
    {
        const char *src = "#include <stdint.h>\n#define F(a, ...) a ## 1 #a __VA_ARGS__\n"
                          "#if defined(F) && 1 ? 2 : 3\nint x = F(y, 'c', \"s\\n\") + 0x1p3 + 1.5e3;\n"
                          "#endif /* c */ // d\n";
        size_t n = strlen(src);
        for (size_t i = 0; i <= n; i++) {
            char *c = malloc(i ? i : 1);
            memcpy(c, src, i);
            run r;
            start(&r, c, i, NULL);
            EXPECT(r.cx.depth == 0 && (r.rc == 0) == (r.cx.nerrors == 0), "prefix %zu", i);
            finish(&r);
            free(c);
        }
    }
    /* binary garbage */
    {
        srand(12345);
        for (int it = 0; it < 300; it++) {
            size_t n = (size_t)(rand() % 2000);
            char *c = malloc(n + 1);
            for (size_t i = 0; i < n; i++)
                c[i] = (char)(rand() % 4 ? "#(),\"'\\\n /*ab1_x.e+"[rand() % 20] : rand() % 256);
            run r;
            start(&r, c, n, NULL);
            EXPECT(r.cx.depth == 0 && (r.rc == 0) == (r.cx.nerrors == 0), "garbage %d", it);
            finish(&r);
            free(c);
        }
    }
    /* 10 MB of source, in linear time */
    {
        char *s = make(10 * 1024 * 1024 / 32, "int f(int x) { return x + 1; }\n");
        double t0 = now();
        run r;
        start(&r, s, strlen(s), NULL);
        double dt = now() - t0;
        EXPECT(r.rc == 0 && r.n == 13 * (10 * 1024 * 1024 / 32) + 1, "10MB: rc %d n %u", r.rc, r.n);
        printf("  10 MB source: %.3f s\n", dt);
        finish(&r);
        free(s);
    }
    /* 10 MB of macro definitions and uses */
    {
        size_t n = 200000;
        char *s = malloc(n * 64);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += (size_t)sprintf(s + k, "#define M%zu(x) x + %zu\nM%zu(1)\n", i, i, i);
        double t0 = now();
        run r;
        start(&r, s, k, NULL);
        double dt = now() - t0;
        EXPECT(r.rc == 0 && r.n == 3 * n + 1, "many macros: rc %d n %u", r.rc, r.n);
        printf("  %zu macros: %.3f s\n", n, dt);
        finish(&r);
        free(s);
    }
    /* the same header included many times stays cheap */
    {
        char *s = make(100000, "#include <stdint.h>\n");
        double t0 = now();
        run r;
        start(&r, s, strlen(s), NULL);
        double dt = now() - t0;
        EXPECT(r.rc == 0 && dt < 10.0, "includes: rc %d %.3f s", r.rc, dt);
        finish(&r);
        free(s);
    }
    /* a small memory budget: a clean out-of-memory error */
    {
        fe_options o = {0};
        o.max_memory = 100000;
        char *s = make(100000, "x ");
        run r;
        start(&r, s, strlen(s), &o);
        EXPECT(r.rc == -1 && r.cx.code == KP_ERR_NOMEM, "budget: rc %d code %d", r.rc, r.cx.code);
        finish(&r);
        free(s);
    }
    /* error limit: stops after max_errors */
    {
        char *s = make(100000, "@ ");
        run r;
        start(&r, s, strlen(s), NULL);
        EXPECT(r.rc == -1 && r.cx.nerrors <= 21, "many errors: %u", r.cx.nerrors);
        finish(&r);
        free(s);
        s = make(100000, "'\n");
        start(&r, s, strlen(s), NULL);
        EXPECT(r.rc == -1 && r.cx.nerrors <= 21, "many errors: %u", r.cx.nerrors);
        finish(&r);
        free(s);
    }
}

static void bench_small(void)
{
    static const char src[] =
        "#include <stdint.h>\n#include <string.h>\n\n"
        "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n"
        "static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }\n"
        "int gray(const unsigned char *in, int n, unsigned char *out, int cap)\n{\n"
        "    int w = 0;\n    for (int i = 0; i + 2 < n && w < cap; i += 3) {\n"
        "        int y = (in[i] * 77 + in[i + 1] * 150 + in[i + 2] * 29) >> 8;\n"
        "        out[w++] = (unsigned char)clamp(MAX(y, 0), 0, 255);\n    }\n"
        "    return w;\n}\n";
    int iters = 20000;
    double t0 = now();
    for (int i = 0; i < iters; i++) {
        run r;
        start(&r, src, sizeof src - 1, NULL);
        finish(&r);
    }
    printf("  small plugin (with 2 headers): %.2f us per preprocess\n", (now() - t0) / iters * 1e6);
}


/* fe_lex_plain: where it accepts a text, the very tokens of fe_preprocess
 * (every field, the end token included); where it must decline (anything a
 * macro or the preprocessor's diagnostics could change), it does. */
static void plain(int line, const char *src, int accept)
{
    size_t len = strlen(src);
    run full;
    start(&full, src, len, NULL);
    fe_ctx cx;
    memset(&cx, 0, sizeof cx);
    kp_arena_init(&cx.arena, 0);
    cx.plugin_name = "t.c";
    cx.files[0].name = "t.c";
    cx.files[0].src = src;
    cx.files[0].len = len;
    cx.nfiles = 1;
    fe_token *t = NULL;
    uint32_t n = 0;
    int rc = fe_lex_plain(&cx, &t, &n);
    int ok = (rc == 0) == accept && !cx.nerrors && !cx.diag;
    if (ok && rc == 0) {
        ok = full.rc == 0 && n == full.n;
        for (uint32_t i = 0; ok && i < n; i++) {
            const fe_token *a = &t[i], *b = &full.toks[i];
            ok = a->kind == b->kind && a->file == b->file && a->id == b->id &&
                 a->line == b->line && a->col == b->col && a->len == b->len &&
                 (a->text == b->text || (a->text && b->text && a->len &&
                                         memcmp(a->text, b->text, a->len) == 0)) &&
                 memcmp(&a->u, &b->u, sizeof a->u) == 0;
        }
    }
    if (ok)
        passed++;
    else {
        failed++;
        fprintf(stderr, "FAIL plain line %d: rc %d (want %s), %u tokens vs %u\n", line, rc,
                accept ? "accept" : "decline", n, full.n);
    }
    free(cx.diag);
    kp_arena_free(&cx.arena);
    finish(&full);
}

static void test_plain(void)
{
    plain(__LINE__, "int send(const char *b, int n)", 1);
    plain(__LINE__, "void f(void);", 1);
    plain(__LINE__, "", 1);
    plain(__LINE__, "  /* c */ int\n  f(int a[12], ...) // tail", 1);
    plain(__LINE__, "int (*h(int))(void)\n\n", 1);
    plain(__LINE__, "int f(int a<:3:>) <% %>", 1);
    plain(__LINE__, "int f(int) int g(int) ; ; ,", 1);
    plain(__LINE__, "int f(int a[0x4])", 0);
    plain(__LINE__, "int f(int a[4u])", 0);
    plain(__LINE__, "int f(int a[__SIZEOF_INT__])", 0);
    plain(__LINE__, "int __LINE__(void)", 0);
    plain(__LINE__, "#define F f\nint F(void)", 0);
    plain(__LINE__, "int f(void) # x", 0);
    plain(__LINE__, "int f(void) %: x", 0);
    plain(__LINE__, "int f(void) %:%: x", 0);
    plain(__LINE__, "int f(void) ## x", 0);
    /* '_' or '%' alone is no reason to decline */
    plain(__LINE__, "int _a, _b__, a__b; int f(int _c) { return _c % 2 %> _a; }", 1);
    plain(__LINE__, "int _a, __b;", 0);
    /* the simplest character constants are taken, with their values */
    plain(__LINE__, "int f(char c = 'a')", 1);
    plain(__LINE__, "int f(int c) { return c == '\\n' || c == '\\'' || c == '\\\\' || c == '\\0'; }", 1);
    plain(__LINE__, "int f(int c) { return c == '\"' || c == '\\\"' || c == '\\t' || c == '\\r'; }", 1);
    plain(__LINE__, "int f(int c) { return c == '#' || c == '\\xff' ; }", 0);
    plain(__LINE__, "int f(int c) { return c == '\\377'; }", 0);
    plain(__LINE__, "int f(int c) { return c == 'ab'; }", 0);
    plain(__LINE__, "int f(int c) { return c == ''; }", 0);
    plain(__LINE__, "int f(int c) { return c == '\\q'; }", 0);
    plain(__LINE__, "int f(int c) { return c == 'a; }", 0);
    plain(__LINE__, "int f(int c) { return c == u8'a'; }", 0);
    plain(__LINE__, "int f(int c) { return c == L'a'; }", 0);
    plain(__LINE__, "int f(int c) { return c == '\xe9'; }", 1);
    /* comments, even with '#' or quotes in them, and / % as operators */
    plain(__LINE__, "/* \"x\" #if\n * y\n */ int f(int a)\n{ return a / 3 % 2; } // #x \"", 1);
    plain(__LINE__, "int f(int a) { a /= 3; a %= 2; return a/*x*//2; }", 1);
    plain(__LINE__, "int f(int a) { return a /**/ + /***/ 1 /** / **/; }\n/*\n\n*/ int g;", 1);
    plain(__LINE__, "int f(int a) { return a; } // x \\\n int g;", 0);
    plain(__LINE__, "int f(int a) { return a; } /* x *\\\n/ int g;", 0);
    plain(__LINE__, "int f(int a) { return a %> 2; }", 1); /* a digraph */
    plain(__LINE__, "int f(const char *s = \"x\")", 0);
    plain(__LINE__, "int f(in\\\nt)", 0);
    plain(__LINE__, "int @f(void)", 0);
    plain(__LINE__, "int f(void) /* open", 0);
}

int main(void)
{
    test_lexer();
    test_positions();
    test_keywords();
    test_macros();
    test_conditionals();
    test_includes();
    test_errors();
    test_robustness();
    test_plain();
    bench_small();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/*
 * test_parse.c — unit tests of the parser and semantic analysis (parse*.c,
 * init.c, sema_const.c, types.c) through fe_preprocess + fe_parse and the
 * AST printer (ast_dump.c):
 *
 *   cc -std=gnu11 -Iinclude -Isrc -fsanitize=address,undefined \
 *      tests/unit/test_parse.c build/libkplug.a -lpthread -lm && ./a.out
 *
 * OK cases compare the dump (a golden string, or lines that must appear in
 * it); ERR cases compare the first diagnostic "t.c:line:col: error: text".
 * Robustness cases feed hostile token streams and only require a clean
 * failure (or success) within a time bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../include/kplug.h"
#include "../../src/front/parse.h"

/* the NATIVE tables below override initializers on purpose */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Woverride-init"
#endif

static int passed, failed;

typedef struct prun {
    fe_ctx cx;
    ast_unit *u;
    char *dump;
} prun;

static const char *no_headers(void *ud, const char *name, size_t *len)
{
    (void)ud;
    static const char kplug_h[] = "int create(const char *name, const char *source);\n"
                                  "void *lookup(const char *name);\nint delete(const char *name);\n";
    if (strcmp(name, "kplug.h") == 0) {
        *len = sizeof kplug_h - 1;
        return kplug_h;
    }
    return NULL;
}

static void prun_start(prun *r, const char *src, size_t len, const fe_options *o)
{
    memset(r, 0, sizeof *r);
    if (o)
        r->cx.opts = *o;
    kp_arena_init(&r->cx.arena, r->cx.opts.max_memory ? r->cx.opts.max_memory
                                                       : ((size_t)64 << 20) + 64 * len);
    r->cx.plugin_name = "t.c";
    r->cx.files[0].name = "t.c";
    r->cx.files[0].src = src;
    r->cx.files[0].len = len;
    r->cx.nfiles = 1;
    r->cx.headers = no_headers;
    fe_token *toks = NULL;
    uint32_t n = 0;
    if (fe_preprocess(&r->cx, &toks, &n) == 0 && !r->cx.nerrors)
        r->u = fe_parse(&r->cx, toks, n);
    if (r->u)
        r->dump = fe_ast_dump(r->u);
}

static void prun_end(prun *r)
{
    free(r->dump);
    free(r->cx.diag);
    kp_arena_free(&r->cx.arena);
}

static void check_ok(int line, const char *src, const char *expect, int exact)
{
    prun r;
    prun_start(&r, src, strlen(src), NULL);
    int ok = r.u && r.dump && !r.cx.nerrors;
    if (ok && expect) {
        if (exact) {
            ok = strcmp(r.dump, expect) == 0;
        } else {
            /* every line of expect must appear in the dump */
            const char *p = expect;
            while (ok && *p) {
                const char *e = strchr(p, '\n');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                char buf[2048];
                if (n >= sizeof buf)
                    n = sizeof buf - 1;
                memcpy(buf, p, n);
                buf[n] = 0;
                if (n && !strstr(r.dump, buf)) {
                    ok = 0;
                    fprintf(stderr, "  missing: %s\n", buf);
                }
                p += n + (e ? 1 : 0);
            }
        }
    }
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL line %d\n--- source\n%s\n--- diagnostics\n%s--- dump\n%s\n--- expected\n%s\n",
                line, src, r.cx.diag ? r.cx.diag : "", r.dump ? r.dump : "(none)",
                expect ? expect : "");
    }
    prun_end(&r);
}

#define OK(src, expect) check_ok(__LINE__, src, expect, 0)
#define GOLDEN(src, expect) check_ok(__LINE__, src, expect, 1)

static void check_err(int line, const char *src, const char *expect)
{
    prun r;
    prun_start(&r, src, strlen(src), NULL);
    int ok = !r.u && r.cx.nerrors && r.cx.diag && strstr(r.cx.diag, expect);
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL line %d\n--- source\n%s\n--- diagnostics\n%s--- expected\n%s\n",
                line, src, r.cx.diag ? r.cx.diag : "(none)", expect);
    }
    prun_end(&r);
}

#define ERR(src, expect) check_err(__LINE__, src, expect)

/* ---- golden dumps -------------------------------------------------------- */

static void test_golden(void)
{
    GOLDEN("int g = 5;\n"
           "static int arr[3] = {1, 2, 3};\n"
           "const char *msg = \"hi\";\n"
           "struct P { int x, y; char c; };\n"
           "int add(int a, int b) { return a + b; }\n"
           "int main(void) {\n"
           "    int i, s = 0;\n"
           "    struct P p = { 1, 2 };\n"
           "    for (i = 0; i < 3; i++) s += arr[i];\n"
           "    if (s > 2) s = add(s, p.y); else s--;\n"
           "    char buf[4] = \"abc\";\n"
           "    long l = s * 2L;\n"
           "    return (int)l + buf[0] + msg[1];\n"
           "}\n",
           "global g:int = {0:int 5}\n"
           "global arr:arr(int,3) static used = {0:int 1, 4:int 2, 8:int 3}\n"
           "global msg:ptr(const char) used = {0:ptr(const char) \"hi\\x00\"}\n"
           "func add:fn(int,int)->int\n"
           "  locals: param a:int param b:int\n"
           "  block\n"
           "    return (add:int a:int b:int)\n"
           "func main:fn()->int\n"
           "  locals: i:int s:int p:struct P& buf:arr(char,4)& l:long\n"
           "  block\n"
           "    decl i:int\n"
           "    decl s:int = {0:int 0:int}\n"
           "    decl p:struct P = {0:int 1:int, 4:int 2:int}\n"
           "    for (lt:int cmp=int i:int 3:int) step (postinc:int i:int)\n"
           "      init:\n"
           "        expr (assign:int i:int 0:int)\n"
           "      expr (opassign[add]:int op=int s:int (deref:int (ptradd:ptr(int) *4 (decay:ptr(int) arr:arr(int,3)) i:int)))\n"
           "    if (gt:int cmp=int s:int 2:int)\n"
           "      expr (assign:int s:int (call:int add:fn(int,int)->int s:int (member:int .y@4 p:struct P)))\n"
           "    else\n"
           "      expr (postdec:int s:int)\n"
           "    decl buf:arr(char,4) = {0:arr(char,4) bytes \"abc\\x00\"}\n"
           "    decl l:long = {0:long (mul:long (cast:long s:int) 2:long)}\n"
           "    return (add:int (add:int (cast:int l:long) (cast:int (deref:char (ptradd:ptr(char) *1 (decay:ptr(char) buf:arr(char,4)) 0:int)))) (cast:int (deref:const char (ptradd:ptr(const char) *1 msg:ptr(const char) 1:int))))\n");
}

/* ---- declarations and types ---------------------------------------------- */

static void test_decls(void)
{
    OK("int a, *b, c[4], (*d)[4], *e[4], (*f)(int), **g;\n",
       "global a:int\nglobal b:ptr(int)\nglobal c:arr(int,4)\nglobal d:ptr(arr(int,4))\n"
       "global e:arr(ptr(int),4)\nglobal f:ptr(fn(int)->int)\nglobal g:ptr(ptr(int))");
    OK("long unsigned int long a; signed char b; short unsigned c; long double d; _Bool e;"
       "unsigned f; signed g; const volatile int h; int const *const i;",
       "global a:unsigned long long\nglobal b:signed char\nglobal c:unsigned short\n"
       "global d:long double\nglobal e:_Bool\nglobal f:unsigned int\nglobal g:int\n"
       "global h:const volatile int\nglobal i:const ptr(const int)");
    OK("int (*(*x)(int))(char); void (*sig(int, void (*)(int)))(int);",
       "global x:ptr(fn(int)->ptr(fn(char)->int))");
    OK("typedef int T; T x; int f(void) { T T = 1; return T; }\n"
       "typedef T *PT; PT y; typedef int A3[3]; A3 z;",
       "global x:int\nglobal y:ptr(int)\nglobal z:arr(int,3)\n    decl T:int = {0:int 1:int}");
    OK("int m[2][3][4]; int n = sizeof m / sizeof m[0];",
       "global m:arr(arr(arr(int,4),3),2)\nglobal n:int = {0:int 2}");
    OK("struct S { char a; int b; short c; } s; int n = sizeof(struct S);"
       "union U { char a; double d; int i[3]; } u; int nu = sizeof(union U), au = _Alignof(union U);",
       "global n:int = {0:int 12}\nglobal nu:int = {0:int 16}\nglobal au:int = {0:int 8}");
    OK("struct B { unsigned a:3, b:5; int c:10; unsigned long d:40; char e; int :0; char f; };"
       "int n = sizeof(struct B);"
       "struct B b = {1, 2, -3, 5, 'x', 'y'};",
       "global n:int = {0:int 16}\n"
       "global b:struct B = {0@0:3:unsigned int 1, 0@3:5:unsigned int 2, 0@8:10:int -3, "
       "0@18:40:unsigned long 5, 8:char 120, 12:char 121}");
    OK("struct C { char a; int b:4; char c; }; int n = sizeof(struct C);"
       "struct D { char a; long x:4; }; int m = sizeof(struct D);",
       "global n:int = {0:int 4}\nglobal m:int = {0:int 8}");
    OK("struct A { struct { int x; int y; }; union { int u; float v; }; int arr[2]; };\n"
       "struct A sa = { .x = 1, .v = 2.5f, .arr[1] = 7 };\n"
       "int f(void) { return sa.y + sa.u; }",
       "global sa:struct A used = {0:int 1, 8:float 2.5, 16:int 7}\n"
       "(member:int .y@4 (member:struct <anon> .<anon>@0 sa:struct A))");
    OK("enum E { A, B = 5, C, D = A + 10 }; int x[C]; enum E e = D; int n = sizeof(enum E);",
       "global x:arr(int,6)\nglobal e:enum E = {0:enum E 10}\nglobal n:int = {0:int 4}");
    OK("struct L; struct L *p; struct L { int v; struct L *next; }; int n = sizeof(struct L);"
       "const struct L *cp; int f(void) { return cp->v; }",
       "global n:int = {0:int 8}\n(member:const int .v@0 (deref:const struct L cp:ptr(const struct L)))");
    OK("int f(); int f(void) { return 1; } int g(int, char *); int g(int a, char *b) { return a; }",
       "func f:fn()->int\nfunc g:fn(int,ptr(char))->int");
    OK("int f(int a[], int b[3][4], int c(int)) { return sizeof a + sizeof b; }",
       "func f:fn(ptr(int),ptr(arr(int,4)),ptr(fn(int)->int))->int");
    OK("extern int x; int x = 3; int y; int y; extern int z[]; int z[4];",
       "global x:int = {0:int 3}\nglobal y:int\nglobal z:arr(int,4)");
    OK("int a[]; int b[] = {1, 2};", "global a:arr(int,1)\nglobal b:arr(int,2)");
    OK("static int helper(int x); static int helper(int x) { return x; } int f(void) { return helper(1); }",
       "func helper:fn(int)->int static");
    OK("int puts(const char *s); int f(void) { return puts(\"x\"); }\n"
       "void *memcpy(void *d, const void *s, unsigned n); int unused(int);",
       "fdecl puts:fn(ptr(const char))->int");
    OK("__attribute__((unused)) static inline int f(void) __attribute__((noinline));"
       "static inline int f(void) { return 0; } _Noreturn void g(void); int h(void) { return f(); }",
       NULL);
    OK("int f(void) { int x = 0; { int x = 1; x++; } for (int x = 5; x; x--) ; return x; }",
       "locals: x:int x:int x:int");
    OK("_Static_assert(sizeof(long) == 8, \"long\"); _Static_assert(1);", NULL);
    OK("typedef struct { int a; } S1; S1 s; typedef union { int a; char b; } U1; U1 u;",
       "global s:struct <anon>\nglobal u:union <anon>");
    OK("int f(void) { struct S { int a; } s = {1}; { struct S { char c; } t = {2}; return t.c; } }",
       "decl t:struct S = {0:char 2:char}");
    OK("struct F { int n; int data[]; }; int n = sizeof(struct F);", "global n:int = {0:int 4}");
    OK("char *p = (char *)0, *q = 0; void *v = (void *)16; int (*fp)(void) = 0;",
       "global p:ptr(char) = {0:ptr(char) 0}\nglobal v:ptr(void) = {0:ptr(void) 16}");
    OK("typeof(int *) a; int b; typeof(b) c;", "global a:ptr(int)\nglobal c:int");
    OK("typedef int T; int f(T); int g(int T) { return T * 2; }\n"
       "int h(int *p) { T * x = p; { int T = 3; return T * *x + (int)sizeof(T); } }\n"
       "long k(int *p) { return (long)(T)*p + sizeof (T) + sizeof(T*); }",
       "func g:fn(int)->int\n    return (mul:int T:int 2:int)\n    decl x:ptr(int) = {0:ptr(int) p:ptr(int)}\n"
       "(mul:int T:int (deref:int x:ptr(int)))");
    OK("typedef struct S S; struct S { S *next; int v; }; S s = { &s, 1 };",
       "global s:struct S used = {0:ptr(struct S) &s, 4:int 1}");
    OK("int f(void) { int a = 1; typedef int a_t; a_t b = a; goto a; a: return b; }",
       "label a");
}

/* ---- expressions ----------------------------------------------------------- */

static void test_exprs(void)
{
    OK("int f(int a, unsigned u, long l, char c, unsigned char uc, short s) {\n"
       "  return a + u + l + c + uc + s; }",
       "(add:long (cast:long (add:unsigned int (cast:unsigned int a:int) u:unsigned int)) l:long)");
    OK("unsigned long f(unsigned u, long l) { return u + l; }",
       "(add:long (cast:long u:unsigned int) l:long)");
    OK("unsigned long f(unsigned long ul, long long ll) { return ul + ll; }",
       "(add:unsigned long long (cast:unsigned long long ul:unsigned long) (cast:unsigned long long ll:long long))");
    OK("double f(float x, int i) { return x * i + 1.0; }",
       "(add:double (cast:double (mul:float x:float (cast:float i:int))) 1:double)");
    OK("int f(int *p, int *q, int i) { return (p + i == q) + (q - p) + *(i + p) + p[i] + i[p]; }",
       "(ptradd:ptr(int) *4 p:ptr(int) i:int)\n(ptrdiff:int *4 q:ptr(int) p:ptr(int))");
    OK("int f(int *p, long n) { p -= n; p += 2; return *(p - 1); }",
       "(opassign[ptradd]:ptr(int) op=ptr(int) *4 p:ptr(int) (neg:long n:long))\n"
       "(ptradd:ptr(int) *4 p:ptr(int) -1:int)");
    OK("int f(int a, int b) { return a << b | a >> 2 & ~b ^ !a; }",
       "(bitor:int (shl:int a:int b:int) (bitxor:int (bitand:int (shr:int a:int 2:int) (bitnot:int b:int)) (lognot:int a:int)))");
    OK("int f(long a, char b) { return a << b; }", "(shl:long a:long (cast:int b:char))");
    OK("int f(int a, int b) { return a && b || !a; }",
       "(logor:int (logand:int a:int b:int) (lognot:int a:int))");
    OK("int f(int a, int b) { return a = b = 3, a += b, a *= 2.5; }",
       "(opassign[mul]:int op=double a:int 2.5:double)\n(opassign[add]:int op=int a:int b:int)");
    OK("int f(char c) { c += 1; c <<= 2; return c; }",
       "(opassign[add]:char op=int c:char 1:int)\n(opassign[shl]:char op=int c:char 2:int)");
    OK("int f(int x, int *p, void *v) { return x ? p == 0 : v != p; }",
       "(cond:int x:int (eq:int cmp=ptr(int) p:ptr(int) (cast:ptr(int) 0:int)) (ne:int cmp=ptr(void) v:ptr(void) (cast:ptr(void) p:ptr(int))))");
    OK("void *f(int x, int *p, char *c) { return x ? p : (void *)c; }",
       "(cond:ptr(void) x:int (cast:ptr(void) p:ptr(int)) (cast:ptr(void) c:ptr(char)))");
    OK("int *f(int x, int *p) { return x ? p : 0; }", "(cond:ptr(int) x:int p:ptr(int) (cast:ptr(int) 0:int))");
    OK("struct S { int a; }; struct S f(int x, struct S s, struct S t) { return x ? s : t; }",
       "(cond:struct S x:int s:struct S t:struct S)");
    OK("int f(int i) { int x = i++ + ++i - i-- - --i; return x; }",
       "(postinc:int i:int)\n(preinc:int i:int)\n(postdec:int i:int)\n(predec:int i:int)");
    OK("int f(int *p, double d, _Bool b) { p++; --d; b++; return 0; }",
       "(postinc:ptr(int) *4 p:ptr(int))\n(predec:double d:double)\n(postinc:_Bool b:_Bool)");
    OK("void f(void) { 2147483647; 2147483648; 0x80000000; 4294967296; 10u; 077; 1ll; 0xffffffffffffffff; 4294967295u; 4294967296u; 0x7fffffffffffffffl; 9223372036854775808; 1ull; 0xffffffffll; }",
       "expr 2147483647:int\nexpr 2147483648:long\nexpr 2147483648:unsigned int\nexpr 4294967296:long\nexpr 10:unsigned int\nexpr 63:int\nexpr 1:long long\nexpr 18446744073709551615:unsigned long\n"
       "expr 4294967295:unsigned int\nexpr 4294967296:unsigned long\nexpr 9223372036854775807:long\nexpr 9223372036854775808:unsigned long\nexpr 1:unsigned long long\nexpr 4294967295:long long");
    OK("int f(void) { return 'a' + '\\n' + sizeof 'a' + sizeof(char) + sizeof(\"abc\"); }",
       "97:int\n10:int\n4:unsigned int\n1:unsigned int");
    OK("float f(void) { return 1.5f + 2.0; }", "(add:double 1.5:double 2:double)");
    OK("int g(int); int f(void) { int (*p)(int) = g, (*q)(int) = &g, (*r)(int) = *g; return p(1) + (*q)(2) + (**r)(3) + g(4); }",
       "decl p:ptr(fn(int)->int) = {0:ptr(fn(int)->int) (decay:ptr(fn(int)->int) g:fn(int)->int)}\n"
       "decl q:ptr(fn(int)->int) = {0:ptr(fn(int)->int) (addr:ptr(fn(int)->int) g:fn(int)->int)}\n"
       "(call:int p:ptr(fn(int)->int) 1:int)\n(call:int q:ptr(fn(int)->int) 2:int)\n(call:int r:ptr(fn(int)->int) 3:int)\n(call:int g:fn(int)->int 4:int)");
    OK("int printf(const char *, ...); int f(char c, float x, short s) { return printf(\"%d\", c, x, s, \"s\"); }",
       "(call:int printf:fn(ptr(const char),...)->int (cast:ptr(const char) (decay:ptr(char) \"%d\\x00\")) (cast:int c:char) (cast:double x:float) (cast:int s:short) (decay:ptr(char) \"s\\x00\"))");
    OK("struct S { int a[3]; struct { int z; } in; } s; int f(struct S *p) { return p->a[1] + s.in.z + (&s)->a[0]; }",
       "(member:arr(int,3) .a@0 (deref:struct S p:ptr(struct S)))\n(member:int .z@0 (member:struct <anon> .in@12 s:struct S))");
    OK("int f(void) { int a[4]; int *p = &a[1]; int (*q)[4] = &a; return *p + (*q)[0] + sizeof(a) + sizeof(&a); }",
       "locals: a:arr(int,4)& p:ptr(int) q:ptr(arr(int,4))\n16:unsigned int\n4:unsigned int");
    OK("int f(int x) { int *p = &x; return *p; } int g(int y) { return y; }",
       "locals: param x:int& p:ptr(int)\nlocals: param y:int\n");
    OK("int f(void) { int x = 1; return (long)&x != 0 && (char)x; }", "(cast:char x:int)");
    OK("void g(void); void f(int x) { (void)x; x ? g() : g(); return g(); }",
       "expr (cast:void x:int)\n(cond:void x:int (call:void g:fn()->void) (call:void g:fn()->void))\n"
       "    block\n      expr (call:void g:fn()->void)\n      return\n");
    OK("unsigned f(void) { return sizeof(int[3]) + sizeof(int (*)[3]) + sizeof(struct { char c[5]; }) + _Alignof(long); }",
       "12:unsigned int\n4:unsigned int\n5:unsigned int\n8:unsigned int");
    OK("struct S { int a; char b; }; unsigned o = (unsigned)&((struct S *)0)->b;"
       "unsigned p = (unsigned)(unsigned long)&((struct S *)0)->b;",
       "global o:unsigned int = {0:unsigned int 4}\nglobal p:unsigned int = {0:unsigned int 4}");
    OK("int f(int x) { return -x + +x + (-2147483647 - 1) / -1 % 7; }", NULL);
    OK("const char *f(void) { return __func__; }", "\"f\\x00\"");
    OK("int f(int x) { return (x, 2) + (x = 3, x); }", "(comma:int x:int 2:int)");
    OK("int f(char *s) { return s[0] == 'a' ? 1 : s == \"x\"; }", NULL);
    OK("int f(void) { return (int){5} + ((int[]){1, 2})[1]; }",
       "(compound:int local[0=5:int])\n(compound:arr(int,2) local[0=1:int 4=2:int])");
    OK("int *p = (int[]){1, 2, 3}; int f(void) { return p[1]; }",
       "global p:ptr(int) used = {0:ptr(int) &__compound.1}\n"
       "global __compound.1:arr(int,3) static used = {0:int 1, 4:int 2, 8:int 3}");
    OK("int f(_Bool b, float x, int *p) { return !x + !p + b; }",
       "(lognot:int x:float)\n(lognot:int p:ptr(int))");
    OK("struct S { int a; } s, t; void f(void) { s = t; }", "(assign:struct S s:struct S t:struct S)");
    OK("int f(unsigned char c) { switch (c) { case 1: return 1; case 'a': return 2; case 300: return 3; } return 0; }",
       "switch (cast:int c:unsigned char) cases=[1,97,300]");
    OK("int f(long v) { switch (v) { case 1: case -1: break; default: break; } return 0; }",
       "switch v:long cases=[1,-1] default");
    OK("int f(unsigned v) { switch (v) { case -1: return 1; } return 0; }",
       "cases=[4294967295]");
    OK("int f(int x) { L1: if (x) goto L2; x++; goto L1; L2: return x; }",
       "label L1\ngoto L2\nlabel L2");
    OK("int f(int n) { int s = 0; for (;;) { if (n-- == 0) break; while (1) { if (s) break; s++; continue; } } return s; }",
       "break ->1:27\nbreak ->1:59\ncontinue ->1:59");
}

/* ---- initializers ----------------------------------------------------------- */

static void test_inits(void)
{
    OK("int m2[2][3] = { 1, 2, 3, 4, 5 };", "global m2:arr(arr(int,3),2) = {0:int 1, 4:int 2, 8:int 3, 12:int 4, 16:int 5}");
    OK("int m[2][2] = { {1}, {2, 3} };", "global m:arr(arr(int,2),2) = {0:int 1, 8:int 2, 12:int 3}");
    OK("char s3[3] = \"abc\"; char sx[] = \"hello\"; char sb[] = {\"hi\"}; char sz[8] = \"ab\";",
       "global s3:arr(char,3) = {0:arr(char,3) bytes \"abc\"}\n"
       "global sx:arr(char,6) = {0:arr(char,6) bytes \"hello\\x00\"}\n"
       "global sb:arr(char,3) = {0:arr(char,3) bytes \"hi\\x00\"}\n"
       "global sz:arr(char,8) = {0:arr(char,8) bytes \"ab\\x00\"}");
    OK("char t[2][4] = { \"ab\", \"cde\" }; const char *names[] = { \"x\", \"yy\", 0 };",
       "global t:arr(arr(char,4),2) = {0:arr(char,4) bytes \"ab\\x00\", 4:arr(char,4) bytes \"cde\\x00\"}\n"
       "global names:arr(ptr(const char),3) = {0:ptr(const char) \"x\\x00\", 4:ptr(const char) \"yy\\x00\", 8:ptr(const char) 0}");
    OK("int des[] = { [5] = 1, [2] = 3, 4 };", "global des:arr(int,6) = {8:int 3, 12:int 4, 20:int 1}");
    OK("int ov[4] = { 1, 2, 3, 4, [1] = 9, [0] = 8 };", "global ov:arr(int,4) = {0:int 8, 4:int 9, 8:int 3, 12:int 4}");
    OK("struct P { int x, y; }; struct P ps[] = { 1, 2, [3].y = 5, {7} };",
       "global ps:arr(struct P,5) = {0:int 1, 4:int 2, 28:int 5, 32:int 7}");
    OK("struct P { int x, y; }; struct Q { struct P a, b; int c; } q = { .b = {1, 2}, .a.y = 3, 4 };",
       "global q:struct Q = {4:int 3, 8:int 4, 12:int 2}");
    OK("struct P { int x, y; }; struct Q { struct P a; int c; } q = { .a = {1, 2}, .a = {5} };",
       "global q:struct Q = {0:int 5}");
    OK("union U { int i; char c[4]; float f; } u1 = {5}, u2 = {.f = 1.5f}, u3 = {.c = \"ab\"}, u4 = {.i = 1, .c[1] = 2};",
       "global u1:union U = {0:int 5}\nglobal u2:union U = {0:float 1.5}\n"
       "global u3:union U = {0:arr(char,4) bytes \"ab\\x00\"}\nglobal u4:union U = {1:char 2}");
    OK("int x = {5}; int y = {{6}}; double d = 1; float f = 2.5; long l = 'a';",
       "global x:int = {0:int 5}\nglobal y:int = {0:int 6}\nglobal d:double = {0:double 1}\n"
       "global f:float = {0:float 2.5}\nglobal l:long = {0:long 97}");
    OK("int a[10]; int *p = &a[3]; int *q = a + 2; char *s = \"abc\" + 1; int (*fp)(void); int f(void); int (*fq)(void) = f;"
       "struct S { int a; int b; } st; int *pb = &st.b; long n = (long)(char *)16;",
       "global p:ptr(int) = {0:ptr(int) &a+12}\nglobal q:ptr(int) = {0:ptr(int) &a+8}\n"
       "global s:ptr(char) = {0:ptr(char) \"abc\\x00\"+1}\nglobal fq:ptr(fn()->int) = {0:ptr(fn()->int) &f}\n"
       "global pb:ptr(int) = {0:ptr(int) &st+4}");
    OK("int f(int v) { static int cnt = 2; static int *pc = &cnt; int a[3] = { v, [2] = v + 1 }; struct { int x; char s[4]; } t = { v, \"ab\" }; return a[0] + *pc + t.x; }",
       "global f.cnt.1:int static used = {0:int 2}\nglobal f.pc.2:ptr(int) static used = {0:ptr(int) &f.cnt.1}\n"
       "decl a:arr(int,3) = {0:int v:int, 8:int (add:int v:int 1:int)}\n"
       "decl t:struct <anon> = {0:int v:int, 4:arr(char,4) bytes \"ab\\x00\"}");
    OK("struct S { int a; int b; }; int f(struct S x) { struct S y = x, z = { .b = x.a }; return y.a + z.b; }",
       "decl y:struct S = {0:struct S x:struct S}\ndecl z:struct S = {4:int (member:int .a@0 x:struct S)}");
    OK("struct B { unsigned a:4; unsigned b:4; } b = { .b = 3, .a = 1 };",
       "global b:struct B = {0@0:4:unsigned int 1, 0@4:4:unsigned int 3}");
    OK("struct B { int a:3; } b = { 5 };", "global b:struct B = {0@0:3:int -3}");
    OK("int a[3] = {}; struct { int x; } s = {};", "global a:arr(int,3) = {}");
    OK("double d[] = { 1, 2.5f, 'a' }; _Bool bb = 5; char c = 300; unsigned char uc = -1;",
       "global d:arr(double,3) = {0:double 1, 8:double 2.5, 16:double 97}\n"
       "global bb:_Bool = {0:_Bool 1}\nglobal c:char = {0:char 44}\nglobal uc:unsigned char = {0:unsigned char 255}");
    OK("int i = 3.9; unsigned u = -1.0; int big = 1e20; float fl = 16777217;",
       "global i:int = {0:int 3}\nglobal u:unsigned int = {0:unsigned int 4294967295}\n"
       "global big:int = {0:int -2147483648}\nglobal fl:float = {0:float 1.67772e+07}");
    OK("struct N { struct N *next; int v; } a = { &a, 1 }, b = { &a, 2 };",
       "global a:struct N used = {0:ptr(struct N) &a, 4:int 1}");
    /* a member designated after a struct value refines it: the other
       members keep the value's (C semantics); the whole struct again
       replaces it */
    OK("struct S { int a, b; }; struct T { struct S s; int c; }; int f(struct S x) { struct T t = { .s = x, .s.a = 1 }; return t.s.b; }",
       "decl t:struct T = {0:struct S x:struct S, 0:int 1:int}");
    OK("struct S { int a, b; }; struct T { struct S s; int c; }; int f(struct S x) { struct T t = { .s = x, .s.b = 2, .c = 3 }; return t.s.a; }",
       "decl t:struct T = {0:struct S x:struct S, 4:int 2:int, 8:int 3:int}");
    OK("struct S { int a, b; }; struct T { struct S s; int c; }; int f(struct S x, struct S y) { struct T t = { .s = x, .s.a = 1, .s = y }; return t.s.a; }",
       "decl t:struct T = {0:struct S y:struct S}");
    OK("struct S { int a, b; }; struct T { struct S s; int c; }; int f(struct S x) { struct T t = { .s = x, .s = {5} }; return t.s.a; }",
       "decl t:struct T = {0:int 5:int}");
}


/* ---- static initializers rendered to bytes, against the native compiler ---- */

#define NATIVE(name, ...) static __VA_ARGS__; static const char *name##_src = #__VA_ARGS__ ";";

NATIVE(n1, int n1[40] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})
NATIVE(n2, int n2[40] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, [3] = 99, 5, [39] = 7, [20] = -1})
NATIVE(n3, struct { char c; int i; short s; } n3[20] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}, {13, 14, 15}, {16, 17, 18}, {19, 20, 21}, {22, 23, 24}, {25, 26, 27}, {28, 29, 30}, [15] = {1, 1, 1}, [2].s = 77})
NATIVE(n4, unsigned char n4[100] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, [50] = 255})
NATIVE(n5, double n5[20] = {1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5, -1e300, 1e-300, 0.1})
NATIVE(n6, struct { unsigned a : 3; int b : 7; char c; float f; short arr[3]; } n6[18] = {{1, -2, 3, 4.5f, {1, 2, 3}}, {7, 63, -1, -0.f, {4}}, [5] = {.c = 9, .arr[2] = 5}, [17].f = 1e10f})
NATIVE(n7, union { int i; char c[8]; double d; } n7[20] = {{1}, {2}, {.d = 2.5}, {.c = "abcdefg"}, [19].c[3] = 9, [0].c[1] = 1})
NATIVE(n8, struct { int a[4]; char s[6]; } n8[20] = {{{1, 2, 3, 4}, "hello"}, {{5}, "x"}, {.s = "ab", .a = {9, 9}}, [10] = {{1, 2, 3, 4}, {1, 2, 3, 4, 5, 6}}, {.a[2] = 3, .a = {4}}})
NATIVE(n10, struct { int kind; union { struct { int w, h; }; int radius; }; } n10[3] = {{.kind = 0, .w = 3, .h = 4}, {1, {.radius = 2}}, {.w = 5, .h = 6, .w = 7}})
NATIVE(n9, char n9[3][20] = {"abcdefghijklmnopqrs", "0123456789012345678", [0][5] = 'X'})

static void render_check(int line, const char *src, const char *name, const void *native, size_t size)
{
    prun r;
    prun_start(&r, src, strlen(src), NULL);
    unsigned char img[4096];
    memset(img, 0, sizeof img);
    int ok = r.u != NULL;
    const csym *s = NULL;
    for (uint32_t i = 0; ok && i < r.u->nglobals; i++)
        if (strcmp(r.u->globals[i]->name, name) == 0)
            s = r.u->globals[i];
    ok = ok && s && s->type->size == size && size <= sizeof img;
    uint32_t prev_end = 0;
    for (uint32_t i = 0; ok && i < s->ninit; i++) {
        const ast_init *in = &s->init[i];
        uint64_t u = 0;
        uint32_t n = in->type->size;
        if (in->offset < prev_end && !in->is_bitfield)
            ok = 0; /* sorted, no overlap */
        switch (in->kind) {
        case INIT_INT: u = (uint64_t)in->ival; break;
        case INIT_FLOAT:
            if (in->type->kind == TY_FLOAT) {
                float f = (float)in->fval;
                uint32_t w;
                memcpy(&w, &f, 4);
                u = w;
            } else {
                memcpy(&u, &in->fval, 8);
            }
            break;
        case INIT_BYTES:
            if (in->offset + in->nbytes > size)
                ok = 0;
            else
                memcpy(img + in->offset, in->bytes, in->nbytes);
            prev_end = in->offset + in->nbytes;
            continue;
        default: ok = 0; continue;
        }
        if (in->offset + n > size) {
            ok = 0;
            continue;
        }
        if (in->is_bitfield) {
            uint64_t cur = 0;
            for (uint32_t b = 0; b < n; b++)
                cur |= (uint64_t)img[in->offset + b] << (8 * b);
            uint64_t m = (in->bit_width >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << in->bit_width) - 1)) << in->bit_offset;
            cur = (cur & ~m) | ((u << in->bit_offset) & m);
            u = cur;
        }
        for (uint32_t b = 0; b < n; b++)
            img[in->offset + b] = (unsigned char)(u >> (8 * b));
        if (!in->is_bitfield)
            prev_end = in->offset + n;
    }
    if (ok && memcmp(img, native, size) != 0) {
        ok = 0;
        for (size_t i = 0; i < size; i++)
            if (img[i] != ((const unsigned char *)native)[i]) {
                fprintf(stderr, "  byte %zu: %02x, native %02x\n", i, img[i], ((const unsigned char *)native)[i]);
                break;
            }
    }
    if (ok)
        passed++;
    else {
        failed++;
        fprintf(stderr, "FAIL render line %d (%s)\n%s%s\n", line, name, r.cx.diag ? r.cx.diag : "",
                r.dump ? r.dump : "");
    }
    prun_end(&r);
}

#define RENDER(name) render_check(__LINE__, name##_src, #name, &name, sizeof name)

static void test_render(void)
{
    RENDER(n1);
    RENDER(n2);
    RENDER(n3);
    RENDER(n4);
    RENDER(n5);
    RENDER(n6);
    RENDER(n7);
    RENDER(n8);
    RENDER(n9);
    RENDER(n10);
}

/* ---- errors ------------------------------------------------------------------- */

static void test_errors(void)
{
    ERR("int f(void) { return y; }", "t.c:1:22: error: 'y' undeclared");
    ERR("int f(void) { return foo(1); }", "t.c:1:22: error: implicit declaration of function 'foo'");
    ERR("int f(int a) { return f(1, 2); }", "t.c:1:29: error: too many arguments to function 'f'");
    ERR("int f(int a) { return f(); }", "t.c:1:25: error: too few arguments to function 'f'");
    ERR("int f(void) { const int c = 1; c = 2; return c; }", "t.c:1:34: error: assignment of read-only variable 'c'");
    ERR("int f(const int *p) { *p = 2; return 0; }", "t.c:1:26: error: assignment of read-only location");
    ERR("int f(void) { int a[3]; a = 0; return 0; }", "t.c:1:27: error: assignment to an expression with array type");
    ERR("int f(int x) { 3 = x; return 0; }", "t.c:1:18: error: lvalue required as left operand of assignment");
    ERR("int f(int x) { x++ = 1; return 0; }", "error: lvalue required as left operand of assignment");
    ERR("int f(void) { int *p = 5; return 0; }", "t.c:1:24: error: initialization makes pointer from integer without a cast");
    ERR("int f(int *p) { int i = p; return i; }", "t.c:1:25: error: initialization makes integer from pointer without a cast");
    ERR("int f(int *p) { return p; }", "t.c:1:24: error: return makes integer from pointer without a cast");
    ERR("int g(int *); int f(void) { return g(3); }", "t.c:1:38: error: argument 1 of 'g' makes pointer from integer without a cast");
    ERR("int f(int *p, float *q) { p = q; return 0; }", "t.c:1:29: error: incompatible pointer types in assignment (from 'float *' to 'int *')");
    ERR("int f(void) { break; }", "t.c:1:15: error: break statement not within a loop or switch");
    ERR("int f(void) { continue; }", "t.c:1:15: error: continue statement not within a loop");
    ERR("int f(int x) { switch (x) { case 1: continue; } return 0; }", "error: continue statement not within a loop");
    ERR("int f(void) { goto nowhere; return 0; }", "t.c:1:20: error: label 'nowhere' used but not defined");
    ERR("int f(void) { return; }", "t.c:1:15: error: 'return' with no value in a function returning non-void");
    ERR("void h(void) { return 1; }", "t.c:1:23: error: 'return' with a value in a function returning void");
    ERR("int f(void) { lab: lab: return 0; }", "t.c:1:20: error: duplicate label 'lab'");
    ERR("int f(int v) { switch (v) { case 1: case 1: return 0; } return 1; }", "t.c:1:42: error: duplicate case value");
    ERR("int f(int v) { switch (v) { default: default: ; } return 1; }", "t.c:1:38: error: multiple default labels in one switch");
    ERR("int f(int v) { case 3: return 1; }", "t.c:1:16: error: case label not within a switch statement");
    ERR("int f(int v) { switch (v) { case v: return 1; } return 0; }", "t.c:1:34: error: expression is not an integer constant");
    ERR("int va(int a, ...) { return a; }", "t.c:1:5: error: defining variadic functions is not supported");
    ERR("int f(int a) { return a; }\nint f(int a) { return 0; }", "t.c:2:5: error: redefinition of 'f'");
    ERR("int k(long a);\nint k(int a);", "t.c:2:5: error: conflicting types for 'k' (int (int), previously int (long))");
    ERR("int x; float x;", "t.c:1:14: error: conflicting types for 'x'");
    ERR("int x = 1; int x = 2;", "t.c:1:16: error: redefinition of 'x'");
    ERR("int arrsz[-1];", "t.c:1:11: error: size of array is not positive");
    ERR("int a0[0];", "error: size of array is not positive");
    ERR("int vla(int n) { int a[n]; return 0; }", "t.c:1:24: error: variable-length arrays are not supported");
    ERR("struct S { int a; int a; };", "error: duplicate member 'a'");
    ERR("int z = 1 / 0;", "t.c:1:9: error: division by zero in a constant expression");
    ERR("int a[1 % 0];", "error: division by zero in a constant expression");
    ERR("int q = sizeof(struct Nope);", "t.c:1:9: error: invalid application of 'sizeof' to incomplete type 'struct Nope'");
    ERR("int z; int w = z;", "t.c:1:16: error: initializer element is not constant");
    ERR("int f(int v) { static int s = v; return s; }", "t.c:1:31: error: initializer element is not constant");
    ERR("extern int ext; int useext(void) { return ext; }", "t.c:1:12: error: 'ext' is declared extern but never defined");
    ERR("static int nodef(void); int u(void) { return nodef(); }", "t.c:1:12: error: static function 'nodef' is used but never defined");
    ERR("struct T { int x; } t1; int m(void) { return t1.y; }", "t.c:1:49: error: 'struct T' has no member named 'y'");
    ERR("struct T { int x; } t1; int m(void) { return t1->x; }", "t.c:1:48: error: invalid type argument of '->' (have 'struct T')");
    ERR("struct T { int x; }; int c(void) { struct T s; return (int)s; }", "t.c:1:55: error: invalid cast from 'struct T' to 'int'");
    ERR("int f(void) { int i; return *i; }", "t.c:1:29: error: invalid type argument of unary '*' (have 'int')");
    ERR("int f(void) { int i; return i(); }", "t.c:1:30: error: called object is not a function or function pointer");
    ERR("int f(void) { int x; return &3 + x; }", "t.c:1:29: error: lvalue required as unary '&' operand");
    ERR("struct B { int a:3; } b; int *f(void) { return &b.a; }", "error: cannot take the address of bit-field 'a'");
    ERR("int f(void) { int x = 1 +; return x; }", "t.c:1:26: error: expected an expression before ';'");
    ERR("int f(void) { return 0 }", "t.c:1:24: error: expected ';' after the return value before '}'");
    ERR("int f(void) { if (1) { return 0; }", "t.c:1:13: error: expected '}' at end of input");
    ERR("int f(a, b) int a; int b; { return a + b; }", "t.c:1:7: error: old-style (K&R) parameter lists are not supported");
    ERR("f(void) { return 0; }", "t.c:1:1: error: expected a declaration: a return type is required");
    ERR("foo x;", "t.c:1:1: error: unknown type name 'foo'");
    ERR("int int x;", "error: invalid combination of type specifiers");
    ERR("long long long x;", "error: invalid combination of type specifiers");
    ERR("unsigned float x;", "error: invalid combination of type specifiers");
    ERR("struct S { int a; }; union S u;", "t.c:1:28: error: 'S' defined as the wrong kind of tag");
    ERR("struct S { int a; }; struct S { int b; };", "t.c:1:29: error: redefinition of 'struct S'");
    ERR("struct S s; int f(void) { return sizeof s; }", "error: invalid application of 'sizeof' to incomplete type 'struct S'");
    ERR("struct S s;", "t.c:1:10: error: storage size of 's' isn't known");
    ERR("void v;", "t.c:1:6: error: variable 'v' declared void");
    ERR("int f(void)[3];", "t.c:1:6: error: function cannot return an array");
    ERR("int f[3](void);", "error: declaration of an array of functions");
    ERR("int x[3] = {1, 2, 3, 4};", "t.c:1:22: error: excess elements in array initializer");
    ERR("struct P { int x; } p = {1, 2};", "t.c:1:29: error: excess elements in struct initializer");
    ERR("int x = {1, 2};", "t.c:1:13: error: excess elements in scalar initializer");
    ERR("char s[2] = \"abc\";", "t.c:1:13: error: initializer-string for array of chars is too long");
    ERR("int a[2] = 5;", "error: array must be initialized with a brace-enclosed initializer");
    ERR("struct P { int x; } p = {.y = 1};", "t.c:1:27: error: unknown field 'y' specified in initializer");
    ERR("int a[2] = {[2] = 1};", "t.c:1:14: error: array index in initializer exceeds array bounds");
    ERR("int f(void) { int x; int x; return 0; }", "t.c:1:26: error: redeclaration of 'x'");
    ERR("typedef int T; typedef float T;", "t.c:1:30: error: redefinition of 'T'");
    ERR("int f(void) { return 1; } int g(void) { return f(1); }", "too many arguments to function 'f'");
    ERR("_Static_assert(1 == 2, \"nope\");", "t.c:1:1: error: static assertion failed: \"nope\"");
    ERR("int f(void) { struct S *p; return p->x; }", "error: member access into incomplete type 'struct S'");
    ERR("int f(int *p) { return p * 2; }", "t.c:1:26: error: invalid operands to binary * (have 'int *' and 'int')");
    ERR("int f(int *p, int *q) { return (p + q) != 0; }", "error: invalid operands to binary +");
    ERR("int f(int *p) { return p < 1; }", "t.c:1:26: error: comparison between pointer and integer");
    ERR("int f(double d) { return d % 2; }", "error: invalid operands to binary %");
    ERR("int f(double d) { return ~d; }", "error: wrong type argument to unary '~'");
    ERR("struct S { int a; }; int f(struct S s) { return !s; }", "error: a scalar is required here");
    ERR("struct S { int a; }; int f(struct S s) { if (s) return 1; return 0; }", "error: a scalar is required here");
    ERR("int f(void) { int *p; float x = (float)p; return 0; }", "error: invalid cast from 'int *' to 'float'");
    ERR("int f(void) { return sizeof(f); }", "error: invalid application of 'sizeof' to a function type");
    ERR("int f(int x) { else return 0; }", "error: 'else' without a previous 'if'");
    ERR("int f(void) { asm(\"nop\"); return 0; }", "error: inline assembly is not supported");
    ERR("int f(int n) { int a[n + 1]; return 0; }", "error: variable-length arrays are not supported");
    ERR("int f(void) { void *p; return *p; }", "error: dereferencing a 'void *' pointer");
    ERR("int f(void) { int x; x.y = 1; return 0; }", "error: request for member 'y' in something that is not a struct or union");
    ERR("int g(void); int f(void) { g = 0; return 0; }", "error: lvalue required as left operand of assignment");
    ERR("enum { A = 1 / 0 };", "error: division by zero in a constant expression");
    ERR("struct S { int a : 40; };", "error: width of bit-field is invalid");
    ERR("struct S { float a : 3; };", "error: bit-field has invalid type");
    ERR("int f(void) { return (struct { int a; }){1}; }", "error: incompatible types in return (from 'struct <anonymous>' to 'int')");
    /* error recovery keeps reporting */
    {
        prun r;
        const char *src = "int f(void) { int x = ; int y = z; return w; }\nint g(void) { return q; }\n";
        prun_start(&r, src, strlen(src), NULL);
        int ok = r.cx.nerrors == 4 && strstr(r.cx.diag, "t.c:2:22: error: 'q' undeclared");
        if (ok)
            passed++;
        else {
            failed++;
            fprintf(stderr, "FAIL recovery: %u errors\n%s\n", r.cx.nerrors, r.cx.diag ? r.cx.diag : "");
        }
        prun_end(&r);
    }
}

/* ---- limits and hostile input ----------------------------------------------- */

static char *repeat(const char *pre, const char *a, size_t n, const char *mid, const char *b,
                    size_t m, const char *post)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t len = strlen(pre) + la * n + strlen(mid) + lb * m + strlen(post);
    char *s = malloc(len + 1), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "%s", pre);
    for (size_t i = 0; i < n; i++, p += la)
        memcpy(p, a, la);
    p += sprintf(p, "%s", mid);
    for (size_t i = 0; i < m; i++, p += lb)
        memcpy(p, b, lb);
    sprintf(p, "%s", post);
    return s;
}

static void hostile(int line, char *src, const char *expect, double max_sec)
{
    if (!src) {
        failed++;
        return;
    }
    clock_t t0 = clock();
    prun r;
    prun_start(&r, src, strlen(src), NULL);
    double sec = (double)(clock() - t0) / CLOCKS_PER_SEC;
    int ok = sec <= max_sec;
    if (expect && !*expect)
        ok = ok && (r.u || r.cx.nerrors); /* either way, cleanly */
    else if (expect)
        ok = ok && r.cx.diag && strstr(r.cx.diag, expect);
    else
        ok = ok && r.u != NULL;
    if (ok)
        passed++;
    else {
        failed++;
        fprintf(stderr, "FAIL hostile line %d (%.2fs): %.300s\n", line, sec,
                r.cx.diag ? r.cx.diag : "(no diagnostics)");
    }
    prun_end(&r);
    free(src);
}

static void test_hostile(void)
{
    size_t N = 1000000;
    hostile(__LINE__, repeat("int x = ", "(", N, "1", ")", N, ";"), "error", 5);
    hostile(__LINE__, repeat("int f(void) ", "{", N, "", "}", N, ""), "nesting deeper than the limit", 5);
    hostile(__LINE__, repeat("int ", "*", N, "p", "", 0, ";"), "error", 5);
    hostile(__LINE__, repeat("int ", "(", N, "p", ")", N, ";"), "nesting deeper than the limit", 5);
    hostile(__LINE__, repeat("int f(void) { return ", "(int)", N, "1", "", 0, "; }"), "nesting deeper than the limit", 5);
    hostile(__LINE__, repeat("int f(void) { return ", "-", N, "1", "", 0, "; }"), "error", 5);
    hostile(__LINE__, repeat("int a[] = {", "{", N, "1", "}", N, "};"), "error", 5);
    hostile(__LINE__, repeat("int x; int f(void) { ", "x = ", N, "1", "", 0, "; return x; }"), "nesting deeper than the limit", 5);
    hostile(__LINE__, repeat("int f(int x) { return ", "x ? ", N, "1", " : 0", N, "; }"), "nesting deeper than the limit", 5);
    hostile(__LINE__, repeat("struct A ", "{ struct B ", N, "{int x;} ", "} b;", N, ""), "nesting deeper than the limit", 5);
    hostile(__LINE__, repeat("int f(int v) { switch (v) { ", "case __LINE__: ", 1, "", "", 0, "return 1; } return 0; }"), NULL, 5);
    hostile(__LINE__, repeat("int f(void) { ", "{} ", N, "", "", 0, "return 0; }"), "", 5);
    hostile(__LINE__, repeat("", "int;", 100000, "", "", 0, ""), "declaration does not declare anything", 5);
    hostile(__LINE__, repeat("", "}", N, "", "", 0, ""), "expected a declaration", 5);
    hostile(__LINE__, repeat("int f(void) { ", ")", N, "", "", 0, "}"), "error", 5);
    hostile(__LINE__, repeat("int f(void) { return 0", "+1", N / 2, ";}", "", 0, ""), "", 5);
    hostile(__LINE__, repeat("int a[] = {", "1,", N, "", "", 0, "};"), "", 5);
    hostile(__LINE__, repeat("int a[] = {", "1,", N / 10, "", "", 0, "};"), NULL, 5);
    hostile(__LINE__, repeat("int a[100000] = {", "[5]=1,", 100000, "", "", 0, "};"), NULL, 5);
    /* many distinct names: symbol tables must be hashed */
    {
        size_t cap = 200000 * 40, k = 0;
        char *s = malloc(cap);
        for (int i = 0; i < 100000; i++)
            k += (size_t)snprintf(s + k, cap - k, "int g%d = %d;\n", i, i);
        k += (size_t)snprintf(s + k, cap - k, "int f(void) { return g99999 + g0; }\n");
        hostile(__LINE__, s, NULL, 5);
    }
    {
        fe_options o = {0};
        o.max_functions = 3;
        prun r;
        const char *src = "void a(void){} void b(void){} void c(void){} void d(void){}";
        prun_start(&r, src, strlen(src), &o);
        if (r.cx.code == KP_ERR_LIMIT && strstr(r.cx.diag, "too many function definitions"))
            passed++;
        else {
            failed++;
            fprintf(stderr, "FAIL max_functions: %s\n", r.cx.diag ? r.cx.diag : "");
        }
        prun_end(&r);
    }
    {
        fe_options o = {0};
        o.max_memory = 100000;
        char *src = repeat("", "int f", 20000, "", "", 0, "");
        char *p = src;
        (void)p;
        free(src);
        src = malloc(20000 * 30);
        size_t k = 0;
        for (int i = 0; i < 20000; i++)
            k += (size_t)sprintf(src + k, "int v%d = %d;\n", i, i);
        prun r;
        prun_start(&r, src, k, &o);
        if (!r.u && r.cx.code == KP_ERR_NOMEM)
            passed++;
        else {
            failed++;
            fprintf(stderr, "FAIL max_memory: code %d %s\n", r.cx.code, r.cx.diag ? r.cx.diag : "");
        }
        prun_end(&r);
        free(src);
    }
}

/* ---- fe_parse_prototype --------------------------------------------------------- */

static void proto(int line, const char *p, int code, const char *name, const char *sig,
                  const char *msg)
{
    kp_arena a;
    kp_arena_init(&a, 0);
    const char *n = NULL;
    ir_sig s;
    memset(&s, 0, sizeof s);
    fe_result res;
    int rc = fe_parse_prototype(p, &a, &n, &s, &res);
    char buf[64];
    size_t k = 0;
    k += (size_t)snprintf(buf + k, sizeof buf - k, "%d(", s.ret);
    for (int i = 0; i < s.nparams; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%d", i ? "," : "", s.params[i]);
    snprintf(buf + k, sizeof buf - k, "%s)", s.variadic ? "..." : "");
    int ok = rc == code;
    if (ok && code == KP_OK)
        ok = n && strcmp(n, name) == 0 && strcmp(buf, sig) == 0 && !res.message;
    if (ok && code != KP_OK)
        ok = res.message && strstr(res.message, msg);
    if (ok)
        passed++;
    else {
        failed++;
        fprintf(stderr, "FAIL proto line %d: rc %d name %s sig %s msg %s\n", line, rc,
                n ? n : "-", buf, res.message ? res.message : "-");
    }
    free(res.message);
    kp_arena_free(&a);
}

static void test_proto(void)
{
    proto(__LINE__, "int send(const char *b, int n)", KP_OK, "send", "1(5,1)", NULL);
    proto(__LINE__, "int printf(const char *fmt, ...)", KP_OK, "printf", "1(5...)", NULL);
    proto(__LINE__, "void f(void);", KP_OK, "f", "0()", NULL);
    proto(__LINE__, "double g(float, long, unsigned long long, char, void *)", KP_OK, "g", "4(3,2,2,1,5)", NULL);
    proto(__LINE__, "int (*h(int))(void)", KP_OK, "h", "5(1)", NULL);
    proto(__LINE__, "int x", KP_ERR_ARG, NULL, NULL, "not declared as a function");
    proto(__LINE__, "struct S f(void)", KP_ERR_ARG, NULL, NULL, "error");
    proto(__LINE__, "struct S { int a; }; int f(void)", KP_ERR_ARG, NULL, NULL, "error");
    proto(__LINE__, "int f(struct S { int a; } s)", KP_ERR_ARG, NULL, NULL, "struct or union");
    proto(__LINE__, "int f(int", KP_ERR_ARG, NULL, NULL, "error");
    proto(__LINE__, "", KP_ERR_ARG, NULL, NULL, "error");
    proto(__LINE__, "@@@", KP_ERR_ARG, NULL, NULL, "error");
    proto(__LINE__, "int f(int) int g(int)", KP_ERR_ARG, NULL, NULL, "error");
}

int main(void)
{
    test_golden();
    test_decls();
    test_exprs();
    test_inits();
    test_render();
    test_errors();
    test_hostile();
    test_proto();
    printf("test_parse: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

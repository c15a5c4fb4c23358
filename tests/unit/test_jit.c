/*
 * test_jit.c — differential tests of the x86-64 JIT against the
 * interpreter: the same plugin source is linked into one runtime per
 * engine and every function is called with the same arguments; results,
 * trap codes and trap messages (plugin, function, line) must be equal.
 * Covers every operator on every type (with the edge values of division,
 * shifts and float->int conversion), loops, recursion, calls of every
 * kind (direct, import, built-in, runtime library, function pointer),
 * register pressure and spills, and every trap (memory, NULL, division,
 * call depth, plugin stack, unlinked, bad pointer, interrupt, deadline).
 *
 * Build: cc -std=gnu11 -O2 -Iinclude -Isrc tests/unit/test_jit.c build/libkplug.a -lpthread -lm
 * `test_jit bench` prints timings of a few loops (JIT, interpreter, gcc).
 */
#include <kplug.h>

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/jit/jit.h"
#include "../../src/runtime/rt_private.h"

static int nfail, npass;

#define EXPECT(cond, ...)                                                      \
    do {                                                                       \
        if (cond) {                                                            \
            npass++;                                                           \
        } else {                                                               \
            nfail++;                                                           \
            printf("not ok %s:%d: ", __FILE__, __LINE__); fflush(stdout);      \
            printf(__VA_ARGS__);                                               \
            printf("\n");                                                      \
        }                                                                      \
    } while (0)

/* A runtime on the given engine. The JIT is selected through the public
 * config when the build wires it, else by setting the engine before any
 * plugin is linked (a test-only shortcut through rt_private.h). */
static size_t g_stack;

static kp_runtime *make_rt(int jit, size_t mem, unsigned depth)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.stack_size = g_stack;
    cfg.engine = jit ? KP_ENGINE_JIT : KP_ENGINE_INTERP;
    if (mem)
        cfg.mem_limit = mem;
    if (depth)
        cfg.max_call_depth = depth;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK) {
        cfg.engine = KP_ENGINE_INTERP;
        if (kp_runtime_create(&cfg, &rt) != KP_OK)
            return NULL;
    }
    if (jit && kp_runtime_engine(rt) != KP_ENGINE_JIT) {
        rt->engine = &kp_jit_engine;
        rt->engine_kind = KP_ENGINE_JIT;
    }
    return rt;
}

typedef struct pair {
    kp_runtime *rt[2]; /* interp, jit */
} pair;

static int tick_builtin(kp_callctx *cx, const kp_value *args, int nargs, kp_value *ret,
                        void *ud)
{
    (void)cx; (void)ud;
    int64_t s = 0;
    for (int i = 0; i < nargs; i++)
        s = s * 31 + (args[i].type == KP_T_I64 ? args[i].v.i64
                      : args[i].type == KP_T_F64 ? (int64_t)(args[i].v.f64 * 1000)
                                                 : args[i].v.i32);
    ret->v.i64 = s;
    return KP_OK;
}

static int fail_builtin(kp_callctx *cx, const kp_value *args, int nargs, kp_value *ret,
                        void *ud)
{
    (void)args; (void)nargs; (void)ret; (void)ud;
    return kp_fail(cx, "host says no");
}

static kp_func *nested_target;
static int nested_builtin(kp_callctx *cx, const kp_value *args, int nargs, kp_value *ret,
                          void *ud)
{
    (void)cx; (void)nargs; (void)ud;
    kp_value r;
    int rc = kp_call(nested_target, args, 1, &r);
    ret->v.i32 = rc == KP_OK ? r.v.i32 * 10 : rc;
    return KP_OK;
}

static int pair_init(pair *p, const char *name, const char *src, size_t mem, unsigned depth)
{
    for (int e = 0; e < 2; e++) {
        p->rt[e] = make_rt(e, mem, depth);
        if (!p->rt[e])
            return -1;
        kp_builtin_add(p->rt[e], "long tick(int a, long b, double c)", tick_builtin, NULL);
        kp_builtin_add(p->rt[e], "int host_fail(int x)", fail_builtin, NULL);
        kp_builtin_add(p->rt[e], "int nested(int x)", nested_builtin, NULL);
        int rc = kp_plugin_add(p->rt[e], name, src, strlen(src));
        if (rc != KP_OK) {
            printf("# %s: %s\n", e ? "jit" : "interp", kp_errmsg());
            return rc;
        }
    }
    return 0;
}

static void pair_fini(pair *p)
{
    kp_runtime_destroy(p->rt[0]);
    kp_runtime_destroy(p->rt[1]);
}

static uint64_t bits(const kp_value *v)
{
    switch (v->type) {
    case KP_T_I32: return (uint32_t)v->v.i32;
    case KP_T_PTR: return v->v.ptr;
    case KP_T_I64: return (uint64_t)v->v.i64;
    case KP_T_F32: { uint32_t u; memcpy(&u, &v->v.f32, 4); return u; }
    case KP_T_F64: { uint64_t u; memcpy(&u, &v->v.f64, 8); return u; }
    default: return 0;
    }
}

/* Call fn on both engines; compare. Returns the JIT's result code. */
static int cmp_call(pair *p, const char *fn, const kp_value *args, int n, kp_value *out)
{
    kp_value r[2];
    int rc[2];
    char msg[2][512];
    int line[2];
    for (int e = 0; e < 2; e++) {
        kp_func *f;
        memset(&r[e], 0, sizeof r[e]);
        if (kp_lookup(p->rt[e], fn, &f) != KP_OK) {
            EXPECT(0, "lookup %s", fn);
            return -999;
        }
        rc[e] = kp_call(f, args, n, &r[e]);
        snprintf(msg[e], sizeof msg[e], "%s", rc[e] ? kp_errmsg() : "");
        line[e] = rc[e] ? kp_last_error()->line : 0;
    }
    char a[200] = "";
    for (int i = 0; i < n && strlen(a) < 150; i++)
        snprintf(a + strlen(a), sizeof a - strlen(a), "%s%" PRIx64, i ? "," : "", bits(&args[i]));
    EXPECT(rc[0] == rc[1], "%s(%s): interp rc %s, jit rc %s (%s | %s)", fn, a,
           kp_result_name(rc[0]), kp_result_name(rc[1]), msg[0], msg[1]);
    if (rc[0] == rc[1] && rc[0] == KP_OK)
        EXPECT(r[0].type == r[1].type && bits(&r[0]) == bits(&r[1]),
               "%s(%s): interp %" PRIx64 ", jit %" PRIx64, fn, a, bits(&r[0]), bits(&r[1]));
    if (rc[0] == rc[1] && rc[0] != KP_OK)
        EXPECT(!strcmp(msg[0], msg[1]) && line[0] == line[1], "%s(%s): messages differ:\n  interp: %s\n  jit:    %s",
               fn, a, msg[0], msg[1]);
    if (out)
        *out = r[1];
    return rc[1];
}

/* The same with a fuel budget: the cut-off (code, position, fuel left)
 * must be identical on both engines. */
static void cmp_fuel(pair *p, const char *fn, const kp_value *args, int n, uint64_t fuel)
{
    int rc[2], line[2];
    uint64_t left[2];
    char msg[2][512];
    kp_value r[2];
    for (int e = 0; e < 2; e++) {
        kp_func *f;
        kp_lookup(p->rt[e], fn, &f);
        kp_call_opts o;
        memset(&o, 0, sizeof o);
        o.fuel = fuel;
        o.fuel_left = &left[e];
        left[e] = 12345;
        rc[e] = kp_call_ex(f, args, n, &r[e], &o);
        snprintf(msg[e], sizeof msg[e], "%s", rc[e] ? kp_errmsg() : "");
        line[e] = rc[e] ? kp_last_error()->line : 0;
    }
    EXPECT(rc[0] == rc[1] && left[0] == left[1] && line[0] == line[1] && !strcmp(msg[0], msg[1]),
           "%s fuel %llu: interp %s left %llu (%s), jit %s left %llu (%s)", fn,
           (unsigned long long)fuel, kp_result_name(rc[0]), (unsigned long long)left[0], msg[0],
           kp_result_name(rc[1]), (unsigned long long)left[1], msg[1]);
}

/* ---- operators on every type ------------------------------------------ */

static const char *ops_src =
    "typedef unsigned int u32; typedef long long i64; typedef unsigned long long u64;\n"
    "#define D(T, N, OP) T N##_##T(T a, T b) { return a OP b; }\n"
    "#define C(T, N, OP) int N##_##T(T a, T b) { return a OP b; }\n"
    "#define K(T, N, OP, k) T N##k##_##T(T a) { return a OP (T)k; }\n"
    "#define KM(T, N, OP, k) T N##m##k##_##T(T a) { return a OP (T)-k; }\n"
    "#define KL(T, N, OP, k) T N##k##l_##T(T a) { return (T)k OP a; }\n"
    "#define ALL(T) D(T,add,+) D(T,sub,-) D(T,mul,*) D(T,div,/) C(T,eq,==) C(T,ne,!=) C(T,lt,<) C(T,le,<=) C(T,gt,>) C(T,ge,>=)\n"
    "#define INT(T) ALL(T) D(T,rem,%) D(T,and,&) D(T,or,|) D(T,xor,^) D(T,shl,<<) D(T,shr,>>) \\\n"
    "   K(T,add,+,5) K(T,sub,-,7) K(T,mul,*,3) K(T,div,/,4) K(T,rem,%,8) K(T,div,/,7) K(T,rem,%,7) K(T,and,&,255) K(T,shl,<<,3) K(T,shr,>>,2) \\\n"
    "   K(T,shl,<<,40) K(T,div,/,0) KL(T,sub,-,100) KL(T,div,/,1000) KL(T,shl,<<,1) \\\n"
    "   K(T,div,/,3) K(T,rem,%,3) K(T,div,/,10) K(T,rem,%,10) K(T,div,/,65521) K(T,rem,%,65521) K(T,div,/,2) K(T,rem,%,2) \\\n"
    "   K(T,div,/,16) K(T,rem,%,16) K(T,div,/,2147483647) K(T,rem,%,2147483647) K(T,div,/,1) K(T,rem,%,1) KM(T,div,/,1) KM(T,rem,%,1) \\\n"
    "   KM(T,div,/,7) KM(T,rem,%,7) K(T,div,/,4294967295) K(T,rem,%,4294967295) K(T,div,/,2147483648) K(T,rem,%,2147483648) \\\n"
    "   int neg_##T(T a) { return (int)(-a == 0); } T negv_##T(T a) { return -a; } T not_##T(T a) { return ~a; } \\\n"
    "   int lt5_##T(T a) { return a < 5; } int gt5l_##T(T a) { return 5 > a; } int eq0_##T(T a) { if (a == 0) return 1; return 2; } \\\n"
    "   int br_##T(T a, T b) { if (a < b) return 10; else if (a == b) return 20; return 30; } \\\n"
    "   int bru_##T(T a, T b) { if ((u64)a < (u64)b) return 1; return 0; }\n"
    "#define FLT(T) ALL(T) T negv_##T(T a) { return -a; } \\\n"
    "   int br_##T(T a, T b) { int r = 0; if (a < b) r |= 1; if (a <= b) r |= 2; if (a > b) r |= 4; if (a >= b) r |= 8; if (a == b) r |= 16; if (a != b) r |= 32; return r; } \\\n"
    "   int toi_##T(T a) { return (int)a; } u32 tou_##T(T a) { return (u32)a; } i64 tol_##T(T a) { return (i64)a; } \\\n"
    "   u64 toul_##T(T a) { return (u64)a; } short tos_##T(T a) { return (short)a; } unsigned char touc_##T(T a) { return (unsigned char)a; } \\\n"
    "   T fromi_##T(int a) { return a; } T fromu_##T(u32 a) { return a; } T froml_##T(i64 a) { return a; } T fromul_##T(u64 a) { return a; } \\\n"
    "   T k_##T(T a) { return a * (T)1.5 + (T)0.25 - (T)3; } float tof_##T(T a) { return (float)a; } double tod_##T(T a) { return (double)a; }\n"
    "INT(int) INT(u32) INT(i64) INT(u64) FLT(float) FLT(double)\n"
    "int sx8(int a) { return (signed char)a; } int zx8(int a) { return (unsigned char)a; }\n"
    "int sx16(int a) { return (short)a; } int zx16(int a) { return (unsigned short)a; }\n"
    "i64 sx32(int a) { return a; } i64 zx32(u32 a) { return a; } int tr(i64 a) { return (int)a; }\n"
    "i64 lsx8(i64 a) { return (signed char)a; } i64 lzx16(i64 a) { return (unsigned short)a; }\n"
    "int fbits(float f) { union { float f; int i; } u; u.f = f; return u.i; }\n"
    "double dfrom(i64 b) { union { double d; i64 i; } u; u.i = b; return u.d; }\n";

static const int32_t i32v[] = {0, 1, -1, 2, 3, 7, -7, 31, 32, 33, 63, 64, 100, -100,
                               0x7fffffff, (int32_t)0x80000000, 0x12345678, (int32_t)0xdeadbeef};
static const int64_t i64v[] = {0, 1, -1, 3, -7, 31, 63, 64, 65, 1000000007, INT64_MAX, INT64_MIN,
                               0x123456789abcdefLL, -0x7fffffffffffLL, 0x80000000LL, 0xffffffffLL};
static const double f64v[] = {0.0, -0.0, 1.0, -1.5, 2.5, 3.7, -3.7, 1e10, -1e10, 2147483647.5,
                              2147483648.0, -2147483649.0, 4294967296.0, 9.3e18, 9.2233720368547758e18,
                              1.8446744073709552e19, 3e19, -9.3e18, 1e300, INFINITY, -INFINITY, NAN};

/* size bytes in each runtime of the pair, at the same address, filled
 * with the same odd bytes (never 0: a divisor read from them does not
 * trap) */
static kp_ptr pair_odd_bytes(pair *p, uint32_t size)
{
    kp_ptr b[2];
    for (int e = 0; e < 2; e++) {
        b[e] = kp_alloc(p->rt[e], size);
        uint8_t *h = kp_host_ptr(p->rt[e], b[e], size);
        for (uint32_t i = 0; h && i < size; i++)
            h[i] = (uint8_t)(i * 7 + 3) | 1;
    }
    EXPECT(b[0] == b[1], "same allocation in both runtimes");
    return b[0];
}

/* fn(buf, n) for n = 1..11 on both engines */
static void cmp_small_calls(pair *p, const char *fn, kp_ptr buf)
{
    for (int n = 1; n < 12; n++) {
        kp_value a[2] = {KP_PTR(buf), KP_I32(n)};
        cmp_call(p, fn, a, 2, NULL);
    }
}

/* fn(buf, 9000) cut off by each budget of fuels on both engines */
static void cmp_fuels(pair *p, const char *fn, kp_ptr buf, const uint64_t *fuels, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        kp_value a[2] = {KP_PTR(buf), KP_I32(9000)};
        cmp_fuel(p, fn, a, 2, fuels[k]);
    }
}

static void test_ops(void)
{
    pair p;
    if (pair_init(&p, "ops", ops_src, 0, 0) != 0) {
        EXPECT(0, "ops plugin did not load");
        pair_fini(&p);
        return;
    }
    static const char *ints[] = {"int", "u32", "i64", "u64"};
    static const char *bin[] = {"add", "sub", "mul", "div", "rem", "and", "or", "xor", "shl",
                                "shr", "eq", "ne", "lt", "le", "gt", "ge", "br", "bru"};
    static const char *un[] = {"add5", "sub7", "mul3", "div4", "rem8", "div7", "rem7", "and255",
                               "shl3", "shr2", "shl40", "div0", "sub100l", "div1000l", "shl1l",
                               "div3", "rem3", "div10", "rem10", "div65521", "rem65521", "div2", "rem2",
                               "div16", "rem16", "div2147483647", "rem2147483647", "div1", "rem1",
                               "divm1", "remm1", "divm7", "remm7", "div4294967295", "rem4294967295",
                               "div2147483648", "rem2147483648",
                               "neg", "negv", "not", "lt5", "gt5l", "eq0"};
    char name[64];
    for (int t = 0; t < 4; t++) {
        int wide = t >= 2;
        size_t nv = wide ? sizeof i64v / sizeof *i64v : sizeof i32v / sizeof *i32v;
        for (size_t o = 0; o < sizeof bin / sizeof *bin; o++) {
            snprintf(name, sizeof name, "%s_%s", bin[o], ints[t]);
            for (size_t i = 0; i < nv; i++)
                for (size_t j = 0; j < nv; j++) {
                    kp_value a[2];
                    a[0] = wide ? KP_I64(i64v[i]) : KP_I32(i32v[i]);
                    a[1] = wide ? KP_I64(i64v[j]) : KP_I32(i32v[j]);
                    cmp_call(&p, name, a, 2, NULL);
                }
        }
        for (size_t o = 0; o < sizeof un / sizeof *un; o++) {
            snprintf(name, sizeof name, "%s_%s", un[o], ints[t]);
            for (size_t i = 0; i < nv; i++) {
                kp_value a = wide ? KP_I64(i64v[i]) : KP_I32(i32v[i]);
                cmp_call(&p, name, &a, 1, NULL);
            }
        }
    }
    static const char *flt[] = {"float", "double"};
    static const char *fbin[] = {"add", "sub", "mul", "div", "eq", "ne", "lt", "le", "gt", "ge", "br"};
    static const char *fun[] = {"negv", "toi", "tou", "tol", "toul", "tos", "touc", "k", "tof", "tod"};
    size_t nf = sizeof f64v / sizeof *f64v;
    for (int t = 0; t < 2; t++) {
        for (size_t o = 0; o < sizeof fbin / sizeof *fbin; o++) {
            snprintf(name, sizeof name, "%s_%s", fbin[o], flt[t]);
            for (size_t i = 0; i < nf; i++)
                for (size_t j = 0; j < nf; j++) {
                    kp_value a[2];
                    a[0] = t ? KP_F64(f64v[i]) : KP_F32(f64v[i]);
                    a[1] = t ? KP_F64(f64v[j]) : KP_F32(f64v[j]);
                    cmp_call(&p, name, a, 2, NULL);
                }
        }
        for (size_t o = 0; o < sizeof fun / sizeof *fun; o++) {
            snprintf(name, sizeof name, "%s_%s", fun[o], flt[t]);
            for (size_t i = 0; i < nf; i++) {
                kp_value a = t ? KP_F64(f64v[i]) : KP_F32(f64v[i]);
                cmp_call(&p, name, &a, 1, NULL);
            }
        }
        static const char *from[] = {"fromi", "fromu", "froml", "fromul"};
        for (int o = 0; o < 4; o++) {
            snprintf(name, sizeof name, "%s_%s", from[o], flt[t]);
            size_t nv = o < 2 ? sizeof i32v / sizeof *i32v : sizeof i64v / sizeof *i64v;
            for (size_t i = 0; i < nv; i++) {
                kp_value a = o < 2 ? KP_I32(i32v[i]) : KP_I64(i64v[i]);
                cmp_call(&p, name, &a, 1, NULL);
            }
        }
    }
    static const char *conv32[] = {"sx8", "zx8", "sx16", "zx16", "sx32", "zx32"};
    for (int o = 0; o < 6; o++)
        for (size_t i = 0; i < sizeof i32v / sizeof *i32v; i++) {
            kp_value a = KP_I32(i32v[i] ^ 0x80);
            cmp_call(&p, conv32[o], &a, 1, NULL);
        }
    static const char *conv64[] = {"tr", "lsx8", "lzx16", "dfrom"};
    for (int o = 0; o < 4; o++)
        for (size_t i = 0; i < sizeof i64v / sizeof *i64v; i++) {
            kp_value a = KP_I64(i64v[i] ^ 0x8080);
            cmp_call(&p, conv64[o], &a, 1, NULL);
        }
    for (size_t i = 0; i < nf; i++) {
        kp_value a = KP_F32(f64v[i]);
        cmp_call(&p, "fbits", &a, 1, NULL);
    }
    pair_fini(&p);
}

/* ---- control flow, memory, calls ------------------------------------------ */

static const char *prog_src =
    "#include <string.h>\n#include <stdlib.h>\n"
    "long tick(int a, long b, double c); int host_fail(int x); int nested(int x);\n"
    "int missing(int x);\n"
    "static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n"
    "int fibx(int n) { return fib(n); }\n"
    "int ack(int m, int n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }\n"
    "int sum(int n) { int s = 0; for (int i = 0; i < n; i++) s += i * i ^ (s >> 3); return s; }\n"
    "unsigned checksum(const unsigned char *p, int n) { unsigned a = 1, b = 0;\n"
    "  for (int i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; } return b << 16 | a; }\n"
    "int sorted(int n, int seed) { int *v = malloc(n * sizeof *v); unsigned x = seed;\n"
    "  for (int i = 0; i < n; i++) { x = x * 1103515245u + 12345u; v[i] = (int)(x >> 8) % 1000; }\n"
    "  for (int i = 1; i < n; i++) { int t = v[i], j = i - 1; while (j >= 0 && v[j] > t) { v[j + 1] = v[j]; j--; } v[j + 1] = t; }\n"
    "  int h = 0; for (int i = 0; i < n; i++) h = h * 31 + v[i]; free(v); return h; }\n"
    "int pressure(int a, int b) { int c = a + 1, d = b * 3, e = a ^ b, f = a - b, g = a * b, h = a | 7;\n"
    "  int i = b & 99, j = a << 2, k = b >> 1, l = c + d, m = e + f, n = g + h, o = i + j, q = k + l;\n"
    "  for (int r = 0; r < 10; r++) { c += d; d ^= e; e += f; f -= g; g += h; h ^= i; i += j; j -= k; k += l; l ^= m; m += n; n -= o; o += q; q ^= c; }\n"
    "  return c + d + e + f + g + h + i + j + k + l + m + n + o + q; }\n"
    "static int id(int x) { return x; }\n"
    "int across(int a, int b) { int c = a * 3, d = b + 5, e = a - b, f = a ^ 77, g = b * b, h = a + b + 1;\n"
    "  int s = 0; for (int i = 0; i < 5; i++) s += id(c) + id(d) + e + f + g + h + id(i); return s + c + d + e + f + g + h; }\n"
    "double fpress(double a, double b) { double c = a + 1, d = b * 3, e = a - b, f = a * b, g = a / (b + 10), h = c * d;\n"
    "  for (int i = 0; i < 8; i++) { c += d * 0.5; d -= e; e *= 0.9; f += g; g -= h * 0.01; h += id(i); } return c + d + e + f + g + h; }\n"
    "double poly(double x, int n) { double s = 0; for (int i = 0; i < n; i++) s = s * x + i * 0.5; return s; }\n"
    "float fsum(float x, int n) { float s = 0; for (int i = 0; i < n; i++) s += x / (i + 1); return s; }\n"
    "long callb(int a) { return tick(a, (long)a * 1000000007L, a * 0.5) + tick(1, 2, 3.0); }\n"
    "int callfail(int a) { return host_fail(a) + 1; }\n"
    "int callmissing(int a) { if (a) return missing(a); return 0; }\n"
    "int callnested(int a) { return nested(a) + 1; }\n"
    "int sq(int x) { return x * x; } int cube(int x) { return x * x * x; }\n"
    "static int (*tbl[3])(int) = { sq, cube, id };\n"
    "int viaptr(int i, int x) { return tbl[i % 3](x); }\n"
    "int badptr(int h, int x) { int (*f)(int) = (int (*)(int))h; return f(x); }\n"
    "int badproto(int x) { long (*f)(long) = (long (*)(long))tbl[0]; return (int)f(x); }\n"
    "int rd(char *p) { return *(int *)p; } int wr(char *p, int v) { *(int *)p = v; return 1; }\n"
    "int rdb(char *p) { return *(signed char *)p; } long rdl(char *p) { return *(long *)(p + 16); }\n"
    "int rdneg(char *p) { return ((int *)p)[-3]; }\n"
    "int rdbig(char *p) { return p[1000000] + p[-1000000]; } int wrk(void) { *(int *)16 = 1; return 0; }\n"
    "int divz(int a, int b) { return a / b; } int remz(int a, int b) { int x = a % b; return x; }\n"
    "long ldivz(long a, long b) { return a / b; }\n"
    "int deep(int n) { return n == 0 ? 0 : 1 + deep(n - 1); }\n"
    "int bigframe(int n) { char buf[4000]; buf[n % 4000] = 1; return n == 0 ? buf[0] : bigframe(n - 1) + buf[n % 4000]; }\n"
    "int spin(int n) { volatile int x = 0; while (n) x++; return x; }\n"
    "int arr(int n) { int a[64]; for (int i = 0; i < 64; i++) a[i] = i * n; int s = 0; for (int i = 0; i < 64; i += 3) s += a[i]; return s; }\n"
    "struct pt { int x, y; double w; };\n"
    "static struct pt mk(int x, int y) { struct pt p = { x, y, x * 0.5 }; return p; }\n"
    "double structs(int n) { struct pt a = mk(n, n + 1), b; b = a; b.x += 3; return a.w + b.x + b.y; }\n"
    "int strs(int n) { char buf[64]; strcpy(buf, \"hello world\"); buf[n % 11] = 'X'; return (int)strlen(buf) * 1000 + buf[3] + memcmp(buf, \"hello\", 5); }\n"
    "int sw(int x) { switch (x) { case 0: return 10; case 1: return 11; case 5: return 15; case 100: return 7;\n"
    "  case -3: return 4; default: return -1; } }\n"
    "long swl(long x) { switch (x) { case 0: return 1; case 0x100000000L: return 2; case -5: return 3; } return 4; }\n"
    "int swloop(int n) { int s = 0, i = 0; again: switch (i % 4) { case 0: s += 1; i++; if (i < n) goto again; break;\n"
    "  case 1: s *= 2; i++; if (i < n) goto again; break; default: s -= 1; i++; if (i < n) goto again; } return s; }\n"
    "int dense(int x) { switch (x) { case 3: return 1; case 4: return 2; case 5: return 3; case 6: return 5; case 8: return 8;\n"
    "  case 9: return 13; case 10: return 21; default: return 0; } }\n"
    "long densel(long x) { switch (x) { case -2: return 1; case -1: return 2; case 0: return 3; case 1: return 5; case 2: return 8; } return 9; }\n"
    "int machine(int n) { int st = 0, acc = 0; while (n-- > 0) { switch (st) { case 0: acc += 1; st = 2; continue;\n"
    "  case 1: acc *= 3; st = 3; continue; case 2: acc ^= 5; st = 1; continue; case 3: acc -= 2; st = 0; continue; case 4: return -1; } } return acc; }\n"
    "static int bs(const int *a, int lo, int hi, int key) { if (lo > hi) return -1; int mid = lo + (hi - lo) / 2;\n"
    "  if (a[mid] == key) return mid; return a[mid] < key ? bs(a, mid + 1, hi, key) : bs(a, lo, mid - 1, key); }\n"
    "int bsearch3(int k) { int a[] = { 1, 3, 5, 7, 9, 11, 13 }; return bs(a, 0, 6, k) * 100 + bs(a, 0, 6, k + 1) * 10 + bs(a, 0, 6, 1); }\n"
    "double fcross(double x, int n) { double a = x * 2, b = x + 1; float c = (float)x; long l = n * 3L; int s = 0;\n"
    "  for (int i = 0; i < n; i++) { s += id(i) + (int)a; a = a * 0.5 + b; b -= c; c *= 1.5f; l += id(s); } return a + b + c + l + s; }\n"
    "long junk(long a) { long x = a * 0x100000001L; return x; }\n"
    "int uninit(int c) { int *p; int s = 0; junk(-1); if (c) p = &s; return *p + s; }\n"
    "int gvar = 5; int gbump(int n) { for (int i = 0; i < n; i++) gvar += i; return gvar; }\n"
    "int many(int a, int b, int c, int d, int e, int f, int g, int h, long i, double j) { return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8 + (int)i + (int)j; }\n"
    "int callmany(int x) { return many(x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x * 100L, x * 0.5); }\n"
    "unsigned char ubytes(unsigned char *p, int n) { unsigned char s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }\n"
    "int cmpchain(int a, int b, double x, double y) { return (a < b) + (a <= b) * 2 + (x < y) * 4 + (x != y) * 8 + (x == y) * 16 + ((a & 1) == 0) * 32; }\n";

static void test_prog(void)
{
    pair p;
    g_stack = 256 << 10;
    int prc = pair_init(&p, "prog", prog_src, 16 << 20, 200);
    g_stack = 0;
    if (prc != 0) {
        EXPECT(0, "prog plugin did not load");
        pair_fini(&p);
        return;
    }
    kp_value a[10];
    for (int n = 0; n < 25; n += 3) {
        a[0] = KP_I32(n);
        cmp_call(&p, "fibx", a, 1, NULL);
        cmp_call(&p, "sum", a, 1, NULL);
        cmp_call(&p, "arr", a, 1, NULL);
        cmp_call(&p, "structs", a, 1, NULL);
        cmp_call(&p, "strs", a, 1, NULL);
        cmp_call(&p, "callb", a, 1, NULL);
        cmp_call(&p, "callnested", a, 1, NULL);
        cmp_call(&p, "callmany", a, 1, NULL);
        cmp_call(&p, "swloop", a, 1, NULL);
        cmp_call(&p, "gbump", a, 1, NULL);
        cmp_call(&p, "bsearch3", a, 1, NULL);
        a[1] = KP_I32(n * 7 + 1);
        cmp_call(&p, "sorted", a, 2, NULL);
        cmp_call(&p, "pressure", a, 2, NULL);
        cmp_call(&p, "across", a, 2, NULL);
        cmp_call(&p, "viaptr", a, 2, NULL);
        a[0] = KP_F64(n * 0.37);
        a[1] = KP_F64(n - 3.5);
        cmp_call(&p, "fpress", a, 2, NULL);
        a[1] = KP_I32(n);
        cmp_call(&p, "poly", a, 2, NULL);
        cmp_call(&p, "fcross", a, 2, NULL);
        a[0] = KP_F32(n * 0.37);
        cmp_call(&p, "fsum", a, 2, NULL);
    }
    for (int m = 0; m < 3; m++)
        for (int n = 0; n < 4; n++) {
            a[0] = KP_I32(m);
            a[1] = KP_I32(n);
            cmp_call(&p, "ack", a, 2, NULL);
        }
    for (int x = -6; x < 110; x += 1) {
        a[0] = KP_I32(x);
        cmp_call(&p, "sw", a, 1, NULL);
        a[0] = KP_I64(x == 7 ? 0x100000000LL : x);
        cmp_call(&p, "swl", a, 1, NULL);
        a[0] = KP_I32(x - 50);
        cmp_call(&p, "dense", a, 1, NULL);
        cmp_call(&p, "machine", a, 1, NULL);
        a[0] = KP_I64(x - 50);
        cmp_call(&p, "densel", a, 1, NULL);
        a[0] = KP_I64((int64_t)((uint64_t)(int64_t)(x - 50) << 40));
        cmp_call(&p, "densel", a, 1, NULL);
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            a[0] = KP_I32(i);
            a[1] = KP_I32(j);
            a[2] = KP_F64(i * 0.5);
            a[3] = KP_F64(j == 3 ? NAN : j * 0.5);
            cmp_call(&p, "cmpchain", a, 4, NULL);
        }
    /* checksum over a host buffer in the segment */
    {
        kp_ptr b[2];
        for (int e = 0; e < 2; e++) {
            b[e] = kp_alloc(p.rt[e], 100000);
            uint8_t *h = kp_host_ptr(p.rt[e], b[e], 100000);
            for (int i = 0; i < 100000; i++)
                h[i] = (uint8_t)(i * 7 + (i >> 8));
        }
        EXPECT(b[0] == b[1], "same allocation in both runtimes");
        a[0] = KP_PTR(b[0]);
        a[1] = KP_I32(100000);
        cmp_call(&p, "checksum", a, 2, NULL);
        cmp_call(&p, "ubytes", a, 2, NULL);
    }
    /* memory traps: NULL page, beyond the memory, negative displacement */
    uint32_t addrs[] = {0, 4, 4092, 4095, 4096, 0x10000, (16u << 20) - 4, (16u << 20) - 2,
                        16u << 20, 0x7fffffff, 0x80000000u, 0xfffffff0u, 0xfffffffcu, 0xffffffffu};
    for (size_t i = 0; i < sizeof addrs / sizeof *addrs; i++) {
        a[0] = KP_PTR(addrs[i]);
        a[1] = KP_I32(42);
        cmp_call(&p, "rd", a, 1, NULL);
        cmp_call(&p, "rdb", a, 1, NULL);
        cmp_call(&p, "rdl", a, 1, NULL);
        cmp_call(&p, "rdneg", a, 1, NULL);
        cmp_call(&p, "rdbig", a, 1, NULL);
        if (addrs[i] < 4096 || addrs[i] >= (16u << 20) - 4)
            cmp_call(&p, "wr", a, 2, NULL);
    }
    EXPECT(cmp_call(&p, "wrk", a, 0, NULL) == KP_TRAP_MEMORY, "constant address");
    a[0] = KP_I32(0);
    EXPECT(cmp_call(&p, "uninit", a, 1, NULL) == KP_TRAP_MEMORY, "uninitialized pointer reads 0");
    /* division traps */
    int32_t dv[][2] = {{7, 0}, {INT32_MIN, -1}, {INT32_MIN, 1}, {-7, 2}, {0, 0}};
    for (int i = 0; i < 5; i++) {
        a[0] = KP_I32(dv[i][0]);
        a[1] = KP_I32(dv[i][1]);
        cmp_call(&p, "divz", a, 2, NULL);
        cmp_call(&p, "remz", a, 2, NULL);
        a[0] = KP_I64(i == 1 ? INT64_MIN : dv[i][0]);
        a[1] = KP_I64(dv[i][1]);
        cmp_call(&p, "ldivz", a, 2, NULL);
    }
    /* depth and stacks */
    a[0] = KP_I32(150);
    EXPECT(cmp_call(&p, "deep", a, 1, NULL) == KP_OK, "deep 150");
    a[0] = KP_I32(500);
    EXPECT(cmp_call(&p, "deep", a, 1, NULL) == KP_TRAP_STACK, "deep 500 traps");
    a[0] = KP_I32(190);
    EXPECT(cmp_call(&p, "bigframe", a, 1, NULL) == KP_TRAP_STACK, "plugin stack exhausted");
    a[0] = KP_I32(20);
    EXPECT(cmp_call(&p, "bigframe", a, 1, NULL) == KP_OK, "bigframe 20");
    /* calls that fail */
    a[0] = KP_I32(3);
    EXPECT(cmp_call(&p, "callfail", a, 1, NULL) == KP_TRAP_BUILTIN, "builtin failure");
    EXPECT(cmp_call(&p, "callmissing", a, 1, NULL) == KP_TRAP_UNLINKED, "unlinked");
    a[0] = KP_I32(0);
    EXPECT(cmp_call(&p, "callmissing", a, 1, NULL) == KP_OK, "not called");
    a[0] = KP_I32(12345);
    a[1] = KP_I32(1);
    EXPECT(cmp_call(&p, "badptr", a, 2, NULL) == KP_TRAP_BAD_CALL, "bad pointer");
    a[0] = KP_I32(0);
    EXPECT(cmp_call(&p, "badptr", a, 2, NULL) != KP_OK, "null pointer call");
    a[0] = KP_I32(5);
    EXPECT(cmp_call(&p, "badproto", a, 1, NULL) == KP_TRAP_BAD_CALL, "prototype mismatch");
    /* the runtime stays usable after traps */
    a[0] = KP_I32(20);
    EXPECT(cmp_call(&p, "fibx", a, 1, NULL) == KP_OK, "fib after traps");
    /* fuel: the same cut-off on both engines */
    {
        static const char *fns[] = {"fibx", "sum", "machine", "across", "swloop", "callnested",
                                    "arr", "callb", "bsearch3", "dense"};
        for (size_t k = 0; k < sizeof fns / sizeof *fns; k++)
            for (uint64_t fu = 1; fu < 120; fu += (fu < 20 ? 1 : 7)) {
                kp_value x[2] = {KP_I32(9), KP_I32(4)};
                cmp_fuel(&p, fns[k], x, !strcmp(fns[k], "across") ? 2 : 1, fu);
            }
    }
    /* deadline */
    for (int e = 0; e < 2; e++) {
        kp_set_deadline(p.rt[e], 30);
        kp_func *f;
        kp_lookup(p.rt[e], "spin", &f);
        kp_value r, x = KP_I32(1);
        int rc = kp_call(f, &x, 1, &r);
        EXPECT(rc == KP_TRAP_TIMEOUT, "%s: deadline: %s", e ? "jit" : "interp", kp_result_name(rc));
        kp_set_deadline(p.rt[e], 0);
    }
    pair_fini(&p);
}

/* Small constant-size memcpy/memmove/memset and struct copies, which the
 * JIT expands inline: same results, same traps and messages, and memory
 * untouched by a copy that traps, at every edge of the valid memory. */
#define MI_SIZES(X) X(0) X(1) X(2) X(3) X(4) X(8) X(16) X(17)
#define MI_FN(n)                                                                          \
    "long cp" #n "(char *d, char *s) { char *r = memcpy(d, s, " #n "); return (long)(r - d) + d[0]; }\n" \
    "int mv" #n "(char *d, char *s) { memmove(d, s, " #n "); return 1; }\n"                \
    "int st" #n "(char *d, int v) { return *(char *)memset(d, v, " #n ") + 1000; }\n"        \
    "int sk" #n "(char *d) { memset(d, 0xA5, " #n "); memset(d + 1, 0, " #n "); return 2; }\n"
static const char *mi_src =
    "#include <string.h>\n"
    MI_SIZES(MI_FN)
    "struct s1 { char c[1]; }; struct s2 { short c; }; struct s4 { int c; }; struct s8 { char c[8]; };\n"
    "struct s16 { long a, b; }; struct s12 { int c[3]; };\n"
    "int sc1(struct s1 *d, struct s1 *s) { *d = *s; return 3; }\n"
    "int sc2(struct s2 *d, struct s2 *s) { *d = *s; return 3; }\n"
    "int sc4(struct s4 *d, struct s4 *s) { *d = *s; return 3; }\n"
    "int sc8(struct s8 *d, struct s8 *s) { *d = *s; return 3; }\n"
    "int sc16(struct s16 *d, struct s16 *s) { *d = *s; return 3; }\n"
    "int sc12(struct s12 *d, struct s12 *s) { *d = *s; return 3; }\n"
    "int sz8(struct s8 *d, char *s) { *d = (struct s8){0}; return 4; }\n"
    "int sz16(struct s16 *d, char *s) { *d = (struct s16){0}; return 4; }\n"
    "int k4(char *s) { unsigned k; memcpy(&k, s, 4); return (int)(k * 0xcc9e2d51u); }\n"
    "long k8(char *s) { long k; memcpy(&k, s, sizeof k); return k; }\n"
    "int k16(char *s) { struct s16 v; memcpy(&v, s, 16); memset(s, 7, 16); memcpy(s + 3, &v, 16); return (int)(v.a ^ v.b); }\n";

static void test_meminline(void)
{
    pair p;
    const uint32_t M = 16u << 20;
    if (pair_init(&p, "mi", mi_src, M, 0) != 0) {
        EXPECT(0, "meminline plugin did not load");
        pair_fini(&p);
        return;
    }
    static const char *fn2[] = {
#define MI_NAMES(n) "cp" #n, "mv" #n,
        MI_SIZES(MI_NAMES)
        "sc1", "sc2", "sc4", "sc8", "sc16", "sc12", "sz8", "sz16"};
    static const char *fnv[] = {
#define MI_NAMESV(n) "st" #n,
        MI_SIZES(MI_NAMESV)};
    static const char *fn1[] = {
#define MI_NAMES1(n) "sk" #n,
        MI_SIZES(MI_NAMES1) "k4", "k8", "k16"};
    uint32_t dsts[] = {0, 8, 4080, 4088, 4095, 4096, 4097, 0x10000, 0x10003, M - 17, M - 16, M - 15,
                       M - 9, M - 8, M - 4, M - 1, M, M + 8, 0x7ffffff8u, 0xfffffff0u, 0xfffffff8u,
                       0xffffffffu};
    /* windows compared after every call: both ends of memory and the middle */
    uint32_t win[][2] = {{4096, 64}, {0x10000 - 32, 96}, {M - 64, 64}};
    for (size_t i = 0; i < sizeof dsts / sizeof *dsts; i++) {
        uint32_t d = dsts[i];
        uint32_t srcs[] = {0x10000, 0x10001, d + 1, d - 1, d + 3, 4090, M - 8, 0, 0xfffffffcu};
        for (size_t j = 0; j < sizeof srcs / sizeof *srcs; j++) {
            uint32_t sa = srcs[j];
            for (size_t f = 0; f < sizeof fn2 / sizeof *fn2 + sizeof fnv / sizeof *fnv +
                                       sizeof fn1 / sizeof *fn1; f++) {
                size_t n2 = sizeof fn2 / sizeof *fn2, nv = sizeof fnv / sizeof *fnv;
                if (f >= n2 && j > 1)
                    continue; /* one-pointer functions: the source matters less */
                kp_value a[2];
                const char *name;
                int na = 2;
                if (f < n2) {
                    name = fn2[f];
                    a[0] = KP_PTR(d);
                    a[1] = KP_PTR(sa);
                } else if (f < n2 + nv) {
                    name = fnv[f - n2];
                    a[0] = KP_PTR(d);
                    a[1] = KP_I32(j ? -3 : 0x1234);
                } else {
                    name = fn1[f - n2 - nv];
                    a[0] = KP_PTR(j ? d : sa);
                    na = 1;
                }
                for (int e = 0; e < 2; e++)
                    for (size_t w = 0; w < 3; w++) {
                        uint8_t *h = kp_host_ptr(p.rt[e], win[w][0], win[w][1]);
                        for (uint32_t k = 0; k < win[w][1]; k++)
                            h[k] = (uint8_t)(k * 37 + w + i);
                    }
                cmp_call(&p, name, a, na, NULL);
                for (size_t w = 0; w < 3; w++) {
                    const uint8_t *h0 = kp_host_ptr(p.rt[0], win[w][0], win[w][1]);
                    const uint8_t *h1 = kp_host_ptr(p.rt[1], win[w][0], win[w][1]);
                    EXPECT(!memcmp(h0, h1, win[w][1]), "%s(%#x, %#x): memory differs near %#x",
                           name, d, sa, win[w][0]);
                }
            }
        }
    }
    pair_fini(&p);
}

/* Single-block loops, which the JIT unrolls with one poll check per group
 * of copies: fuel cut-offs (code, position, fuel left) and traps inside
 * any copy must be exactly the interpreter's, memory included. */
static const char *unroll_src =
    "int tight(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }\n"
    "int tightw(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) { s += i; p[i] = (char)s; } return s; }\n"
    "int dow(char *p, int n) { int s = 0; do { s += n ^ (s >> 3); } while (--n); return s; }\n"
    "int sum2(char *p, int n) { long s = 0; int i = 0; while (i < n) { s += (long)p[i] * i + p[i + 1]; i += 2; } return (int)(s ^ (s >> 32)); }\n"
    "int divl(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += 1000 / p[i]; return s; }\n"
    "int fgrow(unsigned char *p, int n) { double x = 1.0; int c = 0; do { x = x * 1.0001 + p[c & 7]; c++; } while (x < n); return c; }\n"
    "int cpy(char *p, int n) { unsigned h = 0; for (int i = 0; i < n; i++) { unsigned k; __builtin_memcpy(&k, p + i, 4); h = h * 31 + k; } return (int)h; }\n";

static void test_unroll(void)
{
    pair p;
    const uint32_t M = 16u << 20;
    const char *src = unroll_src;
    /* plugins do not know __builtin_memcpy: use the library name */
    char buf[2048];
    snprintf(buf, sizeof buf, "#include <string.h>\n%s", src);
    char *q;
    while ((q = strstr(buf, "__builtin_memcpy")) != NULL)
        memmove(q, q + 10, strlen(q + 10) + 1);
    if (pair_init(&p, "unroll", buf, M, 0) != 0) {
        EXPECT(0, "unroll plugin did not load");
        pair_fini(&p);
        return;
    }
    kp_ptr data = pair_odd_bytes(&p, 65536);
    static const char *fns[] = {"tight", "tightw", "dow", "sum2", "divl", "fgrow", "cpy"};
    static const uint64_t fuels[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 17, 100, 4094, 4095, 4096,
                                     4097, 4098, 4099, 4100, 4101, 8191, 8192, 8193, 8194, 12289, 20000};
    for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
        cmp_small_calls(&p, fns[f], data);
        cmp_fuels(&p, fns[f], data, fuels, sizeof fuels / sizeof *fuels);
        /* a fault in each copy of a group: the data runs into the end of
         * memory after n bytes, with and without a fuel budget */
        for (uint32_t n = 1; n < 20; n++) {
            kp_value a[2] = {KP_PTR(M - n), KP_I32(100)};
            for (int e = 0; e < 2; e++) {
                uint8_t *h = kp_host_ptr(p.rt[e], M - 64, 64);
                for (int i = 0; i < 64; i++)
                    h[i] = (uint8_t)(i * 5 + 1) | 1;
            }
            if (!strcmp(fns[f], "divl") && n == 7) { /* and a division by zero */
                for (int e = 0; e < 2; e++)
                    *(uint8_t *)kp_host_ptr(p.rt[e], M - 3, 1) = 0;
            }
            cmp_call(&p, fns[f], a, 2, NULL);
            cmp_fuel(&p, fns[f], a, 2, 100000 + n);
            const uint8_t *h0 = kp_host_ptr(p.rt[0], M - 64, 64);
            const uint8_t *h1 = kp_host_ptr(p.rt[1], M - 64, 64);
            EXPECT(!memcmp(h0, h1, 64), "%s(%#x): memory differs at the end", fns[f], M - n);
        }
    }
    pair_fini(&p);
}

/* Where a poll trap is located: both engines name the same line:column
 * (ir_poll_sites), in the shapes where they used to differ -- the
 * interpreter fusing the block's first instruction into a later one
 * (fill), the JIT's optimizer reordering or shrinking the target block
 * (down, count: a 5-instruction test block the JIT's copy shrank to 4 and
 * copied, the interpreter not), a small test block with a call (callt:
 * the interpreter copied it, the JIT did not) -- and in jumps through
 * blocks that only jump on, `continue`, switches, nested loops. Fuel
 * sweeps compare code, fuel left and message (with line:column); a few
 * cut-offs are also checked against the rule itself, and an endless loop
 * against its deadline. */
static const char *pollcol_src =
    "long tick(int a, long b, double c);\n"
    "int fill(char *p, int n) { for (int i = 0; i < n; i++) p[i] = (char)(i + 1); return n; }\n"
    "int down(char *p, int l) { int h = 0; while (l-- > 0) {} return h; }\n"
    "int g(int x) { return x * 3 + 1; }\n"
    "int callt(char *p, int n) { int s = 0; for (int i = 0; g(i) < n; i++) s += i; return s; }\n"
    "int count(char *p, int n) { int c = 0; while (n-- > 0 && p[n & 63]) c++; return c; }\n"
    "int cont(char *p, int n) { int s = 0, i = 0; while (i < n) { i++; if (i & 1) continue; s += p[i & 63]; } return s; }\n"
    "int sw(char *p, int n) { int s = 0; while (n > 0) { switch (n & 3) { case 0: s++; break; case 1: s += 2; continue; default: s--; } n--; } return s; }\n"
    "int nest(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) s += p[j & 63]; return s; }\n"
    "int bi(char *p, int n) { long s = 0; int i = 0; while (tick(i, s, 0.5) != n) { s += p[i & 63]; i++; } return (int)s; }\n"
    "int endless(char *p, int x) { for (;;) { x = x * 5 + p[x & 63]; } return x; }\n"
    "int spin(char *p, int x) { do {} while (x); return 0; }\n";

static void test_pollcol(void)
{
    pair p;
    if (pair_init(&p, "pollcol", pollcol_src, 0, 0) != 0) {
        EXPECT(0, "pollcol plugin did not load");
        pair_fini(&p);
        return;
    }
    kp_ptr data = pair_odd_bytes(&p, 256);
    static const char *fns[] = {"fill", "down", "callt", "count", "cont", "sw", "nest", "bi",
                                "endless", "spin"};
    for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
        kp_value a[2] = {KP_PTR(data), KP_I32(200)};
        for (uint64_t fu = 1; fu <= 80; fu++)
            cmp_fuel(&p, fns[f], a, 2, fu);
        static const uint64_t big[] = {4095, 4096, 4097, 8193, 20000};
        for (size_t k = 0; k < sizeof big / sizeof *big; k++)
            cmp_fuel(&p, fns[f], a, 2, big[k]);
    }
    /* the rule itself: the loop block's first instruction other than a
     * constant (fill: the address p + i of the store, not the i + 1 the
     * interpreter used to name; down: the l-- of the test, not the > the
     * JIT used to name; callt: the call in the test, not the body's s += i
     * the interpreter used to name), at the first back-edge poll past the
     * budget (callt: g's entries poll too) */
    static const struct { const char *fn; uint64_t fuel; const char *at; } want[] = {
        {"fill", 5, "line 2:61:"}, {"down", 5, "line 3:47:"}, {"callt", 6, "line 5:57:"}};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        for (int e = 0; e < 2; e++) {
            kp_func *f;
            kp_lookup(p.rt[e], want[k].fn, &f);
            kp_value a[2] = {KP_PTR(data), KP_I32(200)}, r;
            kp_call_opts o;
            memset(&o, 0, sizeof o);
            o.fuel = want[k].fuel;
            int rc = kp_call_ex(f, a, 2, &r, &o);
            const char *msg = rc ? kp_errmsg() : "";
            EXPECT(rc == KP_TRAP_FUEL && strstr(msg, want[k].at), "%s on %s: %s, want %s",
                   want[k].fn, e ? "jit" : "interp", msg, want[k].at);
        }
    /* a deadline stops the endless loop at the same place on both */
    char msg[2][512];
    for (int e = 0; e < 2; e++) {
        kp_func *f;
        kp_lookup(p.rt[e], "endless", &f);
        kp_value a[2] = {KP_PTR(data), KP_I32(1)}, r;
        kp_call_opts o;
        memset(&o, 0, sizeof o);
        o.deadline_ms = 5;
        int rc = kp_call_ex(f, a, 2, &r, &o);
        snprintf(msg[e], sizeof msg[e], "%s", rc ? kp_errmsg() : "");
        EXPECT(rc == KP_TRAP_TIMEOUT, "endless on %s: %s", e ? "jit" : "interp",
               kp_result_name(rc));
    }
    EXPECT(!strcmp(msg[0], msg[1]), "endless: deadline messages differ:\n  interp: %s\n  jit:    %s",
           msg[0], msg[1]);
    pair_fini(&p);
}

/* Counted loops (emit.c, emit_counted): single-block loops stepping an
 * int by 1 against an invariant bound run without a poll per iteration,
 * the strip to the next poll folded into the loop's own compare. The
 * fuel cut-off (code, position, fuel left) at every interesting point --
 * first and last iteration, strip ends at 4096-poll boundaries, faults
 * in the middle of a strip, wrapping bounds -- and the loops that must
 * keep the plain form (bound written in the body, step 3, counting down,
 * break) all agree with the interpreter. */
static const char *counted_src =
    "int up(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i] ^ i; return s; }\n"
    "int neg(char *p, int n) { int s = 0, m = n / 3; for (int i = -n; i < m; i++) s += p[i & 4095] + i; return s; }\n"
    "int le(char *p, int n) { int s = 0; for (int i = 1; i <= n; i++) s ^= p[i & 4095] * i; return s; }\n"
    "int kbound(char *p, int n) { int s = n; for (int i = 0; i < 5000; i++) s += p[i] >> 1; return s; }\n"
    "int uns(char *p, int n) { unsigned s = 0; for (unsigned i = 3; i < (unsigned)n; i++) s = s * 3 + (unsigned)p[i]; return (int)s; }\n"
    "int wraps(char *p, int n) { int s = 0, m = 2147483647 - 9000 + n; for (int i = m - 50; i <= m; i++) s += p[i & 1023]; return s; }\n"
    "int wrapu(char *p, int n) { unsigned s = 0, m = 4294967295u - 9000u + (unsigned)n; for (unsigned i = m - 50; i <= m; i++) s += (unsigned)p[i & 1023]; return (int)s; }\n"
    "int nest(char *p, int n) { int s = 0, m = n / 8; for (int i = 0; i < m; i++) for (int j = 0; j < 8; j++) s += p[i * 8 + j] * j; return s; }\n"
    "int post(char *p, int n) { int s = 0, i = 0; while (i < n) { s += p[i]; i++; s ^= p[i]; } return s; }\n"
    "int again(char *p, int n) { int s = n; for (;;) for (int i = 0; i < 37; i++) { s += p[i]; p[i + 40] = (char)s; } }\n"
    "int brk(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) { if (p[i] == 0) break; s += p[i]; } return s; }\n"
    "int nchg(char *p, int n) { int s = 0; for (int i = 0; i < n; i++) { s += p[i]; n -= p[i] & 1; } return s; }\n"
    "int step3(char *p, int n) { int s = 0; for (int i = 0; i < n; i += 3) s += p[i]; return s; }\n"
    "int down(char *p, int n) { int s = 0; for (int i = n; i > 0; i--) s += p[i]; return s; }\n";

static void test_counted(void)
{
    pair p;
    const uint32_t M = 16u << 20;
    unsigned long before = jit_g.counted_loops;
    if (pair_init(&p, "counted", counted_src, M, 0) != 0) {
        EXPECT(0, "counted plugin did not load");
        pair_fini(&p);
        return;
    }
    /* up neg le kbound uns wraps wrapu post, nest's and again's inner
     * loops (again's leaves to the outer loop's header); not the rest */
    EXPECT(jit_g.counted_loops - before == 10, "counted loops: %lu, want 10",
           jit_g.counted_loops - before);
    kp_ptr data = pair_odd_bytes(&p, 65536);
    static const char *fns[] = {"up",  "neg",  "le",    "kbound", "uns",   "wraps",
                                "wrapu", "nest", "post", "brk", "nchg", "step3", "down"};
    static const uint64_t fuels[] = {1,    2,    3,    4,    5,    6,    7,    8,    9,    10,
                                     50,   51,   52,   53,   100,  4094, 4095, 4096, 4097, 4098,
                                     4099, 4100, 5000, 5001, 5002, 8191, 8192, 8193, 8194, 8999,
                                     9000, 9001, 9002, 9003, 12289, 20000};
    for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
        cmp_small_calls(&p, fns[f], data);
        /* n = 9000: wraps and wrapu never end (their bound is the type's
         * maximum): only the fuel stops them */
        cmp_fuels(&p, fns[f], data, fuels, sizeof fuels / sizeof *fuels);
        /* a fault in the middle of a strip: the data runs into the end of
         * memory after n bytes, with and without a fuel budget */
        for (uint32_t n = 1; n < 20; n++) {
            kp_value a[2] = {KP_PTR(M - n), KP_I32(100)};
            cmp_call(&p, fns[f], a, 2, NULL);
            cmp_fuel(&p, fns[f], a, 2, 100000 + n);
            cmp_fuel(&p, fns[f], a, 2, 3 + n);
        }
    }
    /* an endless loop whose counted inner loop leaves through a back-edge:
     * only fuel budgets and faults end it */
    cmp_fuels(&p, "again", data, fuels, sizeof fuels / sizeof *fuels);
    for (uint32_t n = 1; n < 80; n += 3) {
        kp_value a[2] = {KP_PTR(M - n), KP_I32(100)};
        cmp_fuel(&p, "again", a, 2, 100000 + n);
        cmp_fuel(&p, "again", a, 2, 3 + n);
    }
    pair_fini(&p);
}

/* Small leaf functions inlined by the JIT: their entry checks (call depth,
 * poll) still trap in the callee, at its line, at the same point as on
 * the interpreter; fuel cut-offs agree. */
static const char *inl_src =
    "static unsigned rotl(unsigned x, int r) { return (x << r) | (x >> (32 - r)); }\n"
    "static int sq(int x) { return x * x; }\n"
    "static long mix(long a, int b, double c) { return a * 3 + b - (long)(c * 2.0); }\n"
    "static int pick(int c, int a, int b) { return c > 0 ? a : b; }\n"
    "int rec(int n) { int s = sq(n) + 1; s ^= n; if (n > 0) s += rec(n - 1); return s; }\n"
    "int hash(int n) { unsigned h = 7; for (int i = 0; i < n; i++) { h ^= rotl(h, 13) + i; h = rotl(h * 5u, 7) ^ (unsigned)sq(i); } return (int)h; }\n"
    "long mixes(int n) { long s = 0; for (int i = 0; i < n; i++) { s += mix(s, i, i * 0.25); s ^= s >> 7; } return s; }\n"
    "int picks(int n) { int s = 0; for (int i = -n; i < n; i++) { s += pick(i, i, -i) * 3; s ^= i; } return s; }\n";

static void test_inline(void)
{
    pair p;
    if (pair_init(&p, "inl", inl_src, 16 << 20, 40) != 0) {
        EXPECT(0, "inline plugin did not load");
        pair_fini(&p);
        return;
    }
    static const char *fns[] = {"rec", "hash", "mixes", "picks"};
    for (size_t f = 0; f < sizeof fns / sizeof *fns; f++) {
        for (int n = 0; n < 60; n += (n < 45 ? 5 : 1)) {
            kp_value a = KP_I32(n);
            cmp_call(&p, fns[f], &a, 1, NULL); /* rec traps on the depth near 40 */
        }
        for (uint64_t fu = 1; fu < 200; fu += (fu < 40 ? 1 : 13)) {
            kp_value a = KP_I32(30);
            cmp_fuel(&p, fns[f], &a, 1, fu);
        }
    }
    pair_fini(&p);
}

/* Loop counters indexing globals: the JIT folds the global's address into
 * the access when it can prove the counter stays in [0, INT_MAX] (no
 * 32-bit wrap); where it cannot, or where the index runs off the end of
 * memory, results and traps must still be the interpreter's. */
static const char *fold_src =
    "static unsigned char g[64]; static int w[64];\n"
    "int fill(int n) { for (int i = 0; i < 64; i++) { g[i] = (unsigned char)(i * 7 + n); w[i] = i * n - 9; } return 0; }\n"
    "int up(int n) { int s = 0; for (int i = 0; i < n; i++) s += g[i]; return s; }\n"
    "int upw(int n) { int s = 0; for (int i = 0; i < n; i++) s ^= w[i] + i; return s; }\n"
    "int le(int n) { int s = 0; for (int i = 0; i <= 40; i++) s += g[i] * n; return s; }\n"
    "int neg(int n) { int s = 0; for (int i = -8; i < n; i++) s += g[i]; return s; }\n"
    "int off(int n) { int s = 0; for (int i = 0; i < n; i++) s += g[i - 3]; return s; }\n"
    "int from(int lo, int n) { int s = 0; for (int i = lo; i < n; i++) s += g[i]; return s; }\n"
    "int big(int n) { int s = 0; for (int i = 2147483600; i < 2147483647 && n--; i++) s += g[i]; return s; }\n"
    "int st(int n) { for (int i = 0; i < n; i++) g[i] = (unsigned char)i; return g[n > 0 ? n - 1 : 0]; }\n";

static void test_fold(void)
{
    pair p;
    if (pair_init(&p, "fold", fold_src, 16 << 20, 0) != 0) {
        EXPECT(0, "fold plugin did not load");
        pair_fini(&p);
        return;
    }
    static const int ns[] = {0, 1, 5, 63, 64, 100, 4096, 1 << 20, (16 << 20) - 4100,
                             (16 << 20) - 4000, (16 << 20), 0x7fffffff};
    static const char *fns[] = {"up", "upw", "le", "neg", "off", "big", "st"};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        kp_value a[2] = {KP_I32(ns[i]), KP_I32(ns[i])};
        cmp_call(&p, "fill", a, 1, NULL);
        for (size_t f = 0; f < sizeof fns / sizeof *fns; f++)
            cmp_call(&p, fns[f], a, 1, NULL);
        a[0] = KP_I32(i ? -ns[i] : -1);
        cmp_call(&p, "from", a, 2, NULL);
        a[0] = KP_I32(ns[i] / 2);
        cmp_call(&p, "from", a, 2, NULL);
    }
    pair_fini(&p);
}

/* interrupt from another thread */
static void *interrupter(void *arg)
{
    usleep(30000);
    kp_interrupt(arg);
    return NULL;
}

static void test_interrupt(void)
{
    kp_runtime *rt = make_rt(1, 0, 0);
    const char *src = "int spin(int n) { int x = 0; while (n) { x += n; if (x == 17) n = 0; } return x; }\n";
    EXPECT(kp_plugin_add(rt, "spin", src, strlen(src)) == KP_OK, "spin loads: %s", kp_errmsg());
    kp_func *f;
    kp_lookup(rt, "spin", &f);
    pthread_t th;
    pthread_create(&th, NULL, interrupter, rt);
    kp_value x = KP_I32(2), r;
    int rc = kp_call(f, &x, 1, &r);
    pthread_join(th, NULL);
    EXPECT(rc == KP_TRAP_INTERRUPTED, "interrupted: %s", kp_result_name(rc));
    EXPECT(kp_last_error()->line == 1, "interrupt line %d", kp_last_error()->line);
    x = KP_I32(17);
    EXPECT(kp_call(f, &x, 1, &r) == KP_OK && r.v.i32 == 17, "usable after interrupt");
    kp_runtime_destroy(rt);
}

/* threads: traps on several threads at once */
static void *trap_thread(void *arg)
{
    kp_func *f = arg;
    long bad = 0;
    for (int i = 0; i < 2000; i++) {
        kp_value a[2] = {KP_I32(i % 3 == 0 ? 0 : 7), KP_I32(i % 2)}, r;
        int rc = kp_call(f, a, 2, &r);
        if (rc != (i % 2 ? KP_OK : KP_TRAP_DIV))
            bad++;
    }
    return (void *)bad;
}

static void test_threads(void)
{
    kp_runtime *rt = make_rt(1, 0, 0);
    const char *src = "int dv(int a, int b) { return a / b; }\n";
    kp_plugin_add(rt, "dv", src, strlen(src));
    kp_func *f;
    kp_lookup(rt, "dv", &f);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, trap_thread, f);
    long bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    EXPECT(bad == 0, "threads: %ld wrong results", bad);
    kp_runtime_destroy(rt);
}

/* A host SIGSEGV handler installed before the JIT's keeps receiving the
 * faults that are not in generated code (main installs it first). */
static sigjmp_buf host_jb;
static volatile sig_atomic_t host_armed, host_hits;
static void host_segv(int s)
{
    if (host_armed) {
        host_armed = 0;
        host_hits++;
        siglongjmp(host_jb, 1);
    }
    signal(s, SIG_DFL);
}

static void test_chain(void)
{
    kp_runtime *rt = make_rt(1, 0, 0);
    const char *src = "int rd(char *p) { return *(int *)p; }\n";
    kp_plugin_add(rt, "rd", src, strlen(src));
    kp_func *f;
    kp_lookup(rt, "rd", &f);
    kp_value a = KP_PTR(0), r;
    int rc0 = kp_call(f, &a, 1, &r);
    EXPECT(rc0 == KP_TRAP_MEMORY, "null read traps: %s %s", kp_result_name(rc0), kp_errmsg());
    EXPECT(host_hits == 0, "JIT fault not seen by the host handler");
    volatile int *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    host_armed = 1;
    if (!sigsetjmp(host_jb, 1)) {
        (void)*bad; /* faults: host_hits tells below */
    }
    host_armed = 0;
    EXPECT(host_hits == 1, "host fault reached the host's handler (%d)", (int)host_hits);
    munmap((void *)bad, 4096);
    EXPECT(kp_call(f, &a, 1, &r) == KP_TRAP_MEMORY, "JIT handler still works");
    kp_runtime_destroy(rt);
}

/* Native stack: a huge call-depth limit must still end in a trap, on the
 * main thread and on a thread with a small stack. */
static void *deep_thread(void *arg)
{
    kp_func *f = arg;
    kp_value a = KP_I32(5000000), r;
    return (void *)(intptr_t)kp_call(f, &a, 1, &r);
}

static void test_native_stack(void)
{
    g_stack = 64 << 20;
    kp_runtime *rt = make_rt(1, 256 << 20, 100000000);
    g_stack = 0;
    const char *src = "int deep(int n) { return n == 0 ? 0 : 1 + deep(n - 1); }\n";
    EXPECT(kp_plugin_add(rt, "deep", src, strlen(src)) == KP_OK, "deep loads: %s", kp_errmsg());
    kp_func *f;
    kp_lookup(rt, "deep", &f);
    kp_value a = KP_I32(5000000), r;
    int rc = kp_call(f, &a, 1, &r);
    EXPECT(rc == KP_TRAP_STACK, "main thread: %s %s", kp_result_name(rc), kp_errmsg());
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 256 << 10);
    pthread_t th;
    pthread_create(&th, &at, deep_thread, f);
    void *res;
    pthread_join(th, &res);
    EXPECT((intptr_t)res == KP_TRAP_STACK, "small thread: %s", kp_result_name((int)(intptr_t)res));
    a = KP_I32(1000);
    EXPECT(kp_call(f, &a, 1, &r) == KP_OK && r.v.i32 == 1000, "usable after");
    kp_runtime_destroy(rt);
}

/* replace/delete while linked: calls reach the new code, deleted names trap */
static void test_relink(void)
{
    kp_runtime *rt = make_rt(1, 0, 0);
    const char *a1 = "int val(void) { return 1; }\n";
    const char *a2 = "int val(void) { return 2; }\n";
    const char *b = "int val(void); int get(void) { return val() * 10; }\n";
    kp_plugin_add(rt, "a", a1, strlen(a1));
    kp_plugin_add(rt, "b", b, strlen(b));
    kp_func *f;
    kp_lookup(rt, "get", &f);
    kp_value r;
    EXPECT(kp_call(f, NULL, 0, &r) == KP_OK && r.v.i32 == 10, "cross-plugin call");
    kp_plugin_replace(rt, "a", a2, strlen(a2));
    EXPECT(kp_call(f, NULL, 0, &r) == KP_OK && r.v.i32 == 20, "after replace: %d", r.v.i32);
    kp_delete(rt, "a");
    EXPECT(kp_call(f, NULL, 0, &r) == KP_TRAP_UNLINKED, "after delete");
    kp_plugin_add(rt, "a", a1, strlen(a1));
    EXPECT(kp_call(f, NULL, 0, &r) == KP_OK && r.v.i32 == 10, "re-added");
    for (int i = 0; i < 200; i++) { /* code memory is recycled */
        kp_plugin_replace(rt, "a", i & 1 ? a1 : a2, strlen(a1));
        kp_call(f, NULL, 0, &r);
    }
    EXPECT(r.v.i32 == 10, "after 200 replaces: %d", r.v.i32);
    kp_runtime_destroy(rt);
}

/* ---- bench ---- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned c_checksum(const unsigned char *p, int n)
{
    unsigned a = 1, b = 0;
    for (int i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

static void c_gray(const unsigned char *in, unsigned char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (unsigned char)((in[3 * i] * 77 + in[3 * i + 1] * 150 + in[3 * i + 2] * 29) >> 8);
}

static int c_fib(int n) { return n < 2 ? n : c_fib(n - 1) + c_fib(n - 2); }

static void c_sort(int *v, int n)
{
    for (int gap = n / 2; gap > 0; gap /= 2)
        for (int i = gap; i < n; i++) {
            int t = v[i], j = i;
            while (j >= gap && v[j - gap] > t) {
                v[j] = v[j - gap];
                j -= gap;
            }
            v[j] = t;
        }
}

static void bench(void)
{
    const char *src =
        "unsigned checksum(const unsigned char *p, int n) { unsigned a = 1, b = 0;\n"
        "  for (int i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; } return b << 16 | a; }\n"
        "void gray(const unsigned char *in, unsigned char *out, int n) {\n"
        "  for (int i = 0; i < n; i++) out[i] = (unsigned char)((in[3 * i] * 77 + in[3 * i + 1] * 150 + in[3 * i + 2] * 29) >> 8); }\n"
        "int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n"
        "void sort(int *v, int n) { for (int gap = n / 2; gap > 0; gap /= 2) for (int i = gap; i < n; i++) {\n"
        "  int t = v[i], j = i; while (j >= gap && v[j - gap] > t) { v[j] = v[j - gap]; j -= gap; } v[j] = t; } }\n";
    enum { N = 1 << 20 };
    unsigned char *hin = malloc(3 * N), *hout = malloc(N);
    int *hv = malloc(N * sizeof *hv);
    for (int i = 0; i < 3 * N; i++)
        hin[i] = (unsigned char)(i * 13 + (i >> 7));
    double t0, tc[4] = {1e9, 1e9, 1e9, 1e9}, te[2][4];
#define BEST(slot, stmt) do { for (int rep = 0; rep < 5; rep++) { t0 = now(); stmt; double d_ = now() - t0; if (d_ < (slot)) (slot) = d_; } } while (0)
    volatile unsigned cs;
    volatile int fb;
    BEST(tc[0], cs = c_checksum(hin, 3 * N));
    BEST(tc[1], c_gray(hin, hout, N));
    BEST(tc[2], fb = c_fib(27));
    for (int rep = 0; rep < 5; rep++) {
        for (int i = 0; i < N; i++) hv[i] = (int)((unsigned)i * 7919u % 100003u);
        t0 = now(); c_sort(hv, N); double d = now() - t0; if (d < tc[3]) tc[3] = d;
    }
    (void)cs; (void)fb;
    for (int e = 0; e < 2; e++) {
        for (int k = 0; k < 4; k++) te[e][k] = 1e9;
        kp_runtime *rt = make_rt(e, 64 << 20, 0);
        if (kp_plugin_add(rt, "b", src, strlen(src)) != KP_OK) {
            printf("bench load: %s\n", kp_errmsg());
            return;
        }
        kp_ptr in = kp_alloc(rt, 3 * N), out = kp_alloc(rt, N), v = kp_alloc(rt, N * 4);
        memcpy(kp_host_ptr(rt, in, 3 * N), hin, 3 * N);
        kp_func *f;
        kp_value r, a[3];
        kp_lookup(rt, "checksum", &f);
        a[0] = KP_PTR(in); a[1] = KP_I32(3 * N);
        BEST(te[e][0], kp_call(f, a, 2, &r));
        kp_lookup(rt, "gray", &f);
        a[0] = KP_PTR(in); a[1] = KP_PTR(out); a[2] = KP_I32(N);
        BEST(te[e][1], kp_call(f, a, 3, &r));
        kp_lookup(rt, "fib", &f);
        a[0] = KP_I32(27);
        BEST(te[e][2], kp_call(f, a, 1, &r));
        int *pv = kp_host_ptr(rt, v, N * 4);
        kp_lookup(rt, "sort", &f);
        a[0] = KP_PTR(v); a[1] = KP_I32(N);
        for (int rep = 0; rep < 5; rep++) {
            for (int i = 0; i < N; i++) pv[i] = (int)((unsigned)i * 7919u % 100003u);
            t0 = now(); kp_call(f, a, 2, &r); double d = now() - t0; if (d < te[e][3]) te[e][3] = d;
        }
        kp_runtime_destroy(rt);
    }
    static const char *names[] = {"adler32 3 MiB", "grayscale 1M px", "fib(27)", "shellsort 1M"};
    printf("%-18s %10s %10s %10s %8s %8s\n", "kernel", "gcc ms", "jit ms", "interp ms", "jit/gcc", "int/jit");
    for (int k = 0; k < 4; k++)
        printf("%-18s %10.2f %10.2f %10.2f %8.2f %8.1f\n", names[k], tc[k] * 1e3, te[1][k] * 1e3,
               te[0][k] * 1e3, te[1][k] / tc[k], te[0][k] / te[1][k]);
    free(hin);
    free(hout);
    free(hv);
}

/* `test_jit dump FILE.c OUT.bin`: the module's code, for
 * objdump -D -b binary -mi386:x86-64 OUT.bin */
static int dump(const char *path, const char *out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 1;
    static char src[1 << 20];
    size_t n = fread(src, 1, sizeof src - 1, fp);
    fclose(fp);
    kp_runtime *rt = make_rt(1, 0, 0);
    if (kp_plugin_add(rt, "dump", src, n) != KP_OK) {
        printf("%s\n", kp_errmsg());
        return 1;
    }
    kp_modx *mx = rt->modules_tail;
    jit_module *jm = mx->m.engine_data;
    for (uint32_t i = 0; i < jm->nfns; i++)
        printf("%-20s %#x..%#x\n", mx->m.fns[i].name, jm->fns[i].code_off,
               jm->fns[i].code_off + jm->fns[i].code_len);
    FILE *o = fopen(out, "wb");
    if (!o)
        return 1;
    fwrite(jm->code, 1, jm->fns[jm->nfns - 1].code_off + jm->fns[jm->nfns - 1].code_len, o);
    fclose(o);
    kp_runtime_destroy(rt);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 3 && !strcmp(argv[1], "dump"))
        return dump(argv[2], argv[3]);
    if (argc > 1 && !strcmp(argv[1], "bench")) {
        bench();
        return 0;
    }
#if !KP_JIT_AVAILABLE
    printf("no JIT on this platform: skipped\n");
    return 0;
#endif
    signal(SIGSEGV, host_segv); /* before the JIT installs its handler */
    test_ops();
    test_prog();
    test_meminline();
    test_unroll();
    test_pollcol();
    test_counted();
    test_inline();
    test_fold();
    test_interrupt();
    test_threads();
    test_chain();
    test_relink();
    test_native_stack();
    printf("test_jit: %d passed, %d failed\n", npass, nfail);
    return nfail ? 1 : 0;
}

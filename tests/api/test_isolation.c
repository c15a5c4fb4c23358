/* test_isolation.c — every hostile plugin (each .c file of tests/hostile), on both
 * engines, attacks from runtime B while a victim runtime A lives in the
 * same process. For each file: B gets the file's declared outcome (trap,
 * compile error or safe result); A's whole memory, a host buffer in it and
 * a host-side canary are byte-for-byte unchanged; A's plugin still returns
 * the right value; B still compiles and runs a fresh plugin. Then the
 * cross-runtime probes: B cannot name A's functions, handle values taken in
 * A call only B's own code (or trap) in B, and A's plugin pointers used in
 * B touch only B's memory.
 *
 *   test_isolation [DIR]    DIR defaults to tests/hostile (the api suite
 *                           runs from the repository root)
 * One "ok"/"not ok" line per file and engine, plus the probes. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

#define A_MEM (1u << 20)
#define A_BUF 65536u
#define DEFAULT_DEADLINE_MS 20000u /* a safety net: hostile files that loop say timeout: */

/* ---- B's built-ins: the CLI's putchar/puts/printf, output captured ---- */

typedef struct outbuf {
    char data[8192];
    size_t len;
} outbuf;

static void out_put(outbuf *o, const char *s, size_t n)
{
    while (n-- && o->len < sizeof o->data)
        o->data[o->len++] = *s++;
}

static int bi_putchar(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n;
    char c = (char)a[0].v.i32;
    out_put(ud, &c, 1);
    ret->v.i32 = (unsigned char)c;
    return KP_OK;
}

static int bi_puts(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n;
    const char *s = kp_callctx_str(cx, a[0].v.ptr, 1u << 20);
    if (!s)
        return kp_fail(cx, "puts: invalid string pointer 0x%x", (unsigned)a[0].v.ptr);
    out_put(ud, s, strlen(s));
    out_put(ud, "\n", 1);
    ret->v.i32 = 1;
    return KP_OK;
}

/* Enough of printf for the corpus: %% %c %d %i %u %x %X %s (with width,
 * precision, l/ll/h/z); every string is checked in plugin memory, reading
 * only the bytes printf may read; %n is refused as in the CLI. */
static int bi_printf(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    outbuf *o = ud;
    const char *f = kp_callctx_str(cx, a[0].v.ptr, 1u << 20);
    if (!f)
        return kp_fail(cx, "printf: invalid format pointer 0x%x", (unsigned)a[0].v.ptr);
    size_t start = o->len;
    int ai = 1;
    while (*f) {
        if (*f != '%') {
            out_put(o, f++, 1);
            continue;
        }
        f++;
        char spec[32] = "%";
        size_t sl = 1;
        while (*f && strchr("-+ #0", *f) && sl < 8)
            spec[sl++] = *f++;
        int width = -1, prec = -1;
        if (*f >= '0' && *f <= '9') {
            width = 0;
            while (*f >= '0' && *f <= '9')
                width = width * 10 + (*f++ - '0');
        }
        if (*f == '.') {
            f++;
            prec = 0;
            while (*f >= '0' && *f <= '9')
                prec = prec * 10 + (*f++ - '0');
        }
        while (*f && strchr("hlzjt", *f))
            f++;
        char conv = *f ? *f++ : 0;
        char tmp[256];
        if (width > 200)
            width = 200;
        if (prec > 200 && conv != 's')
            prec = 200;
        if (width >= 0)
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%d", width);
        if (prec >= 0)
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, ".%d", prec);
        if (conv == '%') {
            out_put(o, "%", 1);
            continue;
        }
        if (conv == 'n')
            return kp_fail(cx, "printf: %%n is not supported");
        if (ai >= n)
            return kp_fail(cx, "printf: too few arguments");
        const kp_value *v = &a[ai++];
        long long iv = v->type == KP_T_I64 ? v->v.i64 : (long long)v->v.i32;
        switch (conv) {
        case 'd': case 'i':
            snprintf(spec + sl, sizeof spec - sl, "lld");
            snprintf(tmp, sizeof tmp, spec, iv);
            break;
        case 'u': case 'x': case 'X': case 'o':
            snprintf(spec + sl, sizeof spec - sl, "ll%c", conv);
            snprintf(tmp, sizeof tmp, spec,
                     v->type == KP_T_I64 ? (unsigned long long)v->v.i64
                                         : (unsigned long long)(uint32_t)v->v.i32);
            break;
        case 'c':
            snprintf(spec + sl, sizeof spec - sl, "c");
            snprintf(tmp, sizeof tmp, spec, (int)(unsigned char)iv);
            break;
        case 's': {
            kp_ptr p = v->v.ptr;
            const char *s;
            if (prec >= 0) { /* only the bytes up to the precision or the NUL */
                int k = 0;
                for (; k < prec; k++) {
                    const char *c = kp_callctx_ptr(cx, p + (kp_ptr)k, 1);
                    if (!c)
                        return kp_fail(cx, "printf: invalid string pointer 0x%x", (unsigned)p);
                    if (!*c)
                        break;
                }
                s = k ? kp_callctx_ptr(cx, p, (size_t)k) : "";
                snprintf(tmp, sizeof tmp, "%.*s", k < 200 ? k : 200, s);
            } else {
                s = kp_callctx_str(cx, p, 1u << 20);
                if (!s)
                    return kp_fail(cx, "printf: invalid string pointer 0x%x", (unsigned)p);
                snprintf(spec + sl, sizeof spec - sl, "s");
                snprintf(tmp, sizeof tmp, spec, s);
            }
            break;
        }
        default:
            return kp_fail(cx, "printf: unsupported conversion");
        }
        out_put(o, tmp, strlen(tmp));
    }
    ret->v.i32 = (int)(o->len - start);
    return KP_OK;
}

/* ---- the file's declared outcome ---- */

typedef struct expect {
    char trap[256];  /* "KP_TRAP_STACK|KP_TRAP_MEMORY" or "" */
    int is_error;    /* expect-error: rejected at compile time */
    int exit_code;   /* expect-exit (default 0) */
    unsigned mem_mb, timeout_ms;
    int has_stdout;
    char out[4096];
    size_t out_len;
} expect;

/* The value of "/ * NAME: VALUE * /" at the start of a line, or NULL. */
static int directive(const char *src, const char *name, char *val, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = src; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "/* ", 3) || strncmp(l + 3, name, nl) || l[3 + nl] != ':')
            continue;
        const char *v = l + 4 + nl, *e = strstr(v, "*/");
        const char *eol = strchr(v, '\n');
        if (!e || (eol && e > eol))
            continue;
        while (*v == ' ')
            v++;
        while (e > v && e[-1] == ' ')
            e--;
        size_t n = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
        memcpy(val, v, n);
        val[n] = 0;
        return 1;
    }
    return 0;
}

static void parse_expect(const char *src, expect *x)
{
    char v[256];
    memset(x, 0, sizeof *x);
    directive(src, "expect-trap", x->trap, sizeof x->trap);
    x->is_error = directive(src, "expect-error", v, sizeof v);
    if (directive(src, "expect-exit", v, sizeof v))
        x->exit_code = atoi(v);
    if (directive(src, "mem", v, sizeof v))
        x->mem_mb = (unsigned)atoi(v);
    if (directive(src, "timeout", v, sizeof v))
        x->timeout_ms = (unsigned)atoi(v);
    const char *b = strstr(src, "\n/* expect-stdout:\n");
    if (!b && !strncmp(src, "/* expect-stdout:\n", 18))
        b = src - 1;
    if (b) {
        b += 19;
        x->has_stdout = 1;
        for (const char *l = b; *l;) {
            const char *eol = strchr(l, '\n');
            size_t n = eol ? (size_t)(eol - l) : strlen(l);
            if (n == 2 && !strncmp(l, "*/", 2))
                break;
            if (x->out_len + n + 1 < sizeof x->out) {
                memcpy(x->out + x->out_len, l, n);
                x->out_len += n;
                x->out[x->out_len++] = '\n';
            }
            if (!eol)
                break;
            l = eol + 1;
        }
    }
}

/* Is code one of the names in "A|B|C"? */
static int trap_matches(const char *spec, int code)
{
    const char *name = kp_result_name(code);
    size_t nl = strlen(name);
    for (const char *p = spec; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == nl && !strncmp(p, name, n))
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

/* ---- the victim runtime A ---- */

static const char *victim_src =
    "static int secret_table[256];\n"
    "static const char motto[] = \"victim data: do not touch\";\n"
    "int victim_base = 1000;\n"
    "int victim_setup(void) {\n"
    "    for (int i = 0; i < 256; i++) secret_table[i] = i * 7 + 3;\n"
    "    return 0;\n"
    "}\n"
    "int victim_get(void) {\n"
    "    int s = victim_base;\n"
    "    for (int i = 0; i < 256; i++) s += secret_table[i];\n"
    "    for (int i = 0; motto[i]; i++) s += motto[i];\n"
    "    return s;\n"
    "}\n"
    "int victim_secret(int x) { return x ^ 0x5EC2E7; }\n"
    "int victim_sum(const unsigned char *p, int n) {\n"
    "    unsigned s = 0;\n"
    "    for (int i = 0; i < n; i++) s = s * 31 + p[i];\n"
    "    return (int)s;\n"
    "}\n"
    "unsigned victim_handle(int which) {\n"
    "    return which == 0 ? (unsigned)victim_get : which == 1 ? (unsigned)victim_secret\n"
    "         : (unsigned)victim_sum;\n"
    "}\n"
    "unsigned victim_table_addr(void) { return (unsigned)secret_table; }\n";

typedef struct victim {
    kp_runtime *rt;
    kp_ptr buf;
    unsigned char *mem;  /* host view of [4096, A_MEM) */
    unsigned char *snap; /* snapshot of it */
    uint64_t sum;        /* FNV-1a of the snapshot */
    int want_get, want_bufsum;
} victim;

static unsigned char host_canary[4096];

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static int call_i(kp_runtime *rt, const char *name, const kp_value *args, int n, int *out)
{
    kp_func *f;
    kp_value r;
    int rc = kp_lookup(rt, name, &f);
    if (rc)
        return rc;
    kp_call_opts o = { .deadline_ms = DEFAULT_DEADLINE_MS };
    rc = kp_call_ex(f, args, n, &r, &o);
    if (!rc && out)
        *out = r.v.i32;
    return rc;
}

static int victim_bufsum(victim *v, int *out)
{
    kp_value a[2] = { KP_PTR(v->buf), KP_I32((int)A_BUF) };
    return call_i(v->rt, "victim_sum", a, 2, out);
}

static int victim_open(victim *v, kp_engine e)
{
    memset(v, 0, sizeof *v);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    cfg.mem_limit = A_MEM;
    cfg.stack_size = 64 << 10;
    if (kp_runtime_create(&cfg, &v->rt))
        return 0;
    if (kp_plugin_add(v->rt, "victim", victim_src, strlen(victim_src)))
        return 0;
    if (call_i(v->rt, "victim_setup", NULL, 0, NULL))
        return 0;
    v->buf = kp_alloc(v->rt, A_BUF);
    unsigned char *b = v->buf ? kp_host_ptr(v->rt, v->buf, A_BUF) : NULL;
    if (!b)
        return 0;
    for (unsigned i = 0; i < A_BUF; i++)
        b[i] = (unsigned char)(i * 131 + 7);
    if (call_i(v->rt, "victim_get", NULL, 0, &v->want_get) || victim_bufsum(v, &v->want_bufsum))
        return 0;
    v->mem = kp_host_ptr(v->rt, 4096, A_MEM - 4096);
    v->snap = malloc(A_MEM - 4096);
    return v->mem && v->snap;
}

/* Snapshot A before an attack (its own calls change its stack area). */
static void victim_snapshot(victim *v)
{
    memcpy(v->snap, v->mem, A_MEM - 4096);
    v->sum = fnv(v->snap, A_MEM - 4096);
}

/* After an attack: "" if A is intact, else what is wrong. */
static const char *victim_verify(victim *v)
{
    if (memcmp(v->snap, v->mem, A_MEM - 4096) || fnv(v->mem, A_MEM - 4096) != v->sum)
        return "A's memory changed";
    const unsigned char *b = kp_host_ptr(v->rt, v->buf, A_BUF);
    for (unsigned i = 0; b && i < A_BUF; i++)
        if (b[i] != (unsigned char)(i * 131 + 7))
            return "A's host buffer changed";
    for (unsigned i = 0; i < sizeof host_canary; i++)
        if (host_canary[i] != (unsigned char)(i ^ 0xA5))
            return "host canary changed";
    int g = 0, s = 0;
    if (call_i(v->rt, "victim_get", NULL, 0, &g) || g != v->want_get)
        return "A's plugin returns a wrong value";
    if (victim_bufsum(v, &s) || s != v->want_bufsum)
        return "A's plugin sees a changed buffer";
    return "";
}

/* ---- the attacker runtime B ---- */

static kp_runtime *attacker_new(kp_engine e, unsigned mem_mb, outbuf *o)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    if (mem_mb)
        cfg.mem_limit = (size_t)mem_mb << 20;
    kp_runtime *rt;
    if (kp_runtime_create(&cfg, &rt))
        return NULL;
    if (kp_builtin_add(rt, "int putchar(int c)", bi_putchar, o) ||
        kp_builtin_add(rt, "int puts(const char *s)", bi_puts, o) ||
        kp_builtin_add(rt, "int printf(const char *fmt, ...)", bi_printf, o)) {
        kp_runtime_destroy(rt);
        return NULL;
    }
    return rt;
}

/* B must still work after the attack: add and call a fresh plugin. */
static int attacker_usable(kp_runtime *rt)
{
    static const char src[] = "int isolation_fresh_fn(int x) { return x * 3 + 1; }";
    int r = 0;
    kp_value a = KP_I32(14);
    return kp_plugin_add(rt, "isolation_fresh", src, strlen(src)) == KP_OK &&
           call_i(rt, "isolation_fresh_fn", &a, 1, &r) == KP_OK && r == 43;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap + 1);
    size_t k;
    while (p && (k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *q = realloc(p, cap * 2 + 1);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
    }
    fclose(f);
    if (p) {
        p[n] = 0;
        *len = n;
    }
    return p;
}

/* Run one hostile file in a fresh B and check everything. */
static void attack(victim *v, kp_engine e, const char *ename, const char *path)
{
    char name[512], why[512] = "";
    snprintf(name, sizeof name, "%s [%s]", path, ename);
    size_t len;
    char *src = read_file(path, &len);
    if (!src) {
        CHECK(name, 0 && "cannot read the file");
        return;
    }
    expect x;
    parse_expect(src, &x);
    static outbuf out;
    out.len = 0;
    victim_snapshot(v);
    kp_runtime *b = attacker_new(e, x.mem_mb, &out);
    if (!b) {
        snprintf(why, sizeof why, "cannot create B: %s", kp_errmsg());
    } else {
        int rc = kp_plugin_add(b, "hostile", src, len);
        if (x.is_error) {
            if (rc != KP_ERR_COMPILE && rc != KP_ERR_LIMIT)
                snprintf(why, sizeof why, "expected a compile error, got %s", kp_result_name(rc));
        } else if (rc) {
            snprintf(why, sizeof why, "does not compile: %s: %.200s", kp_result_name(rc), kp_errmsg());
        } else {
            kp_func *f;
            kp_value r = { 0 };
            kp_call_opts o = { .deadline_ms = x.timeout_ms ? x.timeout_ms : DEFAULT_DEADLINE_MS };
            rc = kp_lookup(b, "main", &f);
            if (!rc)
                rc = kp_call_ex(f, NULL, 0, &r, &o);
            if (x.trap[0]) {
                if (!trap_matches(x.trap, rc))
                    snprintf(why, sizeof why, "got %s, expected %s: %.200s", kp_result_name(rc),
                             x.trap, rc ? kp_errmsg() : "");
            } else if (rc) {
                snprintf(why, sizeof why, "got %s, expected exit %d: %.200s", kp_result_name(rc),
                         x.exit_code, kp_errmsg());
            } else if ((r.v.i32 & 255) != x.exit_code) {
                snprintf(why, sizeof why, "exit %d, expected %d", r.v.i32 & 255, x.exit_code);
            } else if (x.has_stdout && (out.len != x.out_len || memcmp(out.data, x.out, out.len))) {
                snprintf(why, sizeof why, "stdout differs: '%.*s'", (int)(out.len < 100 ? out.len : 100),
                         out.data);
            }
        }
        if (!why[0] && !attacker_usable(b))
            snprintf(why, sizeof why, "B unusable afterwards: %.200s", kp_errmsg());
        kp_runtime_destroy(b);
    }
    const char *harm = victim_verify(v);
    if (!why[0] && harm[0])
        snprintf(why, sizeof why, "%s", harm);
    if (why[0])
        printf("# %s: %s\n", name, why);
    CHECK(name, !why[0]);
    free(src);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- cross-runtime probes ---- */

static const char *probe_src =
    "#include <kplug.h>\n"
    "int own0(void) { return 0x0B000000; }\n"
    "int own1(int x) { return 0x0B000001; }\n"
    "int own2(const unsigned char *p, int n) { return 0x0B000002; }\n"
    "int probe_names(void) {\n"
    "    return (lookup(\"victim_get\") != 0) + (lookup(\"victim_secret\") != 0) * 2\n"
    "         + (lookup(\"victim_setup\") != 0) * 4;\n"
    "}\n"
    "int call_h0(unsigned h) { return ((int (*)(void))h)(); }\n"
    "int call_h1(unsigned h) { return ((int (*)(int))h)(7); }\n"
    "int call_h2(unsigned h, unsigned p) { return ((int (*)(const unsigned char *, int))h)((const unsigned char *)p, 16); }\n"
    "int poke(unsigned p, int v) { *(volatile int *)p = v; return *(volatile int *)p; }\n"
    "int peek(unsigned p) { return *(volatile int *)p; }\n";

static void probes(victim *v, kp_engine e, const char *ename)
{
    char nm[200];
    static outbuf out;
    victim_snapshot(v);
    kp_runtime *b = attacker_new(e, 0, &out);
    snprintf(nm, sizeof nm, "probe: attacker runtime [%s]", ename);
    CHECK(nm, b != NULL);
    if (!b)
        return;
    snprintf(nm, sizeof nm, "probe: plugin [%s]", ename);
    CHECK(nm, kp_plugin_add(b, "probe", probe_src, strlen(probe_src)) == KP_OK);

    /* Names: A's functions do not exist in B, from the host or from plugin code. */
    kp_func *f = NULL;
    int r = -1;
    snprintf(nm, sizeof nm, "kp_lookup(B, A's names) fails [%s]", ename);
    CHECK(nm, kp_lookup(b, "victim_get", &f) == KP_ERR_NOT_FOUND &&
                  kp_lookup(b, "victim_secret", &f) == KP_ERR_NOT_FOUND &&
                  kp_delete(b, "victim") == KP_ERR_NOT_FOUND);
    snprintf(nm, sizeof nm, "lookup() in B's plugin finds none of A's names [%s]", ename);
    CHECK(nm, call_i(b, "probe_names", NULL, 0, &r) == KP_OK && r == 0);

    /* Handles: A's handle values called inside B trap or reach B's own code. */
    for (int which = 0; which < 3; which++) {
        int h = 0;
        kp_value w = KP_I32(which);
        int ok = call_i(v->rt, "victim_handle", &w, 1, &h) == KP_OK && h != 0;
        kp_value a[2] = { KP_I32(h), KP_I32(4096) };
        const char *fn = which == 0 ? "call_h0" : which == 1 ? "call_h1" : "call_h2";
        r = 0;
        int rc = call_i(b, fn, a, which == 2 ? 2 : 1, &r);
        /* A's values: victim_get's sum, 7 ^ 0x5EC2E7, or a checksum. */
        ok = ok && (rc == KP_TRAP_BAD_CALL || rc == KP_TRAP_UNLINKED ||
                    (rc == KP_OK && (r & 0xFFFFFF00) == 0x0B000000));
        snprintf(nm, sizeof nm, "A's handle %d (0x%x) in B: rc %s, result 0x%x [%s]", which,
                 (unsigned)h, kp_result_name(rc), (unsigned)r, ename);
        CHECK(nm, ok && r != v->want_get && r != (7 ^ 0x5EC2E7));
    }
    /* A runtime whose namespace mirrors A's (same built-ins, then functions
     * of the same prototypes in the same order): A's handle values name
     * slots here too, and may only ever run this runtime's functions. */
    {
        static const char mirror_src[] =
            "int m_setup(void) { return 0x0B000010; }\n"
            "int m_get(void) { return 0x0B000011; }\n"
            "int m_secret(int x) { return 0x0B000012; }\n"
            "int m_sum(const unsigned char *p, int n) { return 0x0B000013; }\n"
            "int m_call0(unsigned h) { return ((int (*)(void))h)(); }\n"
            "int m_call1(unsigned h) { return ((int (*)(int))h)(7); }\n";
        kp_config cfg;
        kp_config_init(&cfg);
        cfg.engine = e;
        kp_runtime *m = NULL;
        int ok = kp_runtime_create(&cfg, &m) == KP_OK &&
                 kp_plugin_add(m, "mirror", mirror_src, strlen(mirror_src)) == KP_OK;
        for (int which = 0; ok && which < 2; which++) {
            int h = 0;
            kp_value w = KP_I32(which);
            ok = call_i(v->rt, "victim_handle", &w, 1, &h) == KP_OK;
            kp_value a = KP_I32(h);
            r = 0;
            int rc = call_i(m, which ? "m_call1" : "m_call0", &a, 1, &r);
            snprintf(nm, sizeof nm, "A's handle %d (0x%x) in a mirror runtime: rc %s, result 0x%x [%s]",
                     which, (unsigned)h, kp_result_name(rc), (unsigned)r, ename);
            CHECK(nm, ok && (rc == KP_TRAP_BAD_CALL || rc == KP_TRAP_UNLINKED ||
                             (rc == KP_OK && (r & 0xFFFFFF00) == 0x0B000000)));
        }
        kp_runtime_destroy(m);
    }
    /* Sweep the small handle values too: nothing reaches A. */
    int reached_a = 0;
    for (unsigned h = 0; h < 64; h++) {
        kp_value a = KP_I32((int)h);
        r = 0;
        if (call_i(b, "call_h1", &a, 1, &r) == KP_OK && r == (7 ^ 0x5EC2E7))
            reached_a = 1;
    }
    snprintf(nm, sizeof nm, "handles 0..63 with A's prototype never run A's code [%s]", ename);
    CHECK(nm, !reached_a);

    /* Pointers: A's addresses used in B read and write B's memory. */
    int taddr = 0;
    call_i(v->rt, "victim_table_addr", NULL, 0, &taddr);
    kp_ptr targets[2] = { v->buf, (kp_ptr)taddr };
    for (int i = 0; i < 2; i++) {
        kp_ptr p = targets[i];
        int *hb = kp_host_ptr(b, p, 4);
        int *ha = kp_host_ptr(v->rt, p, 4);
        int before = hb ? *hb : 0;
        kp_value pk = KP_I32((int)p);
        int got = -1;
        int rc1 = call_i(b, "peek", &pk, 1, &got);
        kp_value a[2] = { KP_I32((int)p), KP_I32(0x5A5A5A5A) };
        int rc2 = call_i(b, "poke", a, 2, &r);
        snprintf(nm, sizeof nm, "A's pointer 0x%x used in B touches B's memory [%s]", (unsigned)p,
                 ename);
        CHECK(nm, hb && ha && (void *)hb != (void *)ha && rc1 == KP_OK && got == before &&
                      rc2 == KP_OK && r == 0x5A5A5A5A && *hb == 0x5A5A5A5A);
    }
    kp_runtime_destroy(b);
    snprintf(nm, sizeof nm, "A intact after the probes [%s]", ename);
    const char *harm = victim_verify(v);
    if (harm[0])
        printf("# %s\n", harm);
    CHECK(nm, !harm[0]);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/hostile";
    for (unsigned i = 0; i < sizeof host_canary; i++)
        host_canary[i] = (unsigned char)(i ^ 0xA5);

    /* The file list, sorted, so the output is stable. */
    char **files = NULL;
    size_t nfiles = 0;
    DIR *d = opendir(dir);
    CHECK("open the hostile directory (run from the repository root, or pass DIR)", d != NULL);
    if (!d)
        return 1;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 3 || strcmp(de->d_name + l - 2, ".c"))
            continue;
        char **nf = realloc(files, (nfiles + 1) * sizeof *files);
        if (!nf)
            break;
        files = nf;
        files[nfiles] = malloc(strlen(dir) + l + 2);
        if (!files[nfiles])
            break;
        sprintf(files[nfiles++], "%s/%s", dir, de->d_name);
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, cmp_str);
    CHECK("the hostile directory has files", nfiles > 50);

    static const struct { kp_engine e; const char *name; } engines[] = {
        { KP_ENGINE_INTERP, "interp" },
        { KP_ENGINE_JIT, "jit" },
    };
    for (size_t k = 0; k < sizeof engines / sizeof engines[0]; k++) {
        kp_runtime *t;
        kp_config cfg;
        kp_config_init(&cfg);
        cfg.engine = engines[k].e;
        if (kp_runtime_create(&cfg, &t) != KP_OK) {
            printf("# engine %s not available: skipped\n", engines[k].name);
            continue;
        }
        kp_runtime_destroy(t);
        victim v;
        char nm[100];
        snprintf(nm, sizeof nm, "victim runtime A [%s]", engines[k].name);
        int ok = victim_open(&v, engines[k].e);
        CHECK(nm, ok);
        if (ok) {
            for (size_t i = 0; i < nfiles; i++)
                attack(&v, engines[k].e, engines[k].name, files[i]);
            probes(&v, engines[k].e, engines[k].name);
        }
        free(v.snap);
        kp_runtime_destroy(v.rt);
    }
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    printf("# %d checks, %d failed\n", check_count, check_failed);
    return CHECK_DONE();
}

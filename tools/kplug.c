/*
 * kplug — the command-line tool: run a plugin's entry, run a filter plugin
 * over stdin, or just compile one. Every command creates one fresh runtime
 * whose namespace holds the default built-ins plus putchar/puts/printf.
 *
 * Exit statuses (documented in --help and README.md):
 *   run:   the entry's int result & 255 (void entry -> 0)
 *   0      success (check, filter, version, help)
 *   100    usage error (bad option, bad argument, no such entry, entry of
 *          the wrong prototype)
 *   101    compile error (diagnostics on stderr), including limits and
 *          exported names that clash with the tool's built-ins
 *   102    trap (the KP_TRAP_* name and message on stderr)
 *   103    host-side failure (cannot read the file, out of memory, engine
 *          unavailable, filter returned an invalid length)
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kplug.h"
/* Internal interface of the JIT, for `disasm` only (the tool is built with
 * -Isrc and links the static library). */
#include "jit/jit.h"
#ifdef KP_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

#define EXIT_USAGE 100
#define EXIT_COMPILE 101
#define EXIT_TRAP 102
#define EXIT_HOST 103

#define MAX_PARAMS 64
/* Bound on widths/precisions and %s lengths so a hostile format cannot make
 * the host allocate without limit. */
#define FMT_MAX_FIELD (1 << 20)
#define STR_MAX (64u << 20)

static const char usage_text[] =
    "usage: kplug run FILE.c [--entry NAME] [--engine interp|jit|default]\n"
    "                        [--timeout MS] [--mem MB] [ARG...]\n"
    "       kplug filter FILE.c [--entry NAME] [--repeat N] [--out-cap N]\n"
    "                        [--engine E] [--timeout MS] [--mem MB] [--stats]\n"
    "                        < IN > OUT\n"
    "       kplug check FILE.c\n"
    "       kplug disasm FILE.c [--engine jit|interp] [--bin OUT.bin]\n"
    "       kplug version\n"
    "       kplug --help\n"
    "\n"
    "run     compiles FILE in a fresh runtime and calls the entry (default\n"
    "        main) with ARGs converted to its parameter types (integers for\n"
    "        int/long, decimal or 0x-hex; numbers for float/double; a pointer\n"
    "        parameter receives a copy of the string in plugin memory).\n"
    "        The exit status is the returned value & 255 (void entry: 0).\n"
    "filter  calls int NAME(const unsigned char *in, int in_len,\n"
    "        unsigned char *out, int out_cap) (default NAME: filter) on all\n"
    "        of stdin and writes the first `return` bytes of out to stdout.\n"
    "        --repeat N calls it N times; --stats prints compile and call\n"
    "        times to stderr; --out-cap sets out_cap (default 2*in_len+64K).\n"
    "check   compiles only and prints the diagnostics.\n"
    "disasm  prints, per function, the IR the JIT compiled and the machine\n"
    "        code of each IR instruction (--engine interp: the IR only);\n"
    "        --bin writes the module's raw code for objdump.\n"
    "\n"
    "Plugins may use putchar, puts and printf (to stdout) besides the\n"
    "default built-ins create, lookup and delete.\n"
    "\n"
    "exit status: run: the entry's result & 255; otherwise 0 on success;\n"
    "  100 usage error, 101 compile error (or limit, or a name clash with a\n"
    "  built-in), 102 trap (its KP_TRAP_* name is printed on stderr), 103\n"
    "  host failure (I/O, memory, engine, bad filter result).\n";

/* ---- output -------------------------------------------------------------- */

/* Plugin output goes through stdio's stdout, fully buffered; every message
 * to stderr flushes it first so the two streams interleave in order. */
static void out_bytes(const void *p, size_t n)
{
    if (n)
        fwrite(p, 1, n, stdout);
}

static void errorf(const char *fmt, ...) KP_PRINTF(1, 2);
static void errorf(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("kplug: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- built-ins ----------------------------------------------------------- */

static int bi_putchar(kp_callctx *cx, const kp_value *args, int nargs,
                      kp_value *ret, void *ud)
{
    (void)cx, (void)nargs, (void)ud;
    unsigned char c = (unsigned char)args[0].v.i32;
    out_bytes(&c, 1);
    ret->v.i32 = c;
    return KP_OK;
}

static int bi_puts(kp_callctx *cx, const kp_value *args, int nargs,
                   kp_value *ret, void *ud)
{
    (void)nargs, (void)ud;
    const char *s = kp_callctx_str(cx, args[0].v.ptr, STR_MAX);
    if (!s)
        return kp_fail(cx, "invalid string pointer 0x%x",
                       (unsigned)args[0].v.ptr);
    out_bytes(s, strlen(s));
    out_bytes("\n", 1);
    ret->v.i32 = 1;
    return KP_OK;
}

/* A growable byte buffer for one printf call's output. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* snprintf into the buffer with one host conversion spec. */
static void sb_fmt(sbuf *b, const char *spec, ...)
{
    va_list ap, ap2;
    char small[128];
    va_start(ap, spec);
    va_copy(ap2, ap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int n = vsnprintf(small, sizeof small, spec, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        sb_add(b, small, (size_t)n);
    } else if (n >= 0) {
        char *big = malloc((size_t)n + 1);
        if (!big)
            b->oom = 1;
        else {
            vsnprintf(big, (size_t)n + 1, spec, ap2);
            sb_add(b, big, (size_t)n);
            free(big);
        }
    }
#pragma GCC diagnostic pop
    va_end(ap2);
    va_end(ap);
}

/* The integer value of a variadic argument, whatever its boundary type. */
static int arg_int(const kp_value *a, int64_t *out)
{
    switch (a->type) {
    case KP_T_I32: *out = a->v.i32; return 1;
    case KP_T_I64: *out = a->v.i64; return 1;
    case KP_T_PTR: *out = a->v.ptr; return 1;
    case KP_T_F32: *out = (int64_t)a->v.f32; return 1;
    case KP_T_F64: *out = (int64_t)a->v.f64; return 1;
    default: return 0;
    }
}

static double arg_dbl(const kp_value *a)
{
    switch (a->type) {
    case KP_T_F64: return a->v.f64;
    case KP_T_F32: return a->v.f32;
    case KP_T_I32: return a->v.i32;
    case KP_T_I64: return (double)a->v.i64;
    case KP_T_PTR: return a->v.ptr;
    default: return 0;
    }
}

static kp_ptr arg_ptr(const kp_value *a)
{
    return a->type == KP_T_I64 ? (kp_ptr)a->v.i64 : (kp_ptr)a->v.ptr;
}

static int bi_printf(kp_callctx *cx, const kp_value *args, int nargs,
                     kp_value *ret, void *ud)
{
    (void)ud;
    const char *fmt = kp_callctx_str(cx, args[0].v.ptr, STR_MAX);
    if (!fmt)
        return kp_fail(cx, "invalid format pointer 0x%x",
                       (unsigned)args[0].v.ptr);
    sbuf b = {0};
    int ai = 1;
    const char *p = fmt;
    int rc = KP_OK;
#define NEXT_ARG(dst)                                                   \
    do {                                                                \
        if (ai >= nargs) {                                              \
            rc = kp_fail(cx, "too few arguments for format");   \
            goto done;                                                  \
        }                                                               \
        (dst) = &args[ai++];                                            \
    } while (0)
    while (*p) {
        const char *q = strchr(p, '%');
        if (!q) {
            sb_add(&b, p, strlen(p));
            break;
        }
        sb_add(&b, p, (size_t)(q - p));
        p = q + 1;
        if (*p == '%') {
            sb_add(&b, "%", 1);
            p++;
            continue;
        }
        char flags[8];
        int nflags = 0;
        while (*p && strchr("-0+ #", *p) && nflags < 7)
            flags[nflags++] = *p++;
        while (*p && strchr("-0+ #", *p))
            p++;
        flags[nflags] = 0;
        int width = -1, prec = -1;
        const kp_value *a;
        if (*p == '*') {
            int64_t w;
            NEXT_ARG(a);
            arg_int(a, &w);
            p++;
            if ((int32_t)w < 0) {
                /* A negative * width means '-' plus its magnitude. */
                if (nflags < 7) {
                    flags[nflags++] = '-';
                    flags[nflags] = 0;
                }
                w = -(int64_t)(int32_t)w;
            }
            width = (int)(w > FMT_MAX_FIELD ? FMT_MAX_FIELD : w);
        } else {
            long w = 0;
            int any = 0;
            while (*p >= '0' && *p <= '9') {
                if (w < FMT_MAX_FIELD)
                    w = w * 10 + (*p - '0');
                p++;
                any = 1;
            }
            if (any)
                width = (int)(w > FMT_MAX_FIELD ? FMT_MAX_FIELD : w);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                int64_t pr;
                NEXT_ARG(a);
                arg_int(a, &pr);
                p++;
                prec = (int32_t)pr < 0 ? -1
                       : (int)((int32_t)pr > FMT_MAX_FIELD ? FMT_MAX_FIELD : pr);
            } else {
                long pr = 0;
                while (*p >= '0' && *p <= '9') {
                    if (pr < FMT_MAX_FIELD)
                        pr = pr * 10 + (*p - '0');
                    p++;
                }
                prec = (int)(pr > FMT_MAX_FIELD ? FMT_MAX_FIELD : pr);
            }
        }
        /* Length: bits of the converted integer (0 = int, i.e. 32). */
        int bits = 32;
        if (p[0] == 'h' && p[1] == 'h') { bits = 8; p += 2; }
        else if (p[0] == 'h') { bits = 16; p++; }
        else if (p[0] == 'l' && p[1] == 'l') { bits = 64; p += 2; }
        else if (p[0] == 'l' || p[0] == 'j' || p[0] == 'q') { bits = 64; p++; }
        else if (p[0] == 'z' || p[0] == 't') { bits = 32; p++; }
        else if (p[0] == 'L') { p++; }
        char conv = *p;
        if (!conv) {
            rc = kp_fail(cx, "incomplete conversion at end of format");
            goto done;
        }
        p++;
        char spec[64];
        char wp[32] = "";
        if (width >= 0 && prec >= 0)
            snprintf(wp, sizeof wp, "%d.%d", width, prec);
        else if (width >= 0)
            snprintf(wp, sizeof wp, "%d", width);
        else if (prec >= 0)
            snprintf(wp, sizeof wp, ".%d", prec);
        switch (conv) {
        case 'd': case 'i': {
            int64_t v;
            NEXT_ARG(a);
            arg_int(a, &v);
            if (bits == 8) v = (int8_t)v;
            else if (bits == 16) v = (int16_t)v;
            else if (bits == 32) v = (int32_t)v;
            snprintf(spec, sizeof spec, "%%%s%slld", flags, wp);
            sb_fmt(&b, spec, (long long)v);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            int64_t v;
            NEXT_ARG(a);
            arg_int(a, &v);
            uint64_t u = (uint64_t)v;
            if (bits == 8) u = (uint8_t)u;
            else if (bits == 16) u = (uint16_t)u;
            else if (bits == 32) u = (uint32_t)u;
            snprintf(spec, sizeof spec, "%%%s%sll%c", flags, wp, conv);
            sb_fmt(&b, spec, (unsigned long long)u);
            break;
        }
        case 'c': {
            int64_t v;
            NEXT_ARG(a);
            arg_int(a, &v);
            snprintf(spec, sizeof spec, "%%%s%sc", flags, wp);
            sb_fmt(&b, spec, (int)(unsigned char)v);
            break;
        }
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
        case 'a': case 'A': {
            NEXT_ARG(a);
            snprintf(spec, sizeof spec, "%%%s%s%c", flags, wp, conv);
            sb_fmt(&b, spec, arg_dbl(a));
            break;
        }
        case 's': {
            NEXT_ARG(a);
            kp_ptr sp = arg_ptr(a);
            const char *s;
            char *tmp = NULL;
            if (prec >= 0) {
                /* The string need not be terminated within the precision:
                 * check only the bytes printf may read. */
                size_t n = 0;
                while (n < (size_t)prec) {
                    const char *c = kp_callctx_ptr(cx, sp + (kp_ptr)n, 1);
                    if (!c) {
                        rc = kp_fail(cx, "invalid string pointer 0x%x",
                                     (unsigned)sp);
                        goto done;
                    }
                    if (!*c)
                        break;
                    n++;
                }
                s = n ? kp_callctx_ptr(cx, sp, n) : "";
                tmp = malloc(n + 1);
                if (!tmp) {
                    b.oom = 1;
                    break;
                }
                memcpy(tmp, s, n);
                tmp[n] = 0;
                s = tmp;
            } else {
                s = kp_callctx_str(cx, sp, STR_MAX);
                if (!s) {
                    rc = kp_fail(cx, "invalid string pointer 0x%x",
                                 (unsigned)sp);
                    goto done;
                }
            }
            snprintf(spec, sizeof spec, "%%%s%ss", flags, wp);
            sb_fmt(&b, spec, s);
            free(tmp);
            break;
        }
        case 'p': {
            NEXT_ARG(a);
            kp_ptr v = arg_ptr(a);
            char tmpb[24];
            if (v)
                snprintf(tmpb, sizeof tmpb, "0x%x", (unsigned)v);
            else
                snprintf(tmpb, sizeof tmpb, "(nil)");
            if (width >= 0)
                snprintf(spec, sizeof spec, "%%%s%ds",
                         strchr(flags, '-') ? "-" : "", width);
            else
                snprintf(spec, sizeof spec, "%%s");
            sb_fmt(&b, spec, tmpb);
            break;
        }
        case 'n':
            rc = kp_fail(cx, "%%n is not supported");
            goto done;
        default:
            rc = kp_fail(cx, "unknown conversion '%%%c'", conv);
            goto done;
        }
    }
#undef NEXT_ARG
done:
    if (b.oom && rc == KP_OK)
        rc = kp_fail(cx, "out of host memory");
    if (rc == KP_OK) {
        out_bytes(b.p, b.len);
        ret->v.i32 = b.len > INT_MAX ? INT_MAX : (int32_t)b.len;
    }
    free(b.p);
    return rc;
}

/* ---- helpers ------------------------------------------------------------- */

static char *read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = cap > SIZE_MAX / 4 ? NULL : realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            break;
        }
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = read_stream(f, len);
    int e = errno;
    fclose(f);
    errno = e;
    return s;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *type_name(kp_type t)
{
    switch (t) {
    case KP_T_VOID: return "void";
    case KP_T_I32: return "int";
    case KP_T_I64: return "long";
    case KP_T_F32: return "float";
    case KP_T_F64: return "double";
    case KP_T_PTR: return "pointer";
    }
    return "?";
}

/* Report a failed API call and map it to an exit status. */
static int report(int code, const char *what)
{
    const char *msg = kp_errmsg();
    if (!msg)
        msg = "";
    if (code == KP_ERR_COMPILE || code == KP_ERR_LIMIT) {
        fflush(stdout);
        fputs(msg, stderr);
        if (!*msg || msg[strlen(msg) - 1] != '\n')
            fputc('\n', stderr);
        if (code == KP_ERR_LIMIT)
            errorf("%s: limit reached (KP_ERR_LIMIT)", what);
        return EXIT_COMPILE;
    }
    if (code <= KP_TRAP_MEMORY && code >= KP_TRAP_BUILTIN) {
        errorf("trap %s: %s", kp_result_name(code), msg);
        return EXIT_TRAP;
    }
    errorf("%s: %s: %s", what, kp_result_name(code), msg);
    return EXIT_HOST;
}

/* ---- options ------------------------------------------------------------- */

typedef struct opts {
    const char *cmd;
    const char *file;
    const char *entry;
    kp_engine engine;
    unsigned timeout_ms;
    size_t mem_mb;
    long repeat;
    long out_cap;
    int stats;
    const char *bin;
    char **args;
    int nargs;
} opts;

static int parse_num(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    int i;
    o->args = calloc((size_t)argc + 1, sizeof *o->args);
    if (!o->args) {
        errorf("out of memory");
        return EXIT_HOST;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        /* A lone "--" ends option parsing; the rest are plugin args. */
        if (!strcmp(a, "--")) {
            for (i++; i < argc; i++)
                o->args[o->nargs++] = argv[i];
            break;
        }
        int takes = !strcmp(a, "--entry") || !strcmp(a, "--engine") ||
                    !strcmp(a, "--timeout") || !strcmp(a, "--mem") ||
                    !strcmp(a, "--repeat") || !strcmp(a, "--out-cap") ||
                    !strcmp(a, "--bin");
        if (takes && !val) {
            errorf("option %s needs a value", a);
            return EXIT_USAGE;
        }
        if (!strcmp(a, "--entry")) {
            o->entry = val;
        } else if (!strcmp(a, "--engine")) {
            if (!strcmp(val, "interp"))
                o->engine = KP_ENGINE_INTERP;
            else if (!strcmp(val, "jit"))
                o->engine = KP_ENGINE_JIT;
            else if (!strcmp(val, "default"))
                o->engine = KP_ENGINE_DEFAULT;
            else {
                errorf("unknown engine '%s' (interp, jit or default)", val);
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--timeout")) {
            if (!parse_num(val, 0, INT_MAX, &n)) {
                errorf("bad --timeout '%s' (milliseconds)", val);
                return EXIT_USAGE;
            }
            o->timeout_ms = (unsigned)n;
        } else if (!strcmp(a, "--mem")) {
            if (!parse_num(val, 1, 3072, &n)) {
                errorf("bad --mem '%s' (1 to 3072 MB)", val);
                return EXIT_USAGE;
            }
            o->mem_mb = (size_t)n;
        } else if (!strcmp(a, "--repeat")) {
            if (!parse_num(val, 1, LONG_MAX, &n)) {
                errorf("bad --repeat '%s'", val);
                return EXIT_USAGE;
            }
            o->repeat = n;
        } else if (!strcmp(a, "--out-cap")) {
            if (!parse_num(val, 0, INT_MAX, &n)) {
                errorf("bad --out-cap '%s'", val);
                return EXIT_USAGE;
            }
            o->out_cap = n;
        } else if (!strcmp(a, "--bin")) {
            o->bin = val;
        } else if (!strcmp(a, "--stats")) {
            o->stats = 1;
            continue;
        } else if (a[0] == '-' && a[1] == '-') {
            errorf("unknown option %s", a);
            return EXIT_USAGE;
        } else if (!o->file) {
            o->file = a;
            continue;
        } else {
            o->args[o->nargs++] = argv[i];
            continue;
        }
        i++; /* consumed the value */
    }
    if (!o->file) {
        errorf("%s: missing FILE.c (see kplug --help)", o->cmd);
        return EXIT_USAGE;
    }
    return 0;
}

/* Create the runtime with the CLI's built-ins and compile the file into it. */
static int setup(const opts *o, kp_runtime **rtp, double *compile_us)
{
    kp_config cfg;
    kp_runtime *rt;
    kp_config_init(&cfg);
    cfg.engine = o->engine;
    cfg.deadline_ms = o->timeout_ms;
    if (o->mem_mb)
        cfg.mem_limit = o->mem_mb << 20;
    int rc = kp_runtime_create(&cfg, &rt);
    if (rc) {
        errorf("cannot create runtime: %s: %s", kp_result_name(rc), kp_errmsg());
        return EXIT_HOST;
    }
    if (o->engine != KP_ENGINE_DEFAULT && kp_runtime_engine(rt) != o->engine) {
        errorf("engine %s is not available in this build",
               o->engine == KP_ENGINE_JIT ? "jit" : "interp");
        kp_runtime_destroy(rt);
        return EXIT_HOST;
    }
    static const struct { const char *proto; kp_builtin_fn fn; } bis[] = {
        { "int putchar(int c)", bi_putchar },
        { "int puts(const char *s)", bi_puts },
        { "int printf(const char *fmt, ...)", bi_printf },
    };
    for (size_t i = 0; i < sizeof bis / sizeof bis[0]; i++) {
        rc = kp_builtin_add(rt, bis[i].proto, bis[i].fn, NULL);
        if (rc) {
            errorf("cannot add built-in '%s': %s: %s", bis[i].proto,
                   kp_result_name(rc), kp_errmsg());
            kp_runtime_destroy(rt);
            return EXIT_HOST;
        }
    }
    size_t len;
    char *src = read_file(o->file, &len);
    if (!src) {
        errorf("cannot read %s: %s", o->file, strerror(errno));
        kp_runtime_destroy(rt);
        return EXIT_HOST;
    }
    double t0 = now_us();
    rc = kp_plugin_add(rt, o->file, src, len);
    double t1 = now_us();
    free(src);
    if (compile_us)
        *compile_us = t1 - t0;
    if (rc == KP_ERR_EXISTS) {
        /* The source exports a name the tool's runtime already has (puts,
         * printf, create, ...): a problem of the source, like a compile error. */
        errorf("%s: %s", o->file, kp_errmsg());
        kp_runtime_destroy(rt);
        return EXIT_COMPILE;
    }
    if (rc) {
        int st = report(rc, o->file);
        kp_runtime_destroy(rt);
        return st;
    }
    *rtp = rt;
    return 0;
}

/* ---- commands ------------------------------------------------------------ */

static int cmd_check(const opts *o)
{
    kp_runtime *rt = NULL;
    int st = setup(o, &rt, NULL);
    if (st)
        return st;
    kp_runtime_destroy(rt);
    return 0;
}

static int convert_arg(kp_runtime *rt, kp_type t, const char *s, kp_value *v,
                       const char *entry, int idx)
{
    char *end;
    errno = 0;
    switch (t) {
    case KP_T_I32: {
        long long x = strtoll(s, &end, 0);
        if (errno || end == s || *end || x < INT32_MIN || x > (long long)UINT32_MAX)
            goto bad;
        *v = KP_I32((int32_t)(uint32_t)x);
        return 0;
    }
    case KP_T_I64: {
        long long x;
        if (s[0] == '-')
            x = strtoll(s, &end, 0);
        else
            x = (long long)strtoull(s, &end, 0);
        if (errno || end == s || *end)
            goto bad;
        *v = KP_I64(x);
        return 0;
    }
    case KP_T_F32:
    case KP_T_F64: {
        double d = strtod(s, &end);
        if (end == s || *end)
            goto bad;
        *v = t == KP_T_F32 ? KP_F32(d) : KP_F64(d);
        return 0;
    }
    case KP_T_PTR: {
        size_t n = strlen(s) + 1;
        kp_ptr p = kp_alloc(rt, n);
        void *h = p ? kp_host_ptr(rt, p, n) : NULL;
        if (!h) {
            errorf("cannot allocate argument %d in plugin memory", idx + 1);
            return EXIT_HOST;
        }
        memcpy(h, s, n);
        *v = KP_PTR(p);
        return 0;
    }
    default:
        break;
    }
bad:
    errorf("%s: argument %d '%s' is not a valid %s", entry, idx + 1, s,
           type_name(t));
    return EXIT_USAGE;
}

static int find_entry(kp_runtime *rt, const char *entry, kp_func **f,
                      kp_type *ret, kp_type *params, int *np)
{
    int rc = kp_lookup(rt, entry, f);
    if (rc) {
        errorf("no function '%s' in the plugin (use --entry NAME)", entry);
        return EXIT_USAGE;
    }
    int variadic = 0;
    int n = kp_func_signature(*f, ret, params, MAX_PARAMS, &variadic);
    if (n < 0)
        return report(n, entry);
    if (n > MAX_PARAMS) {
        errorf("%s: too many parameters (%d)", entry, n);
        return EXIT_USAGE;
    }
    *np = n;
    return 0;
}

static int cmd_run(const opts *o)
{
    kp_runtime *rt = NULL;
    const char *entry = o->entry ? o->entry : "main";
    int st = setup(o, &rt, NULL);
    if (st)
        return st;
    kp_func *f;
    kp_type ret, params[MAX_PARAMS];
    kp_value args[MAX_PARAMS], rv;
    int np;
    st = find_entry(rt, entry, &f, &ret, params, &np);
    if (st)
        goto out;
    if (o->nargs != np) {
        char sig[512] = "";
        for (int i = 0; i < np; i++) {
            size_t l = strlen(sig);
            snprintf(sig + l, sizeof sig - l, "%s%s", i ? ", " : "",
                     type_name(params[i]));
        }
        errorf("%s(%s) takes %d argument%s, %d given", entry,
               np ? sig : "void", np, np == 1 ? "" : "s", o->nargs);
        st = EXIT_USAGE;
        goto out;
    }
    for (int i = 0; i < np; i++) {
        st = convert_arg(rt, params[i], o->args[i], &args[i], entry, i);
        if (st)
            goto out;
    }
    int rc = kp_call(f, args, np, &rv);
    if (rc) {
        st = report(rc, entry);
        goto out;
    }
    switch (rv.type) {
    case KP_T_I32: st = rv.v.i32 & 255; break;
    case KP_T_I64: st = (int)(rv.v.i64 & 255); break;
    default: st = 0; break;
    }
out:
    kp_runtime_destroy(rt);
    return st;
}

static int cmd_filter(const opts *o)
{
    kp_runtime *rt = NULL;
    const char *entry = o->entry ? o->entry : "filter";
    double compile_us = 0;
    size_t in_len = 0;
    double *times = NULL;
    char *in = read_stream(stdin, &in_len);
    if (!in) {
        errorf("cannot read standard input: %s", strerror(errno));
        return EXIT_HOST;
    }
    if (in_len > INT32_MAX / 2) {
        errorf("input too large (%zu bytes)", in_len);
        free(in);
        return EXIT_HOST;
    }
    int st = setup(o, &rt, &compile_us);
    if (st) {
        free(in);
        return st;
    }
    kp_func *f;
    kp_type ret, params[MAX_PARAMS];
    int np;
    st = find_entry(rt, entry, &f, &ret, params, &np);
    if (st)
        goto out;
    if (np != 4 || ret != KP_T_I32 || params[0] != KP_T_PTR ||
        params[1] != KP_T_I32 || params[2] != KP_T_PTR || params[3] != KP_T_I32) {
        errorf("%s must be int %s(const unsigned char *in, int in_len, "
               "unsigned char *out, int out_cap)", entry, entry);
        st = EXIT_USAGE;
        goto out;
    }
    long cap = o->out_cap >= 0 ? o->out_cap : (long)in_len * 2 + 65536;
    /* kp_alloc(0) returns 0; allocate at least one byte so the pointers
     * are valid even for empty input or a zero capacity. */
    kp_ptr pin = kp_alloc(rt, in_len ? in_len : 1);
    kp_ptr pout = kp_alloc(rt, cap ? (size_t)cap : 1);
    unsigned char *hin = pin ? kp_host_ptr(rt, pin, in_len ? in_len : 1) : NULL;
    unsigned char *hout = pout ? kp_host_ptr(rt, pout, cap ? (size_t)cap : 1) : NULL;
    if (!hin || !hout) {
        errorf("cannot allocate %zu + %ld bytes in plugin memory (try --mem)",
               in_len, cap);
        st = EXIT_HOST;
        goto out;
    }
    memcpy(hin, in, in_len);
    kp_value args[4] = { KP_PTR(pin), KP_I32((int32_t)in_len), KP_PTR(pout),
                         KP_I32((int32_t)cap) };
    kp_value rv = { 0 };
    long repeat = o->repeat > 0 ? o->repeat : 1;
    if (o->stats) {
        times = malloc((size_t)repeat * sizeof *times);
        if (!times) {
            errorf("out of memory");
            st = EXIT_HOST;
            goto out;
        }
    }
    for (long r = 0; r < repeat; r++) {
        /* Every run sees the same input even if the plugin scribbles on it. */
        if (r)
            memcpy(hin, in, in_len);
        double t0 = o->stats ? now_us() : 0;
        int rc = kp_call(f, args, 4, &rv);
        if (times)
            times[r] = now_us() - t0;
        if (rc) {
            st = report(rc, entry);
            goto out;
        }
    }
    if (rv.v.i32 < 0 || rv.v.i32 > cap) {
        errorf("%s returned %d (must be 0..out_cap=%ld)", entry, rv.v.i32, cap);
        st = EXIT_HOST;
        goto out;
    }
    out_bytes(hout, (size_t)rv.v.i32);
    if (fflush(stdout)) {
        errorf("cannot write standard output: %s", strerror(errno));
        st = EXIT_HOST;
        goto out;
    }
    if (times) {
        qsort(times, (size_t)repeat, sizeof *times, cmp_dbl);
        errorf("stats: compile %.1f us; %ld call%s: median %.1f us, min %.1f us; "
               "in %zu bytes, out %d bytes; engine %s",
               compile_us, repeat, repeat == 1 ? "" : "s", times[repeat / 2],
               times[0], in_len, rv.v.i32,
               kp_runtime_engine(rt) == KP_ENGINE_JIT ? "jit" : "interp");
    }
out:
    free(times);
    free(in);
    kp_runtime_destroy(rt);
    return st;
}

/* `kplug version` lists the engines this build really has, so scripts (the
 * test runner) can loop over them. */
/* ---- disasm -------------------------------------------------------------- */

/* Split a malloc'd text into lines in place; returns the line array. */
static char **split_lines(char *text, size_t *n)
{
    size_t cap = 64, k = 0;
    char **v = malloc(cap * sizeof *v);
    if (!v)
        return NULL;
    for (char *p = text; p && *p;) {
        if (k == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv) {
                free(v);
                return NULL;
            }
            v = nv;
        }
        v[k++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = 0;
        p = nl + 1;
    }
    *n = k;
    return v;
}

static void print_bytes(const uint8_t *p, size_t n, uint64_t addr)
{
    for (size_t i = 0; i < n; i += 16) {
        printf("  %6llx: ", (unsigned long long)(addr + i));
        for (size_t j = i; j < n && j < i + 16; j++)
            printf(" %02x", p[j]);
        printf("\n");
    }
}

#ifdef KP_HAVE_CAPSTONE
static void print_code(csh cs, const uint8_t *p, size_t n, uint64_t addr)
{
    while (n) {
        cs_insn *ins = NULL;
        size_t k = cs_disasm(cs, p, n, addr, 0, &ins);
        size_t used = 0;
        for (size_t i = 0; i < k; i++) {
            char hex[3 * 16 + 1] = "";
            for (size_t j = 0; j < ins[i].size && j < 12; j++)
                sprintf(hex + 3 * j, "%02x ", ins[i].bytes[j]);
            printf("  %6llx:  %-30s %s %s\n", (unsigned long long)ins[i].address, hex,
                   ins[i].mnemonic, ins[i].op_str);
            used += ins[i].size;
        }
        if (k)
            cs_free(ins, k);
        p += used, addr += used, n -= used;
        if (n) { /* not an instruction (a jump table): show one word as data */
            size_t d = n < 4 ? n : 4;
            printf("  %6llx:  ", (unsigned long long)addr);
            for (size_t j = 0; j < d; j++)
                printf("%02x ", p[j]);
            printf("%*s(data)\n", (int)(31 - 3 * d), "");
            p += d, addr += d, n -= d;
        }
    }
}
#endif

static int cmd_disasm(const opts *o)
{
    opts oo = *o;
    if (oo.engine == KP_ENGINE_DEFAULT)
        oo.engine = KP_ENGINE_JIT;
    if (oo.engine == KP_ENGINE_JIT)
        jit_debug_keep(1);
    kp_runtime *rt = NULL;
    int st = setup(&oo, &rt, NULL);
    jit_debug_keep(0);
    if (st)
        return st;
    size_t srclen = 0;
    char *src = read_file(o->file, &srclen);
    size_t nsrc = 0;
    char **srcl = src ? split_lines(src, &nsrc) : NULL;
    const jit_module *jm = oo.engine == KP_ENGINE_JIT ? jit_module_of(rt, o->file) : NULL;
    if (oo.engine == KP_ENGINE_JIT && (!jm || !jm->dbg_ir)) {
        errorf("%s: no machine code to show (the JIT did not compile the plugin)", o->file);
        free(srcl);
        free(src);
        kp_runtime_destroy(rt);
        return EXIT_HOST;
    }
#ifdef KP_HAVE_CAPSTONE
    csh cs = 0;
    int have_cs = jm && cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK;
#else
    int have_cs = 0;
#endif
    size_t used = 0;
    if (jm && jm->nfns)
        used = jm->fns[jm->nfns - 1].code_off + jm->fns[jm->nfns - 1].code_len;
    if (jm)
        printf("; plugin %s: %zu bytes of machine code at %p (addresses below are\n"
               "; offsets from there)\n", o->file, used, (void *)jm->code);
    if (jm && oo.bin) {
        FILE *fp = fopen(oo.bin, "wb");
        if (!fp || fwrite(jm->code, 1, used, fp) != used) {
            errorf("cannot write %s: %s", oo.bin, strerror(errno));
            if (fp)
                fclose(fp);
        } else {
            fclose(fp);
        }
    }
    if (jm && !have_cs)
        printf("; no disassembler built in (build with libcapstone-dev installed): raw bytes;\n"
               ";   kplug disasm %s --bin code.bin && objdump -D -b binary -mi386:x86-64 "
               "code.bin\n", o->file);
    /* the IR of every function, and under each of its instructions the
     * machine code it became */
    const ir_module *irm = NULL;
    uint32_t nf = 0;
    if (jm) {
        irm = jm->kmod->ir;
        nf = jm->nfns;
    }
    if (!jm) { /* another engine: the module's IR as linked */
        const ir_module *m = jit_module_ir(rt, o->file);
        char *text = m ? ir_print_module(m) : NULL;
        printf("; engine interp: no machine code; the IR of %s:\n%s", o->file,
               text ? text : "?\n");
        free(text);
    }
    for (uint32_t fi = 0; jm && fi < nf; fi++) {
        const ir_func *f = jm->dbg_ir[fi];
        const jit_fn *jf = &jm->fns[fi];
        printf("\n== %s:%s  at 0x%x, %u bytes\n", o->file, f->name ? f->name : "?",
               jf->code_off, jf->code_len);
        if (!have_cs)
            printf(";   objdump -D -b binary -mi386:x86-64 --start-address=0x%x "
                   "--stop-address=0x%x code.bin\n", jf->code_off, jf->code_off + jf->code_len);
        char *text = ir_print_func(irm, f);
        size_t nl = 0;
        char **lines = text ? split_lines(text, &nl) : NULL;
        printf("-- IR (the JIT's optimized copy)\n");
        for (size_t i = 0; i < nl; i++)
            printf("%s\n", lines[i]);
        /* printed line of each instruction: "func", then per block "bN:" + insns */
        uint32_t *first = calloc(f->nblocks + 1, sizeof *first);
        for (uint32_t b = 0, ln = 1; first && b < f->nblocks; b++) {
            first[b] = ln + 1;
            ln += 1 + f->blocks[b].ninsns;
        }
        printf("-- machine code\n");
        uint32_t lastline = 0;
        for (uint32_t k = 0; k < jm->ndbg; k++) {
            const jit_dbgline *d = &jm->dbg[k];
            if (d->fn != fi)
                continue;
            uint32_t end = k + 1 < jm->ndbg ? jm->dbg[k + 1].off : jf->code_off + jf->code_len;
            if (end > jf->code_off + jf->code_len)
                end = jf->code_off + jf->code_len;
            if (end <= d->off)
                continue;
            if (d->block == -1) {
                printf("    ; prologue\n");
            } else if (d->block == -3) {
                printf("    ; poll pad of loop header b%u (back-edges jump here)\n", d->insn);
            } else if (d->block == -5) {
                printf("    ; register entry (this plugin's calls: arguments in registers)\n");
            } else if (d->block == -4) {
                printf("    ; prepared-call entry (arguments in registers, then the body)\n");
            } else if (d->block == -2) {
                printf("    ; out-of-line stubs (traps, polls, slow calls)\n");
            } else if (d->block >= 0 && (uint32_t)d->block < f->nblocks &&
                       d->insn < f->blocks[d->block].ninsns) {
                const ir_insn *in = &f->blocks[d->block].insns[d->insn];
                if (in->line && in->line != lastline && in->line <= nsrc) {
                    const char *sl = srcl[in->line - 1];
                    while (*sl == ' ' || *sl == '\t')
                        sl++;
                    printf("    ; %s:%u: %s\n", o->file, in->line, sl);
                    lastline = in->line;
                }
                size_t li = first ? first[d->block] + d->insn : nl;
                const char *t = li < nl ? lines[li] : "?";
                while (*t == ' ')
                    t++;
                printf("    ; b%d.%u  %s\n", d->block, d->insn, t);
            }
            const uint8_t *p = jm->code + d->off;
#ifdef KP_HAVE_CAPSTONE
            if (have_cs) {
                print_code(cs, p, end - d->off, d->off);
                continue;
            }
#endif
            print_bytes(p, end - d->off, d->off);
        }
        free(first);
        free(lines);
        free(text);
    }
#ifdef KP_HAVE_CAPSTONE
    if (have_cs)
        cs_close(&cs);
#endif
    free(srcl);
    free(src);
    kp_runtime_destroy(rt);
    return 0;
}

static int cmd_version(void)
{
    printf("kplug %s (library %s)\nengines:", KP_VERSION_STRING,
           kp_version_string());
    static const struct { kp_engine e; const char *name; } engs[] = {
        { KP_ENGINE_INTERP, "interp" }, { KP_ENGINE_JIT, "jit" } };
    for (size_t i = 0; i < 2; i++) {
        kp_config cfg;
        kp_runtime *rt = NULL;
        kp_config_init(&cfg);
        cfg.engine = engs[i].e;
        if (kp_runtime_create(&cfg, &rt) == KP_OK && rt) {
            if (kp_runtime_engine(rt) == engs[i].e)
                printf(" %s", engs[i].name);
            kp_runtime_destroy(rt);
        }
    }
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    opts o = { .out_cap = -1 };
    int st;
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    o.cmd = argv[1];
    if (!strcmp(o.cmd, "--help") || !strcmp(o.cmd, "-h") || !strcmp(o.cmd, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(o.cmd, "version") || !strcmp(o.cmd, "--version"))
        return cmd_version();
    if (strcmp(o.cmd, "run") && strcmp(o.cmd, "filter") && strcmp(o.cmd, "check") &&
        strcmp(o.cmd, "disasm")) {
        errorf("unknown command '%s' (see kplug --help)", o.cmd);
        return EXIT_USAGE;
    }
    st = parse_opts(argc, argv, &o);
    if (!st) {
        if (!strcmp(o.cmd, "run"))
            st = cmd_run(&o);
        else if (o.nargs) {
            errorf("%s: unexpected argument '%s'", o.cmd, o.args[0]);
            st = EXIT_USAGE;
        } else if (!strcmp(o.cmd, "filter"))
            st = cmd_filter(&o);
        else if (!strcmp(o.cmd, "disasm"))
            st = cmd_disasm(&o);
        else
            st = cmd_check(&o);
    }
    free(o.args);
    fflush(stdout);
    return st;
}

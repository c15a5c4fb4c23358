/*
 * fuzz_diff.c — differential fuzzer: the interpreter against the JIT.
 *
 * Each input becomes a plugin (progfuzz.c) that is compiled and run on two
 * runtimes with the same configuration, one per engine. Everything
 * observable must be identical: the compile result, the entry's result
 * code and value, the trap code, line, column and function, and the bytes
 * of every global after the run (trapped or not). Floats reach the result
 * as bit patterns, so NaNs are compared by their bits too. The JIT runs
 * each plugin three ways: through kp_call with a fuel budget it cannot
 * exhaust, with one that cuts it off midway (the fuel left compared too),
 * and through kp_prepare / kp_call_prepared (the JIT's prepared-call stub
 * and the function's prepared entry, with a watchdog's kp_interrupt for a
 * deadline), all against the interpreter.
 *
 * Two builds of this file:
 *  - libFuzzer (-DKP_LIBFUZZER, clang -fsanitize=fuzzer): a difference
 *    prints the plugin and both reports, then abort()s.
 *  - standalone (any C compiler, linked with libkplug.a):
 *      fuzz_diff [-n N] [-s FIRST] [-t SECONDS] [-q]    seeds FIRST..FIRST+N-1
 *      fuzz_diff --gcc [-n N] [-s FIRST]                also against gcc
 *      fuzz_diff --print SEED [--native]                the plugin of a seed
 *      fuzz_diff FILE...                                libFuzzer inputs
 *      fuzz_diff --src PLUGIN.c                         a (minimized) plugin
 *    It prints every difference with the seed that reproduces it and exits
 *    1 if there was any. --gcc generates plugins the native prelude can
 *    reproduce, compiles them with `gcc -O0 -fwrapv -DKP_NATIVE` and
 *    compares gcc's report with the interpreter's (gcc is the truth for
 *    the interpreter; the JIT is compared with the interpreter).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../include/kplug.h"
#include "progfuzz.h"

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0)
        abort();
    if (b->len + (size_t)k + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc < b->len + (size_t)k + 1)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns)
            abort(); /* harness: out of host memory */
        b->s = ns;
        b->cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)k;
}

/* What one engine did with a program. */
typedef struct run_result {
    int add_rc, call_rc, timeout;
    uint64_t fuel_left;  /* of the entry's call (the budget given to run_engine) */
    sbuf head;    /* "result X" or "trap NAME LINE", as the native prelude prints */
    sbuf detail;  /* engine-only details: compile message, trap column and function */
    sbuf globals; /* "gI HEX" lines */
} run_result;

static void rr_free(run_result *r)
{
    free(r->head.s);
    free(r->detail.s);
    free(r->globals.s);
    memset(r, 0, sizeof *r);
}

#define MEM_LIMIT (16u << 20) /* IX() indices land at >= 1 GiB: always outside */

/* A prepared call has no deadline of its own (a default deadline would
 * send every call to the C path): this interrupts the runtime instead,
 * unless the call ends first. */
typedef struct watchdog {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;
    int done;
    kp_runtime *rt;
} watchdog;

static void *watch(void *arg)
{
    watchdog *w = arg;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        if (pthread_cond_timedwait(&w->done_cv, &w->lock, &until) != 0) {
            kp_interrupt(w->rt);
            break;
        }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* kp_main through kp_prepare / kp_call_prepared (on the JIT: its stub and
 * the function's prepared entry), with the watchdog for a deadline. */
static int call_prepared(kp_runtime *rt, kp_func *fmain, kp_value *ret)
{
    kp_type rtype;
    if (kp_func_signature(fmain, &rtype, NULL, 0, NULL) != 0)
        return KP_ERR_SIGNATURE;
    kp_prepared *pc = NULL;
    int rc = kp_prepare(fmain, rtype, NULL, 0, &pc);
    if (rc != KP_OK)
        return rc;
    watchdog w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, rt};
    pthread_t th;
    int watching = pthread_create(&th, NULL, watch, &w) == 0;
    rc = kp_call_prepared(pc, NULL, ret);
    if (watching) {
        pthread_mutex_lock(&w.lock);
        w.done = 1;
        pthread_cond_signal(&w.done_cv);
        pthread_mutex_unlock(&w.lock);
        pthread_join(th, NULL);
    }
    kp_prepared_free(pc);
    return rc;
}

/* fuel: the entry's budget of polls (kp_call_opts.fuel); 0 with prepared:
 * the call goes through kp_call_prepared (no fuel, a watchdog instead of
 * the deadline). */
static int run_engine_as(kp_engine engine, const pf_prog *p, uint64_t fuel, int prepared,
                         run_result *r)
{
    memset(r, 0, sizeof *r);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = engine;
    cfg.mem_limit = MEM_LIMIT;
    cfg.stack_size = 256u << 10;
    cfg.deadline_ms = prepared ? 0 : 2000;
    if (p->call_depth)
        cfg.max_call_depth = (unsigned)p->call_depth;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return -1;
    r->add_rc = kp_plugin_add(rt, "fz", p->src, p->len);
    if (r->add_rc != KP_OK) {
        sb_printf(&r->head, "add %s\n", kp_result_name(r->add_rc));
        sb_printf(&r->detail, "%s\n", kp_errmsg());
        kp_runtime_destroy(rt);
        return 0;
    }
    kp_func *fmain = NULL, *fgaddr = NULL;
    if (kp_lookup(rt, "kp_main", &fmain) != KP_OK ||
        (p->nglobals && kp_lookup(rt, "kp_gaddr", &fgaddr) != KP_OK)) {
        sb_printf(&r->head, "lookup failed\n");
        kp_runtime_destroy(rt);
        return 0;
    }
    kp_value ret;
    memset(&ret, 0, sizeof ret);
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.fuel = fuel;
    o.fuel_left = &r->fuel_left;
    r->call_rc = prepared ? call_prepared(rt, fmain, &ret) : kp_call_ex(fmain, NULL, 0, &ret, &o);
    if (r->call_rc == KP_OK) {
        sb_printf(&r->head, "result %llx\n", (unsigned long long)ret.v.i64);
    } else {
        const kp_error *e = kp_last_error();
        sb_printf(&r->head, "trap %s %d\n", kp_result_name(r->call_rc), e->line);
        sb_printf(&r->detail, "column %d function %s plugin %s\n", e->column, e->function,
                  e->plugin);
        if (r->call_rc == KP_TRAP_TIMEOUT || (prepared && r->call_rc == KP_TRAP_INTERRUPTED))
            r->timeout = 1;
    }
    for (int i = 0; i < p->nglobals; i++) {
        kp_value a = KP_I32(i), addr;
        int rc = kp_call(fgaddr, &a, 1, &addr);
        const unsigned char *h = rc == KP_OK ? kp_host_ptr(rt, addr.v.ptr, p->gsize[i]) : NULL;
        if (!h) {
            sb_printf(&r->globals, "g%d unreadable (%s)\n", i, kp_result_name(rc));
            continue;
        }
        sb_printf(&r->globals, "g%d ", i);
        for (unsigned k = 0; k < p->gsize[i]; k++)
            sb_printf(&r->globals, "%02x", h[k]);
        sb_printf(&r->globals, "\n");
    }
    kp_runtime_destroy(rt);
    return 0;
}

static int run_engine(kp_engine engine, const pf_prog *p, uint64_t fuel, run_result *r)
{
    return run_engine_as(engine, p, fuel, 0, r);
}

static int same(const sbuf *a, const sbuf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

static void print_diff(const char *what, const run_result *a, const run_result *b, const char *an,
                       const char *bn)
{
    fprintf(stderr, "---- %s differs\n---- %s:\n%s%s%s---- %s:\n%s%s%s", what, an,
            a->head.s ? a->head.s : "", a->detail.s ? a->detail.s : "",
            a->globals.s ? a->globals.s : "", bn, b->head.s ? b->head.s : "",
            b->detail.s ? b->detail.s : "", b->globals.s ? b->globals.s : "");
}

/* Outcomes seen, for the summary: how much of the programs ran. */
static unsigned long long n_result, n_trap[16], n_compile, n_timeout;

static void count(const run_result *r)
{
    if (r->add_rc != KP_OK)
        n_compile++;
    else if (r->call_rc == KP_OK)
        n_result++;
    else if (r->call_rc <= KP_TRAP_MEMORY && r->call_rc > KP_TRAP_MEMORY - 16)
        n_trap[KP_TRAP_MEMORY - r->call_rc]++;
    if (r->timeout)
        n_timeout++;
}

/* Both engines with the fuel budget `fuel`: 1 if they agree (or the
 * comparison does not apply), 0 if not; *used: the polls the interpreter
 * made. The fuel left is compared too: the count of polls is the same on
 * every engine, wherever the budget cuts the run. */
static int compare_fuel(const pf_prog *p, uint64_t fuel, int verbose, uint64_t *used,
                        run_result *keep_interp)
{
    run_result ri, rj;
    if (run_engine(KP_ENGINE_INTERP, p, fuel, &ri) != 0)
        abort(); /* cannot even create an interpreter runtime */
    if (run_engine(KP_ENGINE_JIT, p, fuel, &rj) != 0) {
        rr_free(&ri);
        return 1; /* no JIT on this platform */
    }
    if (used)
        *used = fuel - ri.fuel_left;
    count(&ri);
    int ok = 1;
    /* A deadline depends on speed: the JIT may finish what the interpreter
     * could not. Generated programs are short; count such runs instead. */
    if (ri.timeout || rj.timeout) {
        if (verbose)
            fprintf(stderr, "fuzz_diff: a run timed out (interp %d, jit %d)\n", ri.timeout, rj.timeout);
    } else if (!same(&ri.head, &rj.head) || !same(&ri.detail, &rj.detail) ||
               !same(&ri.globals, &rj.globals) || ri.fuel_left != rj.fuel_left) {
        ok = 0;
        if (ri.fuel_left != rj.fuel_left)
            sb_printf(&ri.head, "fuel left %llu (budget %llu)\n", (unsigned long long)ri.fuel_left,
                      (unsigned long long)fuel);
        if (ri.fuel_left != rj.fuel_left)
            sb_printf(&rj.head, "fuel left %llu (budget %llu)\n", (unsigned long long)rj.fuel_left,
                      (unsigned long long)fuel);
        print_diff(!same(&ri.head, &rj.head) ? "result" : !same(&ri.detail, &rj.detail) ? "trap detail" : "memory",
                   &ri, &rj, "interp", "jit");
    }
    if (keep_interp)
        *keep_interp = ri;
    else
        rr_free(&ri);
    rr_free(&rj);
    return ok;
}

/* The JIT through a prepared call (its stub and the function's prepared
 * entry, and their traps) against the interpreter's plain call: 1 if they
 * agree (or a run timed out), 0 if not. */
static int compare_prepared(const pf_prog *p, const run_result *interp, int verbose)
{
    run_result rj;
    const run_result *ri = interp;
    if (run_engine_as(KP_ENGINE_JIT, p, 0, 1, &rj) != 0)
        return 1;
    int ok = 1;
    if (ri->timeout || rj.timeout) {
        if (verbose)
            fprintf(stderr, "fuzz_diff: a run timed out (interp %d, jit prepared %d)\n",
                    ri->timeout, rj.timeout);
    } else if (!same(&ri->head, &rj.head) || !same(&ri->detail, &rj.detail) ||
               !same(&ri->globals, &rj.globals)) {
        ok = 0;
        print_diff(!same(&ri->head, &rj.head) ? "result" : !same(&ri->detail, &rj.detail) ? "trap detail" : "memory",
                   ri, &rj, "interp", "jit prepared");
    }
    rr_free(&rj);
    return ok;
}

/* 1 if the engines agree (or the comparison does not apply), 0 if not.
 * The run with a budget the program cannot exhaust, then one cut off by
 * the fuel somewhere in the middle: the JIT's loop forms (unrolled,
 * counted) keep the poll count exact, and this is what guards it. */
static int compare_engines(const pf_prog *p, int verbose)
{
    const uint64_t big = (uint64_t)1 << 40;
    uint64_t used = 0;
    run_result ri;
    memset(&ri, 0, sizeof ri);
    int ok = compare_fuel(p, big, verbose, &used, &ri) && compare_prepared(p, &ri, verbose);
    rr_free(&ri);
    if (!ok)
        return 0;
    if (used < 2 || used >= big)
        return 1;
    /* a cut-off point that varies with the program: 1 .. used - 1 */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < p->len; i++)
        h = (h ^ (unsigned char)p->src[i]) * 1099511628211ull;
    return compare_fuel(p, 1 + h % (used - 1), verbose, NULL, NULL);
}

#ifdef KP_LIBFUZZER

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pf_prog p;
    if (size > 65536 || pf_generate(data, size, 0, &p) != 0)
        return 0;
    if (!compare_engines(&p, 0)) {
        fprintf(stderr, "---- plugin source:\n%s\n", p.src);
        abort();
    }
    pf_free(&p);
    return 0;
}

#else /* standalone driver */

/* The bytes of a seed: a fixed PRNG stream, so seeds mean the same
 * program on every machine (as long as progfuzz.c is unchanged). */
static void seed_bytes(unsigned long long seed, uint8_t *buf, size_t n)
{
    unsigned long long x = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    for (size_t i = 0; i < n; i++) {
        x += 0x9E3779B97F4A7C15ULL;
        unsigned long long z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        buf[i] = (uint8_t)(z ^ (z >> 31));
    }
}

/* Compile the native-safe program with gcc and compare its report with
 * the interpreter's. 1: agree (or gcc unusable), 0: differ. */
static int compare_gcc(const pf_prog *p, const char *tmpdir, int *skipped)
{
    char src[512], exe[512], cmd[2048];
    snprintf(src, sizeof src, "%s/prog.c", tmpdir);
    snprintf(exe, sizeof exe, "%s/prog", tmpdir);
    FILE *f = fopen(src, "w");
    if (!f)
        return 1;
    fwrite(p->src, 1, p->len, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gcc -w -O0 -fwrapv -DKP_NATIVE -o %s %s 2>/dev/null", exe, src);
    if (system(cmd) != 0) {
        (*skipped)++;
        return 1;
    }
    snprintf(cmd, sizeof cmd, "timeout 10 %s", exe);
    FILE *pp = popen(cmd, "r");
    if (!pp)
        return 1;
    sbuf nat = { 0 };
    char line[8192];
    while (fgets(line, sizeof line, pp))
        sb_printf(&nat, "%s", line);
    int st = pclose(pp);
    run_result ri;
    if (run_engine(KP_ENGINE_INTERP, p, 0, &ri) != 0)
        abort();
    int ok = 1;
    sbuf mine = { 0 };
    sb_printf(&mine, "%s%s", ri.head.s ? ri.head.s : "", ri.globals.s ? ri.globals.s : "");
    if (ri.timeout || st != 0) {
        (*skipped)++;
    } else if (!same(&mine, &nat)) {
        ok = 0;
        fprintf(stderr, "---- gcc and the interpreter differ\n---- gcc:\n%s---- interp:\n%s%s", nat.s ? nat.s : "",
                mine.s ? mine.s : "", ri.detail.s ? ri.detail.s : "");
    }
    free(nat.s);
    free(mine.s);
    rr_free(&ri);
    return ok;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 0;
    }
    uint8_t *data = malloc(1 << 20);
    size_t n = data ? fread(data, 1, 1 << 20, f) : 0;
    fclose(f);
    pf_prog p;
    int ok = 1;
    if (data && pf_generate(data, n, 0, &p) == 0) {
        ok = compare_engines(&p, 1);
        if (!ok)
            fprintf(stderr, "---- plugin source (%s):\n%s\n", path, p.src);
        pf_free(&p);
    }
    free(data);
    return ok;
}

/* A hand-edited plugin (when minimizing a finding): kp_main on both
 * engines, both reports printed; exit 1 if they differ. Globals are not
 * compared (their list comes from the generator). */
static int run_src(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 2;
    }
    pf_prog p;
    memset(&p, 0, sizeof p);
    p.src = malloc(1 << 20);
    p.len = p.src ? fread(p.src, 1, 1 << 20, f) : 0;
    fclose(f);
    p.call_depth = 64;
    run_result ri, rj;
    if (run_engine(KP_ENGINE_INTERP, &p, 0, &ri) != 0 || run_engine(KP_ENGINE_JIT, &p, 0, &rj) != 0)
        return 2;
    printf("interp: %s%sjit:    %s%s", ri.head.s, ri.detail.s ? ri.detail.s : "", rj.head.s,
           rj.detail.s ? rj.detail.s : "");
    int differ = !same(&ri.head, &rj.head) || !same(&ri.detail, &rj.detail);
    rr_free(&ri);
    rr_free(&rj);
    free(p.src);
    return differ;
}

static void usage(void)
{
    fprintf(stderr, "usage: fuzz_diff [-n N] [-s FIRST] [-t SECONDS] [-q] [--gcc]\n"
                    "       fuzz_diff --print SEED [--native]\n"
                    "       fuzz_diff --src PLUGIN.c\n"
                    "       fuzz_diff FILE...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long first = 0, n = 500;
    double max_seconds = 0;
    int use_gcc = 0, native = 0, quiet = 0, print = 0, nfiles = 0;
    unsigned long long print_seed = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            first = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            max_seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "-q"))
            quiet = 1;
        else if (!strcmp(argv[i], "--gcc"))
            use_gcc = 1;
        else if (!strcmp(argv[i], "--native"))
            native = 1;
        else if (!strcmp(argv[i], "--src") && i + 1 < argc)
            return run_src(argv[++i]);
        else if (!strcmp(argv[i], "--print") && i + 1 < argc) {
            print = 1;
            print_seed = strtoull(argv[++i], NULL, 0);
        } else if (argv[i][0] == '-')
            usage();
        else
            files[nfiles++] = argv[i];
    }
    static uint8_t bytes[8192];
    pf_prog p;
    if (print) {
        seed_bytes(print_seed, bytes, sizeof bytes);
        if (pf_generate(bytes, sizeof bytes, native, &p) != 0)
            return 1;
        fwrite(p.src, 1, p.len, stdout);
        pf_free(&p);
        return 0;
    }
    if (nfiles) {
        int bad = 0;
        for (int i = 0; i < nfiles; i++)
            bad += !run_file(files[i]);
        free(files);
        printf("fuzz_diff: %d file(s), %d difference(s)\n", nfiles, bad);
        return bad ? 1 : 0;
    }
    free(files);
    char tmpdir[] = "/tmp/fuzz_diff.XXXXXX";
    if (use_gcc && !mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long long done = 0, bad = 0;
    int skipped = 0;
    for (unsigned long long s = first; s < first + n; s++) {
        seed_bytes(s, bytes, sizeof bytes);
        if (pf_generate(bytes, sizeof bytes, use_gcc, &p) != 0)
            return 2;
        int ok = compare_engines(&p, !quiet);
        if (ok && use_gcc)
            ok = compare_gcc(&p, tmpdir, &skipped);
        if (!ok) {
            bad++;
            fprintf(stderr, "fuzz_diff: seed %llu differs (reproduce: fuzz_diff --print %llu%s > bug.c)\n", s, s,
                    use_gcc ? " --native" : "");
        }
        pf_free(&p);
        done++;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (max_seconds > 0 && (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 > max_seconds)
            break;
    }
    if (use_gcc) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "fuzz_diff: cannot remove %s\n", tmpdir);
    }
    printf("fuzz_diff: %llu program(s) from seed %llu, %llu difference(s)%s\n", done, first, bad,
           use_gcc ? " (interp vs jit, and vs gcc)" : "");
    if (!quiet) {
        printf("fuzz_diff: outcomes (interp): %llu returned, %llu compile errors, %llu timeouts; traps:",
               n_result, n_compile, n_timeout);
        for (int i = 0; i < 16; i++)
            if (n_trap[i])
                printf(" %s %llu", kp_result_name(KP_TRAP_MEMORY - i), n_trap[i]);
        printf("\n");
    }
    if (use_gcc && skipped)
        printf("fuzz_diff: %d program(s) not compared with gcc (gcc failed or timed out)\n", skipped);
    return bad ? 1 : 0;
}

#endif

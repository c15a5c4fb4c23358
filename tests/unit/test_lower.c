/*
 * test_lower.c — tests of the lowering (src/front/lower.c).
 *
 *   test_lower [DIR]        run every check; DIR defaults to tests/unit/lower_cases
 *   test_lower --ir FILE    print the IR of a C file (to refresh goldens)
 *   test_lower --run FILE   compile FILE and print what main() returns
 *   test_lower --run-jit FILE   the same on the native engine
 *
 * Checks:
 *  - every DIR/NAME.c carries "// expect: N": it is compiled (the front
 *    end verifies the IR) and main() must return N on the interpreter
 *    and, when there is one, the native engine ("// expect-error: CODE"
 *    and "// expect-message: TEXT" for a trap instead);
 *  - every DIR/NAME.ir is the golden IR printout of DIR/NAME.c;
 *  - inline snippets check properties of the generated code (folding,
 *    displacements, no redundant MOVs) and the lowering's diagnostics.
 * Ends with "N passed, N failed".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"
#include "../../src/front/front.h"

static int npass, nfail;

static void result(int ok, const char *what, const char *detail)
{
    if (ok) {
        npass++;
    } else {
        nfail++;
        printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

/* IR text of src, or NULL with the diagnostics in *msg (malloc'd). */
static char *compile_ir(const char *src, char **msg, int *code)
{
    ir_module *m = NULL;
    fe_result r;
    *code = fe_compile("t.c", src, strlen(src), NULL, NULL, NULL, &m, &r);
    *msg = r.message;
    if (*code)
        return NULL;
    char *s = ir_print_module(m);
    ir_module_free(m);
    return s;
}

/* Run main() of src on the interpreter; 0 and *out on success. */
static kp_engine engine = KP_ENGINE_INTERP;

/* Is the native engine there? */
static int have_jit(void)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *rt = NULL;
    int ok = kp_runtime_create(&cfg, &rt) == KP_OK && kp_runtime_engine(rt) == KP_ENGINE_JIT;
    kp_runtime_destroy(rt);
    return ok;
}

static int run_main(const char *name, const char *src, size_t len, long long *out,
                    char *err, size_t errn)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = engine;
    cfg.deadline_ms = 10000;
    kp_runtime *rt = NULL;
    int rc = kp_runtime_create(&cfg, &rt);
    if (rc) {
        snprintf(err, errn, "runtime: %s", kp_errmsg());
        return rc;
    }
    rc = kp_plugin_add(rt, name, src, len);
    kp_func *fn = NULL;
    if (!rc)
        rc = kp_lookup(rt, "main", &fn);
    kp_value ret = {0};
    if (!rc)
        rc = kp_call(fn, NULL, 0, &ret);
    if (rc) {
        snprintf(err, errn, "%s: %s", kp_result_name(rc), kp_errmsg());
    } else {
        *out = ret.type == KP_T_I64 ? ret.v.i64 : ret.v.i32;
    }
    kp_runtime_destroy(rt);
    return rc;
}

static void run_case(const char *dir, const char *file)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s%s", dir, file,
             engine == KP_ENGINE_JIT ? " [jit]" : "");
    size_t len;
    char fpath[1024];
    snprintf(fpath, sizeof fpath, "%s/%s", dir, file);
    char *src = read_file(fpath, &len);
    if (!src) {
        result(0, path, "cannot read");
        return;
    }
    const char *e = strstr(src, "// expect:");
    const char *ee = strstr(src, "// expect-error:");
    if (ee) {
        char want[64] = "", msg[256] = "";
        sscanf(ee + 16, " %63s", want);
        const char *em = strstr(src, "// expect-message:");
        if (em)
            sscanf(em + 18, " %255[^\n]", msg);
        long long got = 0;
        char err[2048];
        int rc = run_main(file, src, len, &got, err, sizeof err);
        char detail[2400];
        snprintf(detail, sizeof detail, "got %s (%s), expected %s with '%s'",
                 rc ? kp_result_name(rc) : "KP_OK", rc ? err : "no error", want, msg);
        result(rc && strcmp(kp_result_name(rc), want) == 0 && strstr(err, msg), path, detail);
    }
    if (e) {
        long long want = strtoll(e + 10, NULL, 10), got = 0;
        char err[2048];
        int rc = run_main(file, src, len, &got, err, sizeof err);
        char detail[2200];
        if (rc)
            snprintf(detail, sizeof detail, "%s", err);
        else
            snprintf(detail, sizeof detail, "main returned %lld, expected %lld", got, want);
        result(rc == 0 && got == want, path, detail);
    }
    /* golden IR */
    if (engine != KP_ENGINE_INTERP) {
        free(src);
        return;
    }
    char gpath[1024];
    snprintf(gpath, sizeof gpath, "%.*s.ir", (int)(strlen(fpath) - 2), fpath);
    size_t glen;
    char *golden = read_file(gpath, &glen);
    if (golden) {
        char *msg;
        int code;
        char *ir = compile_ir(src, &msg, &code);
        result(ir && strcmp(ir, golden) == 0, gpath, ir ? "IR differs from the golden file" : msg);
        free(ir);
        free(msg);
        free(golden);
    }
    free(src);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* IR properties of small snippets. */
static void check_ir(const char *what, const char *src, const char *must, const char *mustnot)
{
    char *msg;
    int code;
    char *ir = compile_ir(src, &msg, &code);
    int ok = ir != NULL;
    if (ok && must)
        ok = strstr(ir, must) != NULL;
    if (ok && mustnot)
        ok = strstr(ir, mustnot) == NULL;
    if (!ok)
        printf("---- IR of %s:\n%s\n%s", what, ir ? ir : "(none)", msg ? msg : "");
    result(ok, what, NULL);
    free(ir);
    free(msg);
}

static void check_error(const char *what, const char *src, const char *text)
{
    char *msg;
    int code;
    char *ir = compile_ir(src, &msg, &code);
    int ok = !ir && code == KP_ERR_COMPILE && msg && strstr(msg, text);
    if (!ok)
        printf("---- %s: code %d, message:\n%s\n", what, code, msg ? msg : "(none)");
    result(ok, what, NULL);
    free(ir);
    free(msg);
}

static void ir_checks(void)
{
    check_ir("constant folding", "int f(void) { return (3 + 4) * 2 - (1 << 3) / 2; }",
             "const 10", "add");
    check_ir("no folding of division by zero", "int f(void) { return 1 / 0; }", "divs", NULL);
    check_ir("member displacement",
             "struct S { int a, b, c; }; int f(struct S *p) { return p->c; }",
             "load.i32 [%1+8]", "add");
    check_ir("constant index displacement", "int f(int *p) { return p[5]; }",
             "load.i32 [%1+20]", "mul");
    check_ir("no mov for assignment of an expression",
             "int f(int a, int b) { int x; x = a + b; return x; }", "add", "mov");
    check_ir("branch on comparison",
             "int f(int a, int b) { if (a < b) return 1; return 2; }", "br %3", "const 0");
    {
        char *msg;
        int code;
        char *ir = compile_ir("int f(int n) { int s = 0; for (int i = 0; i < n; i++) s += i;"
                              " return s; }",
                              &msg, &code);
        result(ir && count(ir, "mov") == 0 && count(ir, "jmp") == 0, "simple loop", NULL);
        if (ir && (count(ir, "mov") || count(ir, "jmp") != 0))
            printf("%s", ir);
        free(ir);
        free(msg);
    }
    check_ir("struct return via sret",
             "struct S { int a[4]; }; struct S g(void) { struct S s; s.a[0] = 1; return s; }",
             "copy [%1]", NULL);
    check_ir("string literals shared",
             "int f(void) { const char *a = \"xy\", *b = \"xy\"; return a == b; }",
             "gaddr 0", "gaddr 3");
    check_ir("rtlib call", "unsigned int strlen(const char *s); int f(void) { return strlen(\"ab\"); }",
             "callr", NULL);
    check_ir("import call", "int ext(int); int f(void) { return ext(1); }", "calli", NULL);
    check_error("conflicting rtlib prototype", "int strlen(int x); int f(void) { return strlen(1); }",
                "conflicting types for runtime function 'strlen'");
    check_error("address of rtlib function",
                "void *malloc(unsigned int n); void *(*p)(unsigned int); "
                "int f(void) { p = malloc; return 0; }",
                "runtime function 'malloc'");
}

/* Out of memory at every point of a compilation: a clean error, never a
 * crash or a leak (run under ASan). */
static void check_nomem(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/inits.c", dir);
    size_t len;
    char *src = read_file(path, &len);
    if (!src) {
        result(0, "nomem: read inits.c", NULL);
        return;
    }
    int bad = 0, nomem = 0;
    for (size_t budget = 1024; budget < ((size_t)4 << 20); budget += budget / 8 + 512) {
        fe_options o;
        memset(&o, 0, sizeof o);
        o.max_memory = budget;
        ir_module *m = NULL;
        fe_result r;
        int rc = fe_compile("inits.c", src, len, &o, NULL, NULL, &m, &r);
        if (rc == KP_ERR_NOMEM)
            nomem++;
        else if (rc != KP_OK || !m)
            bad++;
        ir_module_free(m);
        free(r.message);
    }
    free(src);
    result(bad == 0 && nomem > 0, "out of memory during compilation", NULL);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--run-jit") == 0) {
        engine = KP_ENGINE_JIT;
        argv[1] = "--run";
    }
    if (argc == 3 && (strcmp(argv[1], "--ir") == 0 || strcmp(argv[1], "--run") == 0)) {
        size_t len;
        char *src = read_file(argv[2], &len);
        if (!src) {
            fprintf(stderr, "cannot read %s\n", argv[2]);
            return 2;
        }
        int rc;
        if (argv[1][2] == 'i') {
            char *msg;
            char *ir = compile_ir(src, &msg, &rc);
            if (ir)
                fputs(ir, stdout);
            if (msg)
                fputs(msg, stderr);
            free(ir);
            free(msg);
        } else {
            long long got = 0;
            char err[2048];
            rc = run_main(argv[2], src, len, &got, err, sizeof err);
            if (rc)
                fprintf(stderr, "%s\n", err);
            else
                printf("%lld\n", got);
        }
        free(src);
        return rc ? 1 : 0;
    }
    const char *dir = argc > 1 ? argv[1] : "tests/unit/lower_cases";
    ir_checks();
    check_nomem(dir);
    DIR *d = opendir(dir);
    if (!d) {
        result(0, dir, "cannot open the case directory");
    } else {
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        while ((de = readdir(d))) {
            size_t l = strlen(de->d_name);
            if (l < 3 || strcmp(de->d_name + l - 2, ".c") != 0)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                names = realloc(names, cap * sizeof *names);
            }
            names[n++] = strdup(de->d_name);
        }
        closedir(d);
        int jit = have_jit();
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++)
                if (strcmp(names[j], names[i]) < 0) {
                    char *t = names[i];
                    names[i] = names[j];
                    names[j] = t;
                }
            engine = KP_ENGINE_INTERP;
            run_case(dir, names[i]);
            if (jit) {
                engine = KP_ENGINE_JIT;
                run_case(dir, names[i]);
            }
            free(names[i]);
        }
        free(names);
    }
    printf("%d passed, %d failed\n", npass, nfail);
    return nfail ? 1 : 0;
}

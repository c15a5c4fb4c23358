/* test_limits.c — per-runtime limits set at creation and changed while the
 * runtime lives (kp_runtime_set_limit/get_limit/get_usage): memory, stack
 * size, call depth, code size, number of plugins, default deadline. Each
 * limit reached gives its own message; lowering below use is refused.
 * Memory checks run on both engines (the JIT relies on page protection). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

static int add(kp_runtime *rt, const char *name, const char *src)
{
    return kp_plugin_add(rt, name, src, strlen(src));
}

static int call1(kp_runtime *rt, const char *fn, int arg, kp_value *r)
{
    kp_func *f;
    int rc = kp_lookup(rt, fn, &f);
    if (rc)
        return rc;
    kp_value a = KP_I32(arg);
    return kp_call(f, &a, 1, r);
}

static const char *mem_src =
    "int peek(int addr) { return *(volatile int *)addr; }\n"
    "int poke(int addr) { *(volatile int *)addr = 7; return 0; }\n"
    "int deep(int n) { char b[64]; b[n & 63] = 1; return n ? deep(n - 1) + b[0] : 0; }\n"
    "int depth(int n) { return n ? depth(n - 1) + 1 : 0; }\n";

/* int lower_mem(int bytes): a built-in trying to lower its own runtime's memory. */
static int bi_lower(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)n, (void)ud;
    ret->v.i32 = kp_runtime_set_limit(kp_callctx_runtime(cx), KP_LIMIT_MEMORY,
                                      (uint64_t)a[0].v.i32);
    return KP_OK;
}

static void engine_suite(kp_engine e)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = e;
    cfg.mem_limit = 8 << 20;
    cfg.stack_size = 256 << 10;
    kp_runtime *rt;
    CHECK("create", kp_runtime_create(&cfg, &rt) == KP_OK);
    CHECK("plugin", add(rt, "m", mem_src) == KP_OK);
    uint64_t v = 0;
    kp_value r;

    /* ---- memory ---- */
    CHECK("get memory", kp_runtime_get_limit(rt, KP_LIMIT_MEMORY, &v) == KP_OK &&
                            v == 8 << 20);
    uint64_t used = 0;
    CHECK("memory usage", kp_runtime_get_usage(rt, KP_LIMIT_MEMORY, &used) == KP_OK &&
                              used > 0 && used < (8 << 20));
    int hi = (12 << 20) - 64;
    CHECK("above the limit traps", call1(rt, "peek", hi, &r) == KP_TRAP_MEMORY);
    CHECK("kp_alloc of more than the limit fails", kp_alloc(rt, 10 << 20) == 0 &&
              kp_last_error()->code == KP_ERR_NOMEM_PLUGIN);
    CHECK("raise memory", kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, 16 << 20) == KP_OK);
    CHECK("get raised", kp_runtime_get_limit(rt, KP_LIMIT_MEMORY, &v) == KP_OK && v == 16 << 20);
    CHECK("new memory is usable", call1(rt, "poke", hi, &r) == KP_OK &&
                                      call1(rt, "peek", hi, &r) == KP_OK && r.v.i32 == 7);
    kp_ptr big = kp_alloc(rt, 10 << 20);
    CHECK("kp_alloc fits now", big != 0);
    int rc = kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, 8 << 20);
    CHECK("lowering below use is refused", rc == KP_ERR_LIMIT &&
              strstr(kp_errmsg(), "memory limit") && strstr(kp_errmsg(), "in use"));
    CHECK("limit unchanged", kp_runtime_get_limit(rt, KP_LIMIT_MEMORY, &v) == KP_OK &&
                                 v == 16 << 20);
    kp_free(rt, big);
    CHECK("lowering once free", kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, 8 << 20) == KP_OK);
    CHECK("memory above the lowered limit traps again",
          call1(rt, "peek", hi, &r) == KP_TRAP_MEMORY &&
              call1(rt, "poke", hi, &r) == KP_TRAP_MEMORY);
    CHECK("host pointer above it refused", kp_host_ptr(rt, (kp_ptr)hi, 4) == NULL);
    CHECK("too small refused", kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, 100000) == KP_ERR_ARG);
    CHECK("over 3 GiB refused",
          kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, (uint64_t)4 << 30) == KP_ERR_ARG);
    CHECK("plugins run after all that", call1(rt, "depth", 10, &r) == KP_OK && r.v.i32 == 10);
    CHECK("lower_mem", kp_builtin_add(rt, "int lower_mem(int bytes)", bi_lower, NULL) == KP_OK);
    CHECK("lowering from inside a call is refused",
          call1(rt, "lower_mem", 6 << 20, &r) == KP_OK && r.v.i32 == KP_ERR_ARG);
    CHECK("raising from inside a call works",
          call1(rt, "lower_mem", 9 << 20, &r) == KP_OK && r.v.i32 == KP_OK &&
              kp_runtime_set_limit(rt, KP_LIMIT_MEMORY, 8 << 20) == KP_OK);

    /* ---- stack size and call depth ---- */
    CHECK("deep recursion fits in 256 KiB", call1(rt, "deep", 1000, &r) == KP_OK);
    CHECK("shrink stacks", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 16 << 10) == KP_OK);
    CHECK("get stack size", kp_runtime_get_limit(rt, KP_LIMIT_STACK_SIZE, &v) == KP_OK &&
                                v == 16 << 10);
    rc = call1(rt, "deep", 1000, &r);
    CHECK("stack limit reached: KP_TRAP_STACK", rc == KP_TRAP_STACK &&
              strstr(kp_errmsg(), "stack"));
    CHECK("bad stack size refused", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 100) == KP_ERR_ARG);
    CHECK("stack size over memory refused",
          kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 64 << 20) == KP_ERR_ARG);
    CHECK("stacks back to 256 KiB", kp_runtime_set_limit(rt, KP_LIMIT_STACK_SIZE, 256 << 10) == KP_OK &&
                                         call1(rt, "deep", 1000, &r) == KP_OK);
    CHECK("depth 500 fine", call1(rt, "depth", 500, &r) == KP_OK && r.v.i32 == 500);
    CHECK("set call depth", kp_runtime_set_limit(rt, KP_LIMIT_CALL_DEPTH, 100) == KP_OK);
    rc = call1(rt, "depth", 500, &r);
    CHECK("depth limit reached: KP_TRAP_STACK naming the depth", rc == KP_TRAP_STACK &&
              strstr(kp_errmsg(), "depth"));
    CHECK("get call depth", kp_runtime_get_limit(rt, KP_LIMIT_CALL_DEPTH, &v) == KP_OK && v == 100);
    kp_runtime_destroy(rt);

    /* ---- a compile inside a call (create()) stops at the call's deadline ----
     * compile_it has no loop: without the compile's own polls the call
     * would return KP_OK after the whole compile (about 100 ms here). */
    kp_config_init(&cfg);
    cfg.engine = e;
    cfg.mem_limit = 16 << 20;
    CHECK("create (compile deadline)", kp_runtime_create(&cfg, &rt) == KP_OK);
    CHECK("source builder", add(rt, "builder",
        "#include <stdlib.h>\n"
        "#include <kplug.h>\n"
        "static char *src;\n"
        "static char *put(char *p, const char *s) { while (*s) *p++ = *s++; return p; }\n"
        "int build(int nfun) {\n"
        "  char *p = src = malloc(nfun * 1100 + 16);\n"
        "  if (!p) return -1;\n"
        "  for (int f = 0; f < nfun; f++) {\n"
        "    p = put(p, \"int g\");\n"
        "    *p++ = 'a' + f % 26; *p++ = 'a' + f / 26 % 26; *p++ = 'a' + f / 676 % 26;\n"
        "    p = put(p, \"(int x) { int a = x;\\n\");\n"
        "    for (int i = 0; i < 60; i++) p = put(p, \"a = a * 3 + 1;\\n\");\n"
        "    p = put(p, \"return a; }\\n\");\n"
        "  }\n"
        "  *p = 0;\n"
        "  return p - src;\n"
        "}\n"
        "int compile_it(int n) { return create(n ? \"bigone\" : \"bigtwo\", src); }\n") == KP_OK);
    CHECK("build 2 MB of source", call1(rt, "build", 2000, &r) == KP_OK && r.v.i32 > 1800000);
    kp_func *cf;
    kp_call_opts co;
    memset(&co, 0, sizeof co);
    co.deadline_us = 1000;
    kp_value one = KP_I32(1);
    rc = kp_lookup(rt, "compile_it", &cf) == KP_OK ? kp_call_ex(cf, &one, 1, &r, &co) : -1;
    CHECK("create() stops at the deadline: KP_TRAP_TIMEOUT", rc == KP_TRAP_TIMEOUT);
    CHECK("the stopped compile added nothing", kp_lookup(rt, "gaaa", &cf) == KP_ERR_NOT_FOUND);
    kp_value zero = KP_I32(0);
    CHECK("without a deadline the same source compiles",
          kp_lookup(rt, "compile_it", &cf) == KP_OK && kp_call(cf, &zero, 1, &r) == KP_OK &&
              r.v.i32 == KP_OK && kp_lookup(rt, "gaaa", &cf) == KP_OK);
    kp_runtime_destroy(rt);
}

int main(void)
{
    engine_suite(KP_ENGINE_INTERP);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) == KP_OK) {
        kp_runtime_destroy(rt);
        check_prefix = "jit: ";
        engine_suite(KP_ENGINE_JIT);
        check_prefix = "";
    }

    /* ---- code size ---- */
    kp_config_init(&cfg);
    CHECK("default max_code_bytes", cfg.max_code_bytes == (size_t)256 << 20);
    cfg.max_code_bytes = 20000;
    CHECK("create (small code limit)", kp_runtime_create(&cfg, &rt) == KP_OK);
    uint64_t v, used0, used1;
    CHECK("get code limit", kp_runtime_get_limit(rt, KP_LIMIT_CODE, &v) == KP_OK && v == 20000);
    CHECK("code usage 0", kp_runtime_get_usage(rt, KP_LIMIT_CODE, &used0) == KP_OK && used0 == 0);
    CHECK("small plugin fits", add(rt, "small", "int one(void) { return 1; }") == KP_OK);
    CHECK("usage grows", kp_runtime_get_usage(rt, KP_LIMIT_CODE, &used1) == KP_OK && used1 > 0);
    /* a plugin with many functions */
    size_t cap = 200000, n = 0;
    char *big = malloc(cap);
    for (int i = 0; i < 300 && n + 200 < cap; i++)
        n += (size_t)snprintf(big + n, cap - n,
                              "int f%d(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * %d; return s; }\n",
                              i, i);
    int rc = kp_plugin_add(rt, "big", big, n);
    CHECK("code limit reached: KP_ERR_LIMIT", rc == KP_ERR_LIMIT &&
              strstr(kp_errmsg(), "code size limit"));
    kp_func *f;
    CHECK("nothing of it linked", kp_lookup(rt, "f1", &f) == KP_ERR_NOT_FOUND);
    CHECK("usage unchanged", kp_runtime_get_usage(rt, KP_LIMIT_CODE, &v) == KP_OK && v == used1);
    CHECK("replace over the limit refused, old kept",
          kp_plugin_replace(rt, "small", big, n) == KP_ERR_LIMIT && kp_lookup(rt, "one", &f) == KP_OK);
    CHECK("lowering below use refused", kp_runtime_set_limit(rt, KP_LIMIT_CODE, 10) == KP_ERR_LIMIT);
    CHECK("raise code limit", kp_runtime_set_limit(rt, KP_LIMIT_CODE, 64 << 20) == KP_OK);
    CHECK("now it fits", kp_plugin_add(rt, "big", big, n) == KP_OK && kp_lookup(rt, "f1", &f) == KP_OK);
    CHECK("delete gives code back", kp_delete(rt, "big") == KP_OK &&
              kp_runtime_get_usage(rt, KP_LIMIT_CODE, &v) == KP_OK && v == used1);
    free(big);

    /* ---- number of plugins ---- */
    uint64_t np;
    CHECK("plugin usage (3 default built-ins + 1)",
          kp_runtime_get_usage(rt, KP_LIMIT_PLUGINS, &np) == KP_OK && np == 4);
    CHECK("set max plugins", kp_runtime_set_limit(rt, KP_LIMIT_PLUGINS, 5) == KP_OK);
    CHECK("fifth fits", add(rt, "p5", "int five(void) { return 5; }") == KP_OK);
    rc = add(rt, "p6", "int six(void) { return 6; }");
    CHECK("plugin limit reached: KP_ERR_LIMIT", rc == KP_ERR_LIMIT && strstr(kp_errmsg(), "plugin limit"));
    CHECK("replace still allowed at the limit",
          kp_plugin_replace(rt, "p5", "int five(void) { return 55; }", 29) == KP_OK);
    CHECK("lowering below the count refused",
          kp_runtime_set_limit(rt, KP_LIMIT_PLUGINS, 2) == KP_ERR_LIMIT);
    CHECK("get max plugins", kp_runtime_get_limit(rt, KP_LIMIT_PLUGINS, &v) == KP_OK && v == 5);

    /* ---- deadline, and argument checks ---- */
    CHECK("deadline set/get", kp_runtime_set_limit(rt, KP_LIMIT_DEADLINE_MS, 250) == KP_OK &&
                                  kp_runtime_get_limit(rt, KP_LIMIT_DEADLINE_MS, &v) == KP_OK &&
                                  v == 250);
    kp_set_deadline(rt, 300);
    CHECK("kp_set_deadline is the same limit",
          kp_runtime_get_limit(rt, KP_LIMIT_DEADLINE_MS, &v) == KP_OK && v == 300);
    CHECK("unknown limit", kp_runtime_set_limit(rt, (kp_limit)99, 1) == KP_ERR_ARG &&
                               kp_runtime_get_limit(rt, (kp_limit)99, &v) == KP_ERR_ARG);
    CHECK("NULL runtime", kp_runtime_set_limit(NULL, KP_LIMIT_CODE, 1) == KP_ERR_ARG &&
                              kp_runtime_get_limit(NULL, KP_LIMIT_CODE, &v) == KP_ERR_ARG);
    CHECK("no usage for depth", kp_runtime_get_usage(rt, KP_LIMIT_CALL_DEPTH, &v) == KP_ERR_ARG);
    kp_runtime_destroy(rt);
    return CHECK_DONE();
}

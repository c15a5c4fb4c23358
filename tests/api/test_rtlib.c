/* test_rtlib.c — the runtime library behind memcpy/strlen/malloc/... as
 * plugins see it: results, and a trap (never a host crash) for every
 * out-of-range byte, invalid free, heap abuse. */
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

static kp_runtime *rt;

static int run(const char *fn, int *out)
{
    kp_func *f;
    kp_value r;
    int rc = kp_lookup(rt, fn, &f);
    if (!rc)
        rc = kp_call(f, NULL, 0, &r);
    *out = rc ? -999 : r.v.i32;
    return rc;
}

#define MEM (2u << 20)

static const char *src =
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "static int g[4] = {1, 2, 3, 4};\n"
    "int ok_strings(void) {\n"
    "  char a[16], b[16];\n"
    "  strcpy(a, \"hello\"); strcpy(b, \"help\");\n"
    "  if (strlen(a) != 5) return 1;\n"
    "  if (strcmp(a, b) >= 0 || strcmp(b, a) <= 0 || strcmp(a, a)) return 2;\n"
    "  if (strncmp(a, b, 3) != 0 || strncmp(a, b, 4) >= 0) return 3;\n"
    "  if (strchr(a, 'l') != a + 2 || strchr(a, 'z') || strchr(a, 0) != a + 5) return 4;\n"
    "  memset(b, 'x', 3); if (memcmp(b, \"xxxp\", 4)) return 5;\n"
    "  memmove(a + 1, a, 5); if (memcmp(a, \"hhello\", 6)) return 6;\n"
    "  memcpy(b, a, 0); memset(0, 0, 0);\n"
    "  return 0;\n"
    "}\n"
    "int ok_heap(void) {\n"
    "  int *p = calloc(10, sizeof(int)); if (!p || p[9]) return 1;\n"
    "  p[9] = 7; p = realloc(p, 4000); if (!p || p[9] != 7) return 2;\n"
    "  p = realloc(p, 8); if (!p || p[1] != 0) return 3;\n"
    "  free(p); free(0);\n"
    "  if (malloc(0xFFFFFFFFu)) return 4;\n"
    "  if (calloc(0x10000, 0x10000)) return 5;\n"
    "  if (realloc(0, 16) == 0) return 6;\n"
    "  char *z = malloc(0); if (!z) return 7; free(z);\n"
    "  return 0;\n"
    "}\n"
    "int bad_memcpy(void) { char a[4]; memcpy(a, (char *)4096, 0x7FFFFFFF); return 0; }\n"
    "int bad_memset_null(void) { memset(0, 0, 1); return 0; }\n"
    "int bad_memcmp(void) { return memcmp((char *)4090, \"a\", 1); }\n"
    "int bad_strlen_end(void) { char *p = (char *)(0x200000 - 3); p[0] = p[1] = p[2] = 'a'; return strlen(p); }\n"
    "int bad_strcmp_end(void) { char *p = (char *)(0x200000 - 2); p[0] = p[1] = 'a'; return strcmp(p, \"aaaa\"); }\n"
    "int bad_strcpy_dst(void) { strcpy((char *)(0x200000 - 2), \"abc\"); return 0; }\n"
    "int bad_strchr(void) { char *p = (char *)(0x200000 - 1); *p = 'q'; return strchr(p, 'z') != 0; }\n"
    "int free_global(void) { free(g); return 0; }\n"
    "int free_stack(void) { char a[32]; free(a); return 0; }\n"
    "int free_interior(void) { char *p = malloc(64); free(p + 16); return 0; }\n"
    "int realloc_bad(void) { realloc((void *)5000, 10); return 0; }\n"
    "int scribble(void) {\n"
    "  /* overwrite the whole heap area we can reach, then keep using malloc */\n"
    "  char *p = malloc(1000); memset(p - 512, 0xFF, 2000);\n"
    "  char *q = malloc(100); free(q); free(p); return 0;\n"
    "}\n"
    "int bad_fp(void) { int (*f)(void) = (int (*)(void))123456; return f(); }\n"
    "int call_abort(void) { abort(); return 1; }\n";

static int suite(kp_engine engine)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.mem_limit = MEM;
    cfg.stack_size = 128 << 10;
    cfg.engine = engine;
    CHECK("create", kp_runtime_create(&cfg, &rt) == KP_OK);
    int rc = kp_plugin_add(rt, "lib", src, strlen(src));
    CHECK("add", rc == KP_OK);
    if (rc)
        printf("# %s\n", kp_errmsg());
    int v;
    CHECK("string functions", run("ok_strings", &v) == KP_OK && v == 0);
    CHECK("heap functions", run("ok_heap", &v) == KP_OK && v == 0);
    static const char *const mem_traps[] = {
        "bad_memcpy", "bad_memset_null", "bad_memcmp", "bad_strlen_end", "bad_strcmp_end",
        "bad_strcpy_dst", "bad_strchr", "free_global", "free_stack", "free_interior",
        "realloc_bad",
    };
    for (size_t i = 0; i < sizeof mem_traps / sizeof *mem_traps; i++) {
        rc = run(mem_traps[i], &v);
        char name[64];
        snprintf(name, sizeof name, "%s traps", mem_traps[i]);
        CHECK(name, rc == KP_TRAP_MEMORY && kp_last_error()->line > 0 &&
                        strcmp(kp_last_error()->function, mem_traps[i]) == 0);
    }
    CHECK("scribbled heap still works", run("scribble", &v) == KP_OK);
    CHECK("bad function pointer", run("bad_fp", &v) == KP_TRAP_BAD_CALL);
    CHECK("abort", run("call_abort", &v) == KP_TRAP_BUILTIN);
    CHECK("usable after all that", run("ok_heap", &v) == KP_OK && v == 0);
    kp_runtime_destroy(rt);
    return CHECK_DONE();
}

int main(void)
{
    /* every check on each engine this platform has */
    check_prefix = "interp: ";
    suite(KP_ENGINE_INTERP);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
    kp_runtime *probe;
    if (kp_runtime_create(&cfg, &probe) == KP_OK) {
        kp_runtime_destroy(probe);
        check_prefix = "jit: ";
        suite(KP_ENGINE_JIT);
    }
    return CHECK_DONE();
}

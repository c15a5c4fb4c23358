/* PENDING — host driver (not a plugin; not run by any suite) for the bug in
 * jit_create_near_native_stack_end.c: the same crash without big frames,
 * when the host calls from a thread with a small stack.
 *
 *   cc -std=gnu11 -Iinclude -o /tmp/ss tests/hostile/pending/host_small_stack_create.c \
 *      build/libkplug.a -lpthread -lm
 *   /tmp/ss 256 200 2    # 256 KiB thread, source nested 200 deep, JIT: SIGSEGV
 *   /tmp/ss 256 120 2    # nested 120: KP_TRAP_STACK "native stack exhausted" (fine)
 *   /tmp/ss 256 250 1    # interpreter: KP_TRAP_STACK "call depth limit" (fine)
 *
 * The plugin recurses, calling create() with a deeply nested source at
 * every level; the JIT stops plugin recursion with a native-stack reserve
 * that is smaller than what the compiler needs. Expected: a trap or an
 * error from create(), never a crash. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kplug.h"
static char src[8192];
static kp_engine eng;
static void *run(void *arg)
{
    kp_config cfg; kp_config_init(&cfg); cfg.engine = eng;
    kp_runtime *rt; kp_runtime_create(&cfg, &rt);
    int rc = kp_plugin_add(rt, "p", src, strlen(src));
    if (rc) { printf("add: %s\n", kp_errmsg()); return arg; }
    kp_func *f; kp_value a = KP_I32(0), r;
    kp_lookup(rt, "down", &f);
    rc = kp_call(f, &a, 1, &r);
    printf("%s down: %s %s (r=%d)\n", eng == 1 ? "interp" : "jit", kp_result_name(rc), kp_errmsg(), rc ? 0 : r.v.i32); fflush(stdout);
    kp_runtime_destroy(rt);
    return arg;
}
int main(int argc, char **argv)
{
    size_t ss = (size_t)atoi(argv[1]) * 1024;
    int depth = atoi(argv[2]);
    char nested[2048]; int k = 0;
    k += sprintf(nested + k, "int z%s = ", "");
    for (int i = 0; i < depth; i++) nested[k++] = '(';
    nested[k++] = '1';
    for (int i = 0; i < depth; i++) nested[k++] = ')';
    nested[k++] = ';'; nested[k] = 0;
    snprintf(src, sizeof src,
        "#include <kplug.h>\n"
        "int down(int n) {\n"
        "  int rc = create(\"tmp\", \"%s\");\n"
        "  delete(\"tmp\");\n"
        "  if (rc != 0) return 1000000 + n;\n"
        "  return down(n + 1) + 1;\n"
        "}\n", nested);
    if (argc < 4)
        return 2;
    eng = (kp_engine)atoi(argv[3]);
    {
        pthread_attr_t at; pthread_attr_init(&at); pthread_attr_setstacksize(&at, ss);
        pthread_t t; pthread_create(&t, &at, run, NULL); pthread_join(t, NULL);
    }
    return 0;
}

/* test_small_stack.c — deep input on host threads with small native stacks.
 * The nesting limit alone does not bound native stack use: a 64 KiB thread
 * cannot hold 250 levels of the compiler's recursion, and a plugin that
 * recurses and calls create() at every level reaches the compiler with
 * little stack left. Both must end in an error or a trap, never a crash. */
#include <pthread.h>
#include <stdlib.h>

#include "kplug.h"
#include "check.h"

static char deep_expr[4096]; /* "int z = ((((...1...))));" */
static char plugin_src[8192];

typedef struct job {
    size_t stack_kib;
    kp_engine engine;
    int add_rc;        /* kp_plugin_add of the deep source */
    int call_rc;       /* calling down() of the recursive create() plugin */
    int down_result;
} job;

static void make_sources(int depth)
{
    int k = sprintf(deep_expr, "int z = ");
    for (int i = 0; i < depth; i++)
        deep_expr[k++] = '(';
    deep_expr[k++] = '1';
    for (int i = 0; i < depth; i++)
        deep_expr[k++] = ')';
    deep_expr[k++] = ';';
    deep_expr[k] = 0;
    snprintf(plugin_src, sizeof plugin_src,
             "#include <kplug.h>\n"
             "int down(int n) {\n"
             "  int rc = create(\"tmp\", \"%s\");\n"
             "  delete(\"tmp\");\n"
             "  if (rc != 0) return 1000000 + n;\n"
             "  return down(n + 1) + 1;\n"
             "}\n",
             deep_expr);
}

static void *run(void *arg)
{
    job *j = arg;
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = j->engine;
    kp_runtime *rt;
    if (kp_runtime_create(&cfg, &rt) != KP_OK) {
        j->add_rc = j->call_rc = -999;
        return NULL;
    }
    j->add_rc = kp_plugin_add(rt, "deep", deep_expr, strlen(deep_expr));
    j->call_rc = kp_plugin_add(rt, "p", plugin_src, strlen(plugin_src));
    if (j->call_rc == KP_OK) {
        kp_func *f;
        kp_value a = KP_I32(0), r = KP_I32(0);
        kp_lookup(rt, "down", &f);
        j->call_rc = kp_call(f, &a, 1, &r);
        j->down_result = r.v.i32;
    }
    kp_runtime_destroy(rt);
    return NULL;
}

static void run_on_thread(job *j)
{
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, j->stack_kib << 10);
    pthread_t t;
    if (pthread_create(&t, &at, run, j) == 0)
        pthread_join(t, NULL);
    else
        j->add_rc = j->call_rc = -998;
    pthread_attr_destroy(&at);
}

int main(void)
{
    make_sources(250);
    const size_t sizes[] = {64, 128, 256, 1024};
    for (int e = 0; e < 2; e++) {
        kp_engine eng = e ? KP_ENGINE_JIT : KP_ENGINE_INTERP;
        check_prefix = e ? "jit: " : "interp: ";
        for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            job j = {sizes[i], eng, 0, 0, 0};
            run_on_thread(&j);
            char name[160];
            snprintf(name, sizeof name,
                     "%zu KiB thread: 250-deep source compiles or fails with KP_ERR_LIMIT",
                     sizes[i]);
            CHECK(name, j.add_rc == KP_OK || j.add_rc == KP_ERR_LIMIT);
            snprintf(name, sizeof name,
                     "%zu KiB thread: recursion calling create() ends in a result or "
                     "KP_TRAP_STACK (got %s)", sizes[i], kp_result_name(j.call_rc));
            CHECK(name, (j.call_rc == KP_OK && j.down_result >= 1000000) ||
                            j.call_rc == KP_TRAP_STACK || j.call_rc == KP_ERR_LIMIT);
        }
    }
    /* On a big stack the deep source is fine: the limit is the stack, not
     * an arbitrary cut. */
    job big = {8192, KP_ENGINE_INTERP, 0, 0, 0};
    check_prefix = "";
    run_on_thread(&big);
    CHECK("8 MiB thread: 250-deep source compiles", big.add_rc == KP_OK);
    return CHECK_DONE();
}

/* test_runtime.c — runtimes: version, configuration, create/destroy,
 * errors of every public entry point on bad arguments. */
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

int main(void)
{
    CHECK("version number", kp_version() == KP_VERSION_NUMBER);
    CHECK("version string", strcmp(kp_version_string(), KP_VERSION_STRING) == 0);
    CHECK("no error yet", kp_last_error()->code == KP_OK && kp_errmsg() != NULL);
    CHECK("result name", strcmp(kp_result_name(KP_TRAP_MEMORY), "KP_TRAP_MEMORY") == 0);
    CHECK("result name unknown", strcmp(kp_result_name(12345), "KP_UNKNOWN") == 0);

    kp_config cfg;
    kp_config_init(&cfg);
    CHECK("config defaults", cfg.mem_limit == 64u << 20 && cfg.stack_size == 1u << 20 &&
                                 cfg.max_call_depth == 10000 && cfg.max_plugins == 65536);

    kp_runtime *rt = (kp_runtime *)1;
    CHECK("create NULL out", kp_runtime_create(NULL, NULL) == KP_ERR_ARG);
    CHECK("create defaults", kp_runtime_create(NULL, &rt) == KP_OK && rt);
#if defined(__x86_64__) && defined(__linux__)
    CHECK("default engine is the JIT", kp_runtime_engine(rt) == KP_ENGINE_JIT);
#else
    CHECK("default engine is the interpreter", kp_runtime_engine(rt) == KP_ENGINE_INTERP);
#endif
    kp_func *f = NULL;
    CHECK("default create", kp_lookup(rt, "create", &f) == KP_OK && f);
    CHECK("default name", strcmp(kp_func_name(f), "create") == 0);
    kp_type params[4], ret;
    int var = -1;
    CHECK("create signature", kp_func_signature(f, &ret, params, 4, &var) == 2 &&
                                  ret == KP_T_I32 && params[0] == KP_T_PTR &&
                                  params[1] == KP_T_PTR && var == 0);
    CHECK("default lookup", kp_lookup(rt, "lookup", &f) == KP_OK);
    CHECK("lookup signature", kp_func_signature(f, &ret, NULL, 0, NULL) == 1 &&
                                  ret == KP_T_PTR);
    CHECK("default delete", kp_lookup(rt, "delete", &f) == KP_OK);
    CHECK("nothing else", kp_lookup(rt, "printf", &f) == KP_ERR_NOT_FOUND && !f);
    CHECK("not found message", strstr(kp_errmsg(), "printf") != NULL);
    kp_runtime_destroy(rt);
    kp_runtime_destroy(NULL);
    CHECK("destroy NULL", 1);

    /* configuration errors */
    kp_config_init(&cfg);
    cfg.mem_limit = (size_t)4 << 30;
    rt = (kp_runtime *)1;
    CHECK("mem_limit too big", kp_runtime_create(&cfg, &rt) == KP_ERR_ARG && rt == NULL);
    cfg.mem_limit = 32 << 10;
    CHECK("mem_limit too small", kp_runtime_create(&cfg, &rt) == KP_ERR_ARG);
    cfg.mem_limit = 256 << 10;
    cfg.stack_size = 1 << 20;
    CHECK("stack bigger than memory", kp_runtime_create(&cfg, &rt) == KP_ERR_ARG);
    kp_config_init(&cfg);
    cfg.stack_size = 100;
    CHECK("stack too small", kp_runtime_create(&cfg, &rt) == KP_ERR_ARG);
    kp_config_init(&cfg);
    cfg.engine = (kp_engine)7;
    CHECK("bad engine", kp_runtime_create(&cfg, &rt) == KP_ERR_ARG);
    kp_config_init(&cfg);
    cfg.engine = KP_ENGINE_JIT;
#if defined(__x86_64__) && defined(__linux__)
    CHECK("jit engine", kp_runtime_create(&cfg, &rt) == KP_OK &&
                            kp_runtime_engine(rt) == KP_ENGINE_JIT);
    kp_runtime_destroy(rt);
#else
    CHECK("no jit engine here", kp_runtime_create(&cfg, &rt) == KP_ERR_ARG);
#endif
    cfg.engine = KP_ENGINE_INTERP;
    CHECK("interp engine", kp_runtime_create(&cfg, &rt) == KP_OK &&
                               kp_runtime_engine(rt) == KP_ENGINE_INTERP);
    kp_runtime_destroy(rt);
    kp_config_init(&cfg);
    cfg.mem_limit = (size_t)3 << 30;
    CHECK("3 GiB runtime", kp_runtime_create(&cfg, &rt) == KP_OK);
    kp_ptr big = kp_alloc(rt, (size_t)2 << 30);
    CHECK("2 GiB block", big != 0 && kp_host_ptr(rt, big, (size_t)2 << 30) != NULL);
    kp_runtime_destroy(rt);
    memset(&cfg, 0, sizeof cfg); /* all zero = all defaults */
    CHECK("zero config", kp_runtime_create(&cfg, &rt) == KP_OK);
    kp_runtime_destroy(rt);

    /* many runtimes at once, names disjoint */
    enum { N = 64 };
    kp_runtime *rts[N];
    int ok = 1;
    for (int i = 0; i < N; i++)
        ok &= kp_runtime_create(NULL, &rts[i]) == KP_OK;
    CHECK("64 runtimes", ok);
    ok = 1;
    for (int i = 0; i < N; i++) {
        kp_ptr p = kp_alloc(rts[i], 100);
        char *h = kp_host_ptr(rts[i], p, 100);
        ok &= h != NULL;
        if (h)
            memset(h, i, 100);
        ok &= kp_plugin_ptr(rts[i], h) == p;
        if (i)
            ok &= kp_plugin_ptr(rts[i - 1], h) == 0 || kp_host_ptr(rts[i - 1], p, 1) != h;
    }
    CHECK("separate segments", ok);
    for (int i = 0; i < N; i++)
        kp_runtime_destroy(rts[i]);

    /* NULL / bad arguments everywhere */
    CHECK("add NULL rt", kp_plugin_add(NULL, "p", "", 0) == KP_ERR_ARG);
    CHECK("replace NULL rt", kp_plugin_replace(NULL, "p", "", 0) == KP_ERR_ARG);
    CHECK("delete NULL rt", kp_delete(NULL, "p") == KP_ERR_ARG);
    CHECK("lookup NULL rt", kp_lookup(NULL, "p", &f) == KP_ERR_ARG);
    CHECK("call NULL", kp_call(NULL, NULL, 0, NULL) == KP_ERR_ARG);
    CHECK("signature NULL", kp_func_signature(NULL, NULL, NULL, 0, NULL) == KP_ERR_ARG);
    CHECK("name NULL", strcmp(kp_func_name(NULL), "") == 0);
    CHECK("builtin NULL rt", kp_builtin_add(NULL, "int f(void)", NULL, NULL) == KP_ERR_ARG);
    CHECK("alloc NULL rt", kp_alloc(NULL, 16) == 0 && kp_last_error()->code == KP_ERR_ARG);
    kp_free(NULL, 16);
    CHECK("free NULL rt", kp_last_error()->code == KP_ERR_ARG);
    CHECK("host_ptr NULL rt", kp_host_ptr(NULL, 4096, 1) == NULL);
    CHECK("plugin_ptr NULL rt", kp_plugin_ptr(NULL, &cfg) == 0);
    kp_interrupt(NULL);
    kp_set_deadline(NULL, 5);
    kp_config_init(NULL);
    CHECK("NULL no-ops", 1);
    CHECK("callctx NULL", kp_callctx_runtime(NULL) == NULL && kp_callctx_ptr(NULL, 4096, 1) == NULL &&
                              kp_callctx_str(NULL, 4096, 1) == NULL &&
                              kp_fail(NULL, "x") == KP_TRAP_BUILTIN);

    CHECK("create again", kp_runtime_create(NULL, &rt) == KP_OK);
    CHECK("add NULL name", kp_plugin_add(rt, NULL, "", 0) == KP_ERR_ARG);
    CHECK("add empty name", kp_plugin_add(rt, "", "", 0) == KP_ERR_ARG);
    CHECK("add NULL src", kp_plugin_add(rt, "p", NULL, 5) == KP_ERR_ARG);
    CHECK("add name of builtin", kp_plugin_add(rt, "create", "", 0) == KP_ERR_EXISTS);
    CHECK("replace builtin", kp_plugin_replace(rt, "lookup", "", 0) == KP_ERR_ARG);
    CHECK("delete NULL name", kp_delete(rt, NULL) == KP_ERR_ARG);
    CHECK("delete missing", kp_delete(rt, "nope") == KP_ERR_NOT_FOUND);
    CHECK("lookup NULL out", kp_lookup(rt, "create", NULL) == KP_ERR_ARG);
    CHECK("lookup NULL name", kp_lookup(rt, NULL, &f) == KP_ERR_ARG);
    CHECK("builtin NULL proto", kp_builtin_add(rt, NULL, NULL, NULL) == KP_ERR_ARG);
    kp_lookup(rt, "create", &f);
    CHECK("signature bad cap", kp_func_signature(f, NULL, NULL, 3, NULL) == KP_ERR_ARG);
    CHECK("call negative nargs", kp_call(f, NULL, -1, NULL) == KP_ERR_ARG);
    CHECK("call NULL args", kp_call(f, NULL, 2, NULL) == KP_ERR_ARG);
    CHECK("call wrong count", kp_call(f, NULL, 0, NULL) == KP_ERR_SIGNATURE);
    kp_value a2[2] = { KP_I32(1), KP_PTR(0) };
    CHECK("call wrong type", kp_call(f, a2, 2, NULL) == KP_ERR_SIGNATURE &&
                                 strstr(kp_errmsg(), "parameter 1") != NULL);
    kp_runtime_destroy(rt);

    /* the last error is per thread and keeps long messages */
    return CHECK_DONE();
}

/* callcost.c — a small driver for counting instructions per call with
 * callgrind (bench/RESULTS.md, "Calls across the boundary"): the cost of
 * one operation is the difference of two runs, N and 2N iterations,
 * divided by N, which cancels start-up and compilation.
 *
 *   gcc -O2 -Iinclude bench/callcost.c build/libkplug.a -lpthread -lm -o callcost
 *   for n in 10000 20000; do valgrind --tool=callgrind \
 *       --callgrind-out-file=/dev/null ./callcost upcall0 $n 2>&1 | grep refs; done
 *
 * What: upcall0 / upcall6 (kp_call of a plugin function with 0 / 6 int
 * arguments), prep0 / prep6 (the same through kp_call_prepared), builtin (one plugin call with a loop of N calls of a
 * built-in `void bnop0(void)`), link (N kp_builtin_add + kp_delete),
 * plugin (N kp_plugin_add + kp_delete of a one-line plugin). KPLUG_ENGINE
 * = interp in the environment selects the interpreter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kplug.h"

static int b_nop0(kp_callctx *cx, const kp_value *a, int n, kp_value *r, void *ud)
{
    (void)cx, (void)a, (void)n, (void)r, (void)ud;
    return KP_OK;
}

static const char src[] =
    "void bnop0(void);\n"
    "int f0(void) { return 0; }\n"
    "int f6(int a, int b, int c, int d, int e, int f) { return 0; }\n"
    "long loop_b0(int n) { long s = 0; for (int i = 0; i < n; i++) { bnop0(); s += i; } return s; }\n";

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "upcall0";
    int n = argc > 2 ? atoi(argv[2]) : 100000;
    const char *eng = getenv("KPLUG_ENGINE");
    kp_config cfg;
    kp_config_init(&cfg);
    if (eng && strcmp(eng, "interp") == 0)
        cfg.engine = KP_ENGINE_INTERP;
    kp_runtime *rt;
    if (kp_runtime_create(&cfg, &rt) != KP_OK ||
        kp_builtin_add(rt, "void bnop0(void)", b_nop0, NULL) != KP_OK ||
        kp_plugin_add(rt, "p", src, sizeof src - 1) != KP_OK) {
        fprintf(stderr, "callcost: %s\n", kp_errmsg());
        return 1;
    }
    kp_value a[6], r;
    for (int i = 0; i < 6; i++)
        a[i] = KP_I32(i + 1);
    int bad = 0;
    kp_func *f;
    if (!strcmp(what, "upcall0") || !strcmp(what, "upcall6")) {
        int k = what[6] - '0';
        kp_lookup(rt, k ? "f6" : "f0", &f);
        for (int i = 0; i < n; i++)
            bad |= kp_call(f, a, k, &r);
    } else if (!strcmp(what, "prep0") || !strcmp(what, "prep6")) {
        int k = what[4] - '0';
        static const kp_type t6[6] = {KP_T_I32, KP_T_I32, KP_T_I32,
                                      KP_T_I32, KP_T_I32, KP_T_I32};
        kp_prepared *p = NULL;
        kp_lookup(rt, k ? "f6" : "f0", &f);
        bad |= kp_prepare(f, KP_T_I32, t6, k, &p);
        for (int i = 0; !bad && i < n; i++)
            bad |= kp_call_prepared(p, a, &r);
        kp_prepared_free(p);
    } else if (!strcmp(what, "builtin")) {
        kp_value c = KP_I32(n);
        kp_lookup(rt, "loop_b0", &f);
        bad |= kp_call(f, &c, 1, &r);
    } else if (!strcmp(what, "link")) {
        for (int i = 0; i < n; i++)
            bad |= kp_builtin_add(rt, "void bx(void)", b_nop0, NULL) | kp_delete(rt, "bx");
    } else if (!strcmp(what, "plugin")) {
        static const char one[] = "int one(void) { return 1; }\n";
        for (int i = 0; i < n; i++)
            bad |= kp_plugin_add(rt, "one", one, sizeof one - 1) | kp_delete(rt, "one");
    } else {
        fprintf(stderr, "callcost: upcall0|upcall6|prep0|prep6|builtin|link|plugin N\n");
        bad = 1;
    }
    if (bad)
        fprintf(stderr, "callcost: %s\n", kp_errmsg());
    kp_runtime_destroy(rt);
    return bad != 0;
}

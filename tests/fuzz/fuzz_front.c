/*
 * fuzz_front.c — libFuzzer target: raw bytes as plugin source, through the
 * public API on both engines.
 *
 * The input goes to kp_plugin_add on an interpreter runtime and on a JIT
 * runtime. Compile errors are fine; a crash, a sanitizer report, a leak or
 * a hang is a bug, and so is an inconsistency that does not depend on the
 * engine: both runtimes must accept or reject the source alike (compiling
 * is shared up to the IR), and a rejected source must leave a message.
 * When it compiles and defines `int main(void)`, main runs on both engines
 * under a 50 ms deadline (results are not compared: arbitrary programs
 * read uninitialized memory and time out at different points).
 *
 *   make fuzz-build && build-fuzz/fuzz_front -max_len=8192 tests/fuzz/corpus
 *
 * Built without -DKP_LIBFUZZER it is a plain driver over files:
 *   fuzz_front FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"

static int add_and_run(kp_engine engine, const uint8_t *data, size_t size)
{
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = engine;
    cfg.mem_limit = 8u << 20;
    cfg.stack_size = 256u << 10;
    cfg.deadline_ms = 50;
    cfg.max_source = 1u << 20;
    kp_runtime *rt = NULL;
    if (kp_runtime_create(&cfg, &rt) != KP_OK)
        return 1; /* no such engine here */
    int rc = kp_plugin_add(rt, "fuzz.c", (const char *)data, size);
    if (rc != KP_OK) {
        const char *m = kp_errmsg();
        if (!m || !*m || kp_last_error()->code != rc)
            abort(); /* every failure must be described */
    } else {
        kp_func *f;
        kp_type ret, params[4];
        if (kp_lookup(rt, "main", &f) == KP_OK &&
            kp_func_signature(f, &ret, params, 4, NULL) == 0 && ret == KP_T_I32) {
            kp_value r;
            (void)kp_call(f, NULL, 0, &r);
        }
    }
    kp_runtime_destroy(rt);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy exactly `size` long, so reading past it is caught */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    int a = add_and_run(KP_ENGINE_INTERP, copy, size);
    int b = add_and_run(KP_ENGINE_JIT, copy, size);
    /* b == 1: no JIT runtime */
    if (b != 1 && (a == KP_OK) != (b == KP_OK) && a != KP_ERR_NOMEM_PLUGIN && b != KP_ERR_NOMEM_PLUGIN) {
        fprintf(stderr, "fuzz_front: interp %s, jit %s\n", kp_result_name(a), kp_result_name(b));
        abort();
    }
    free(copy);
    return 0;
}

#ifndef KP_LIBFUZZER
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("fuzz_front: %d file(s) ok\n", argc - 1);
    return 0;
}
#endif

/*
 * Finding 01 — JIT: undefined behaviour on a plugin without functions.
 * Found by: fuzz_front (libFuzzer), its very first input: the empty file.
 * Engine: jit. Component: src/jit/x86_64/emit.c, jit_emit_module.
 *
 * An empty source (or any plugin defining no function, such as this one)
 * compiles to a module with no code: e.b.p is NULL and e.b.n is 0, and
 *     memcpy(code, e.b.p, e.b.n);   (emit.c:1817 at 11:48, 1907 at 12:05)
 * passes NULL to memcpy, which UBSan reports:
 *   src/jit/x86_64/emit.c:1817:26: runtime error: null pointer passed as
 *   argument 2, which is declared to never be null
 *   #0 jit_emit_module emit.c:1817  #1 jit_load engine.c:394
 *   #2 link_locked ns.c:682  #3 kp_ns_add_plugin ns.c:822  #4 kp_plugin_add
 * Harmless in practice, but every libFuzzer target built with
 * -fsanitize=undefined stops on it at once, so it blocks `make fuzz`.
 * Fix: skip the memcpy when e.b.n == 0.
 *
 * Reproduce: build-fuzz/fuzz_front /dev/null   (or this file)
 * interp: kp_plugin_add -> KP_OK.  jit: UBSan report (abort under
 * -fno-sanitize-recover), KP_OK otherwise.
 */
int x;

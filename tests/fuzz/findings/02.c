/*
 * Finding 02 — INTERPRETER: wrong value for `h = h * 31 + (unsigned char)(x + 255)`.
 * Found by: fuzz_diff (standalone), seed 2731; minimized by hand.
 * Engine: interp (the JIT and gcc agree on the right value).
 *
 *   expected (gcc -O0, and the JIT):  0x12ea   (153 * 31 + (unsigned char)355)
 *   interp:                           0xeb
 *
 * Every piece matters: the same expression returned directly
 * (`return h * 31 + (unsigned char)(x + 255);`) is right, and so is
 * `h = h * 31 + x;` — it takes the assignment back into the 64-bit local
 * `h` of a sum whose right operand is a zero-extension (ZEXT8 on I64) of a
 * computed value. Looks like a register-reuse / fused-instruction problem
 * in the interpreter's compiler (src/interp/interp.c or interp_vm.c).
 *
 * Reproduce: build/fuzz_diff --src tests/fuzz/findings/02.c
 *   (prints both results; exit 1 while they differ)
 */
unsigned long long kp_main(void)
{
    long long h = 153;
    long long x = 100;
    h = h * 31 + (unsigned char)(x + 255);
    return h;
}

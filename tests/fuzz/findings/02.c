/*
 * Finding 02 — INTERPRETER: `h = h * 31 + (a + 2);` on 64-bit locals gives
 * garbage (it looks like a host address: a host memory disclosure too).
 * Found by: fuzz_diff (standalone): seeds 2731, 12599 (progfuzz of 11:50)
 * and 111928, 111967 (progfuzz of 12:00); minimized.
 * Engine: interp. The JIT and gcc agree on the right value.
 *
 *   expected (gcc -O0, and the JIT):  0x9e            (5 * 31 + (1 + 2))
 *   interp:                           0x56116d0ce31c  (varies per run)
 *
 * The same with `h = h * 31 + a;` or `return h * 31 + (a + 2);` is right:
 * it needs the assignment back into `h` of a sum whose both operands are
 * computed temporaries. A second shape from seed 2731, same cause no doubt:
 *     long long h = 153, x = 100;
 *     h = h * 31 + (unsigned char)(x + 255);   interp 0xeb, right: 0x12ea
 * A third, from seed 111967 (the sum's right operand a call whose
 * argument is such a temporary):
 *     static int f(int d, int a, int b) { return 717; }
 *     long long l = 33;  unsigned long long h = 0x7fffffffffffffff;
 *     h = h * 31 + (unsigned long long)f(3, 0, (int)(l + 255));
 *     interp 0x2cd (h * 31 lost), right: 0x80000000000002ae
 * Probably a register-reuse / fused-instruction problem in the
 * interpreter's compiler (src/interp/interp.c or interp_vm.c): the
 * destination `h` is overwritten while still an operand, or a temporary
 * is read before it is written.
 *
 * Reproduce: build/fuzz_diff --src tests/fuzz/findings/02.c
 *   (prints both results; exits 1 while they differ)
 */
unsigned long long kp_main(void)
{
    long long h = 5;
    long long a = 1;
    h = h * 31 + (a + 2);
    return h;
}

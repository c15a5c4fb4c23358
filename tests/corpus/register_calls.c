/* expect-exit: 0 */
/* expect-stdout:
547
507
537
45213.0
-272892351247
79999999965.0000
286.5000
6997
154
-198
7024
*/
#include <stdio.h>

/* Direct calls whose arguments travel in registers (the JIT's register
 * entries): permutations that make the argument registers a cycle,
 * constants of every kind, values kept across calls and spilled ones,
 * floats beside integers, and prototypes one past the registers. */

static long rot(long a, long b, long c, int d, int e, int f)
{
    return a * 1 + b * 3 + c * 9 + d * 27L + e * 81L + f * 243L;
}

static long perm(int n, long a, long b, long c, int d, int e)
{
    if (n <= 0)
        return rot(a, b, c, d, e, n);
    /* every argument moves to another position: cycles */
    return perm(n - 1, b, c, a, e, d) + n;
}

static long cyc(int n, long a, long b, long c, int d, int e)
{
    if (n <= 0)
        return rot(a, b, c, d, e, n);
    /* nothing is needed after the call: the arguments stay in the
     * argument registers, and their permutation is a cycle */
    return cyc(n - 1, b, c, a, e, d);
}

static double fcyc(int n, double a, double b, double c, float d, float e)
{
    if (n <= 0)
        return a + b * 10 + c * 100 + d * 1000 + e * 10000;
    return fcyc(n - 1, c, a, b, e, d);
}

static double fmix(float a, double b, float c, double d, float e, double f, float g, double h)
{
    return a + 2 * b + 4 * c + 8 * d + 16 * e + 32 * f + 64 * g + 128 * h;
}

static double fswap(int n, double a, float b, double c)
{
    if (n == 0)
        return a * 100 + b * 10 + c;
    return fswap(n - 1, c, (float)a, b);
}

static long seven(int a, int b, int c, int d, int e, int f, int g)
{
    return a - b + c - d + e - f + g * 1000;
}

static long mixed(int a, double b, char *p, float c, long d, unsigned e)
{
    return a + (long)(b * 10) + (p ? *p : 0) + (long)(c * 100) + d + e;
}

static long keep(long a, long b, long c, long d, long e, long f)
{
    /* values live across calls, and more of them than registers */
    long x = rot(a, b, c, (int)d, (int)e, (int)f);
    long y = rot(f, e, d, (int)c, (int)b, (int)a);
    long z = rot(x & 7, y & 7, a, (int)b, (int)c, (int)d);
    return x + y * 2 + z * 3 + a + b + c + d + e + f;
}

int main(void)
{
    char ch = 'k';
    printf("%ld\n", perm(0, 1, 2, 3, 4, 5));
    printf("%ld\n", perm(7, 1, 2, 3, 4, 5));
    printf("%ld\n", cyc(8, 1, 2, 3, 4, 5));
    printf("%.1f\n", fcyc(7, 1, 2, 3, 4, 5));
    printf("%ld\n", rot(-1, -2000000000L, 9000000000L, -7, 0x7fffffff, -2147483647 - 1));
    printf("%.4f\n", fmix(1.5f, -2.25, 0.0f, 1e10, -0.5f, 3.0, 0.125f, -1.0));
    printf("%.4f\n", fswap(5, 1.5, 2.5f, 3.5));
    printf("%ld\n", seven(1, 2, 3, 4, 5, 6, 7));
    printf("%ld\n", mixed(-3, 2.5, &ch, 0.25f, -4000000000L, 4000000000u));
    printf("%ld\n", mixed(7, -1.0, 0, -2.0f, 5, 0));
    printf("%ld\n", keep(1, 2, 3, 4, 5, 6));
    return 0;
}

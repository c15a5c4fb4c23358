/* expect-trap: KP_TRAP_STACK */
/* Unbounded recursion with many (register) arguments and doubles. */
long deep(long a, long b, long c, long d, double e, double f, int g, int h)
{
    return deep(b, c, d, a + 1, f, e + 1.0, h, g + 1) + a;
}
int main(void) { return (int)deep(1, 2, 3, 4, 5.0, 6.0, 7, 8); }

/* expect-trap: KP_TRAP_DIV */
/* The divisor reaches zero only after many iterations of a hot loop (after
 * an engine has had every chance to specialise the division). */
int main(void)
{
    int s = 0;
    for (int d = 100000; d >= 0; d--)
        s += 1000000 / d;
    return s;
}

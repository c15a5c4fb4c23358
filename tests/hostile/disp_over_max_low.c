/* expect-trap: KP_TRAP_MEMORY */
/* Negative constant offsets a little beyond the folding bound, from a low
 * valid pointer: wrap (index arithmetic) or not (displacement), the
 * address is outside valid memory. */
int main(void)
{
    volatile unsigned lo = 4096;
    int *p = (int *)lo;
    return p[-(1 << 18) - 3];
}

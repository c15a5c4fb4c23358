/* expect-trap: KP_TRAP_MEMORY */
/* A large negative constant index (-1 MiB in bytes) from pointer 0 reaches
 * below the reservation's start by the most an engine may fold: the guard
 * below the segment catches it. */
int main(void)
{
    volatile unsigned zero = 0;
    int *p = (int *)zero;
    return p[-(1 << 18)];
}

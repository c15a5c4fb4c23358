/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* A floating-point load straddling the end of memory. */
int main(void)
{
    volatile double *p = (double *)((4u << 20) - 4);
    return (int)*p;
}

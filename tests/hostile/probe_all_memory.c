/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* Read every page of memory, from the first valid one upward, summing:
 * the walk ends with a trap at the memory size, never in another
 * runtime's memory or the host's. */
int main(void)
{
    unsigned s = 0;
    for (volatile unsigned char *p = (unsigned char *)4096;; p += 4096)
        s += *p;
    return (int)s;
}

/* expect-trap: KP_TRAP_MEMORY */
/* p + 0xFFFFFFF0 from a pointer near the bottom of valid memory wraps into
 * the NULL page. */
int main(void)
{
    char *p = (char *)4100;
    volatile unsigned off = 0xFFFFFFF0u;
    return *(p + off);
}

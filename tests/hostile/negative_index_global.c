/* expect-trap: KP_TRAP_MEMORY */
/* A large negative index on a global array lands below page 1 (or wraps
 * far above the memory size): either way outside valid memory. */
static int table[8];
int main(void)
{
    volatile int i = -0x1000000; /* -64 MiB in bytes */
    table[i] = 5;
    return 0;
}

/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* An 8-byte store whose first 7 bytes are valid and whose last is not. */
int main(void)
{
    volatile long *p = (long *)((4u << 20) - 7);
    *p = 0x4141414141414141L;
    return 0;
}

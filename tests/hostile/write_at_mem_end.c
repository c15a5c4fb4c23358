/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* A one-byte write at exactly the memory size (the first invalid byte). */
int main(void)
{
    volatile char *p = (char *)(4u << 20);
    *p = 1;
    return 0;
}

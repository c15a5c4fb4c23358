/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* A 4-byte access whose first byte is the last valid one. */
int main(void)
{
    char *p = (char *)(4u * 1024 * 1024 - 2);
    return *(int *)p;
}

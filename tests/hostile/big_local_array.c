/* expect-trap: KP_TRAP_STACK|KP_TRAP_MEMORY */
/* A frame larger than the whole plugin stack. */
int main(void)
{
    char big[16 * 1024 * 1024];
    big[0] = 1;
    big[sizeof big - 1] = 2;
    return big[0] + big[sizeof big - 1];
}

/* expect-trap: KP_TRAP_MEMORY */
/* A read (not a write) through a forged pointer far above the memory size. */
int main(void)
{
    volatile int *p = (int *)0xC0000000u;
    return *p;
}

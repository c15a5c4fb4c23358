/* expect-trap: KP_TRAP_MEMORY */
int main(void)
{
    unsigned *p = (unsigned *)0xFFFFFFF0u;
    *p = 0xdeadbeef;
    return 0;
}

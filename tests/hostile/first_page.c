/* expect-trap: KP_TRAP_MEMORY */
/* The whole first page is invalid, not just address 0. */
int main(void)
{
    volatile char *p = (char *)4095;
    return *p;
}

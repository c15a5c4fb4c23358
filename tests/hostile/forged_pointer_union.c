/* expect-trap: KP_TRAP_MEMORY */
/* A pointer forged through a union and stored in memory, then used. */
union pun { int *p; unsigned u; };
int main(void)
{
    union pun x;
    x.u = 0xFFFF0000u;
    *x.p = 1;
    return 0;
}

/* expect-trap: KP_TRAP_DIV */
int main(void)
{
    volatile int zero = 0;
    return 10 / zero;
}

/* expect-trap: KP_TRAP_DIV */
/* Unsigned 64-bit division by zero, in a compound assignment. */
int main(void)
{
    unsigned long x = 1000;
    volatile unsigned long z = 0;
    x /= z;
    return (int)x;
}

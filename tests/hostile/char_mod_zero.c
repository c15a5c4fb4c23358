/* expect-trap: KP_TRAP_DIV */
/* Narrow operands are promoted: char % char with a zero divisor traps. */
int main(void)
{
    volatile char a = 5, b = 0;
    return a % b;
}

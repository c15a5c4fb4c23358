/* expect-trap: KP_TRAP_DIV */
long divide(long a, long b) { return a / b; }
int main(void)
{
    return (int)divide(1L << 40, 0);
}

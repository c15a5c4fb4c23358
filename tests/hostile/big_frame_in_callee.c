/* expect-trap: KP_TRAP_STACK|KP_TRAP_MEMORY */
/* A frame larger than the 1 MiB plugin stack, reached only after some
 * ordinary calls have already used the stack. */
static int small(int n) { char b[256]; b[n & 255] = 1; return b[n & 255]; }
static int big(int n)
{
    char huge[2 * 1024 * 1024];
    huge[n] = 3;
    return huge[n];
}
int main(void)
{
    int s = 0;
    for (int i = 0; i < 100; i++)
        s += small(i);
    return s + big(5);
}

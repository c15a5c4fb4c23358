/* expect-exit: 42 */
/* The exit status is the entry's result modulo 256. */
int helper(int x) { return x * 2; }

int main(void)
{
    return helper(21) + 256;
}

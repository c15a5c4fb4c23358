/* expect-exit: 21 */
/* Safe outcome: a callee writes 3000 bytes into a 16-byte local array.
 * Return addresses live on the native stack, not in plugin memory, so
 * control flow is unaffected: every call returns to its caller and the
 * result (computed in registers) is exact. The caller's padding array
 * absorbs the overflow, whichever way the plugin stack grows. */
static int smash(int n, int fill)
{
    char buf[16];
    for (int i = 0; i < n; i++)
        buf[i] = (char)fill;
    return 7;
}
static int middle(int k)
{
    char pad[8192];
    pad[0] = (char)k;
    int r = smash(3000, 0x41 + k);
    return r + (pad[0] & 0);
}
int main(void)
{
    char pad[8192];
    int total = 0;
    pad[0] = 0;
    for (int k = 0; k < 3; k++)
        total += middle(k);
    return total + (pad[0] & 0);
}

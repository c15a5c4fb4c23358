/* Unbounded recursion: stopped at the plugin stack or depth limit. */
/* expect-status: 500 */
/* expect-body: KP_TRAP_STACK */
static int down(int n)
{
    volatile char pad[256];
    pad[n & 255] = (char)n;
    return down(n + 1) + pad[0];
}
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return down(0);
}

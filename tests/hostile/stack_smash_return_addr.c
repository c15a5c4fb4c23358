/* expect-exit: 99 */
/* Safe outcome: overwrite everything below and above a local array with
 * values that look like code addresses and function handles (the
 * plugin's own handles, host-looking 64-bit addresses). Nothing in plugin
 * memory steers control flow, so both calls return normally. */
static int target(void) { return 1000; }
static int victim(void)
{
    long words[4];
    long forged = (long)(unsigned)target | 0x00007f0000000000L;
    for (int i = -64; i < 600; i++)
        words[i] = forged + i;
    return 33;
}
int main(void)
{
    char pad[16384];
    pad[0] = 1;
    int r = victim() + victim() + victim();
    return r + (pad[0] & 0);
}

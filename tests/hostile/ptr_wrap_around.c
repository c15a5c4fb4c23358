/* expect-exit: 17 */
/* Safe outcome: p + 0xFFFFFFF0 wraps to p - 16 (pointers are 32-bit), so
 * a write there stays inside the plugin's own buffer. */
int main(void)
{
    char buf[64];
    for (int i = 0; i < 64; i++)
        buf[i] = 0;
    char *p = buf + 32;
    volatile unsigned off = 0xFFFFFFF0u;
    *(p + off) = 17;
    return buf[16];
}

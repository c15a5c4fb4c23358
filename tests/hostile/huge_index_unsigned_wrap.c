/* expect-exit: 42 */
/* Safe outcome: pointer arithmetic wraps modulo 2^32, so a[0xFFFFFFFFu] on an
 * int array is a[-1] — the plugin's own memory, the previous member. */
struct s { int before; int a[4]; };
int main(void)
{
    struct s v = { 42, { 1, 2, 3, 4 } };
    volatile unsigned i = 0xFFFFFFFFu;
    return v.a[i];
}

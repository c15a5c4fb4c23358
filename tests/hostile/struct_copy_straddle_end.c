/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* A 64-byte struct assignment whose destination starts 32 bytes before the
 * end of memory (engines may copy structs in bulk: the whole range counts). */
struct blob { long w[8]; };
int main(void)
{
    struct blob src = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
    struct blob *dst = (struct blob *)((4u << 20) - 32);
    *dst = src;
    return 0;
}

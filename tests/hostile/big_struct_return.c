/* expect-trap: KP_TRAP_STACK|KP_TRAP_MEMORY */
/* Returning a 2 MiB struct by value: the caller's result space alone is
 * bigger than the plugin stack. */
struct big { char d[2 * 1024 * 1024]; };
static struct big make(int x)
{
    struct big b;
    b.d[0] = (char)x;
    return b;
}
int main(void)
{
    struct big r = make(4);
    return r.d[0];
}

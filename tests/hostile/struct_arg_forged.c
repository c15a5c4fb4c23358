/* expect-trap: KP_TRAP_MEMORY */
/* A struct passed by value from a forged pointer: the caller's copy reads
 * outside memory and traps before the callee runs. */
struct big { int v[64]; };
static int first(struct big b) { return b.v[0]; }
int main(void)
{
    struct big *p = (struct big *)0xFFFFFF80u;
    return first(*p);
}

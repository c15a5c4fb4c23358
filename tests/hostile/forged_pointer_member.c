/* expect-trap: KP_TRAP_MEMORY */
/* A forged struct pointer: the member offset pushes the access past 4 GiB
 * minus a little, which must trap, not wrap into the host. */
struct rec { int pad[1000]; int field; };
int main(void)
{
    struct rec *r = (struct rec *)0xFFFFF000u;
    return r->field;
}

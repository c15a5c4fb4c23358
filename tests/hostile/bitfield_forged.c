/* expect-trap: KP_TRAP_MEMORY */
/* A bit-field store (a read-modify-write) through a forged pointer. */
struct flags { unsigned a : 3, b : 7, c : 22; };
int main(void)
{
    struct flags *f = (struct flags *)0x0FF0u;
    f->b = 100;
    return 0;
}

/* expect-trap: KP_TRAP_MEMORY */
/* A member access does not wrap: ir.h defines a load at pointer p with a
 * constant member offset d as touching the *unwrapped* sum p + d. Here
 * p + d = 2^32 + (an address of valid memory), which must trap on every
 * engine rather than alias the plugin's own global (or anything else). */
struct rec { char pad[0x2000]; int field; };
int main(void)
{
    static int g = 5;
    struct rec *r = (struct rec *)(0xFFFFF000u + (unsigned)(unsigned long)&g - 0x1000u);
    return r->field;
}

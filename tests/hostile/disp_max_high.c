/* expect-trap: KP_TRAP_MEMORY */
/* The largest constant offsets an engine may fold into an address, from
 * the highest pointer: 0xFFFFFFFF + ~1 MiB lands in the guard above the
 * 4 GiB reservation, never in the host. Offsets just above the folding
 * bound are tried too. */
struct far { char pad[(1 << 20) - 8]; int near_max; char more[64]; int over; };
int main(void)
{
    volatile unsigned top = 0xFFFFFFFFu;
    struct far *p = (struct far *)top;
    return p->near_max + p->over;
}

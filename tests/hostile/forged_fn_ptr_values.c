/* expect-trap: KP_TRAP_BAD_CALL */
/* Forged function pointers of many kinds, called with a prototype nothing
 * in the namespace has: small integers (which may be real handles: then
 * the prototype check refuses the call), -1, 0x80000000, huge values. The
 * first call must trap; none may run foreign code. */
typedef long (*weird)(long, double, long, double, int, int, int);
int main(void)
{
    static const unsigned vals[] = { 1, 2, 3, 4, 5, 0xFFFFFFFFu, 0x80000000u,
                                     0x7FFFFFFFu, 0x10000u, 4096 };
    long s = 0;
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        weird f = (weird)vals[i];
        s += f(1, 2.0, 3, 4.0, 5, 6, 7);
    }
    return (int)s;
}

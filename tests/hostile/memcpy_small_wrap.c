/* expect-trap: KP_TRAP_MEMORY */
/* An 8-byte memcpy (expanded inline by the JIT) from a source that wraps
 * around 2^32 back into the first page: refused as a whole. */
#include <string.h>
int main(void)
{
    long k;
    memcpy(&k, (void *)0xFFFFFFFCu, sizeof k);
    return (int)k;
}

/* expect-trap: KP_TRAP_MEMORY */
/* A destination range that wraps around 2^32 back into valid memory:
 * [0xFFFFFF00, 0xFFFFFF00 + 0x2000) must be refused as a whole. */
#include <string.h>
int main(void)
{
    static char src[0x2000];
    memcpy((void *)0xFFFFFF00u, src, sizeof src);
    return 0;
}

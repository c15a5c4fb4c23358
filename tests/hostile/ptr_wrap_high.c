/* expect-trap: KP_TRAP_MEMORY */
/* Moving a valid heap pointer up by 0x7FFFFFF0 overshoots the memory
 * size long before it wraps: the access traps. */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(16);
    volatile unsigned step = 0x7FFFFFF0u;
    p += step;
    return *p;
}

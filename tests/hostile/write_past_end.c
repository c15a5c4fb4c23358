/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* Scribble upward from a heap block until the end of plugin memory. */
#include <stdlib.h>
int main(void)
{
    unsigned *p = malloc(16);
    for (;;)
        *p++ = 0x41414141u;
    return 0;
}

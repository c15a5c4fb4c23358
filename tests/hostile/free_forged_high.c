/* expect-trap: KP_TRAP_MEMORY */
/* free() of a forged pointer outside the runtime's memory. */
#include <stdlib.h>
int main(void)
{
    free((void *)0xFFFFFFF0u);
    return 0;
}

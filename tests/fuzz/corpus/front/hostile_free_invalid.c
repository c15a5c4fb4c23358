/* expect-trap: KP_TRAP_MEMORY */
/* free() of something that is not a live heap block traps. */
#include <stdlib.h>
int main(void)
{
    static int not_heap[16];
    free(not_heap);
    return 0;
}

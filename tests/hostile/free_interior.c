/* expect-trap: KP_TRAP_MEMORY */
/* free() of a pointer into the middle of a live block. */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(64);
    free(p + 16);
    return 0;
}

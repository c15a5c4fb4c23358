/* expect-trap: KP_TRAP_MEMORY */
/* realloc() of a block that was already freed. */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(64);
    free(p);
    p = realloc(p, 128);
    return p != 0;
}

/* expect-trap: KP_TRAP_MEMORY */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(32);
    free(p);
    free(p);
    return 0;
}

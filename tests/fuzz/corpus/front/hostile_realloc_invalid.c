/* expect-trap: KP_TRAP_MEMORY */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(32);
    p = realloc(p + 8, 64);
    return p != 0;
}

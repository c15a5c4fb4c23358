/* expect-trap: KP_TRAP_MEMORY */
#include <stdlib.h>
#include <string.h>
int main(void)
{
    char *p = malloc(64);
    memset(p, 0, 0x7fffffff);
    return 0;
}

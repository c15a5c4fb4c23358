/* expect-trap: KP_TRAP_MEMORY */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(16);
    p[0x7ffffff0] = 1;
    return 0;
}

/* expect-trap: KP_TRAP_MEMORY */
/* memmove of overlapping ranges with a huge length. */
#include <stdlib.h>
#include <string.h>
int main(void)
{
    char *a = malloc(256);
    memmove(a + 1, a, 0x80000000u);
    return 0;
}

/* expect-trap: KP_TRAP_MEMORY */
/* memcpy between valid buffers with a length of almost 4 GiB. */
#include <stdlib.h>
#include <string.h>
int main(void)
{
    char *a = malloc(64), *b = malloc(64);
    memcpy(a, b, 0xFFFFFFF0u);
    return a[0];
}

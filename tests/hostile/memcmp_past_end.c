/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* memcmp of two equal ranges running past the end of memory: the equal
 * prefix forces the comparison to the invalid byte. */
#include <string.h>
int main(void)
{
    char *end = (char *)(4u << 20);
    memset(end - 32, 'x', 32);
    return memcmp(end - 32, end - 32, 64);
}

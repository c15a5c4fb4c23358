/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* strchr searching for a byte that is not there, in an unterminated string
 * at the end of memory. */
#include <string.h>
int main(void)
{
    char *s = (char *)(4u << 20) - 16;
    memset(s, 'A', 16);
    return strchr(s, 'Z') != 0;
}

/* expect-trap: KP_TRAP_MEMORY */
/* A 16-byte memset (expanded inline by the JIT) whose range starts in the
 * first page and ends in the second: refused as a whole. */
#include <string.h>
int main(void)
{
    memset((void *)4088, 0, 16);
    return 0;
}

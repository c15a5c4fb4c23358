/* expect-trap: KP_TRAP_BUILTIN|KP_TRAP_MEMORY */
/* mem: 4 */
/* create() with a valid name and a source string that runs off the end of
 * memory without a terminator. */
#include <kplug.h>
#include <string.h>
int main(void)
{
    char *src = (char *)(4u << 20) - 32;
    memset(src, ' ', 32);
    return create("leak", src);
}

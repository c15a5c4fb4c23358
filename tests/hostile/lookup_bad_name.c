/* expect-trap: KP_TRAP_BUILTIN|KP_TRAP_MEMORY */
/* lookup() with a name pointer in the NULL page. */
#include <kplug.h>
int main(void)
{
    return lookup((const char *)16) != 0;
}

/* expect-trap: KP_TRAP_UNLINKED */
/* Deleting the default built-in `lookup`, then calling it. */
#include <kplug.h>
int main(void)
{
    delete("lookup");
    return lookup("main") != 0;
}

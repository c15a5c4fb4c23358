/* expect-trap: KP_TRAP_UNLINKED */
/* A plugin deletes a built-in of its runtime, then calls it. */
#include <kplug.h>
#include <stdio.h>
int main(void)
{
    if (delete("puts") != 0)
        return 1;
    return puts("gone");
}

/* expect-trap: KP_TRAP_BUILTIN */
/* printf's %n would write through a plugin-supplied pointer: the built-in
 * refuses it (here with a forged pointer into the host's reach). */
#include <stdio.h>
int main(void)
{
    return printf("abc%n\n", (int *)0xFFFFFFF0u);
}

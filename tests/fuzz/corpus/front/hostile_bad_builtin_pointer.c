/* expect-trap: KP_TRAP_BUILTIN|KP_TRAP_MEMORY */
/* A forged pointer handed to a default built-in is caught by its checks. */
#include <kplug.h>
int main(void)
{
    return create((const char *)0xFFFFFF00u, "int f(void) { return 1; }");
}

/* expect-trap: KP_TRAP_UNLINKED */
/* A handle to a name that a newer version of its plugin no longer exports. */
#include <kplug.h>
int main(void)
{
    if (create("lib", "int old_api(void) { return 1; }") != 0)
        return 1;
    int (*f)(void) = (int (*)(void))lookup("old_api");
    delete("lib");
    if (create("lib", "int new_api(void) { return 2; }") != 0)
        return 2;
    return f();
}

/* expect-trap: KP_TRAP_UNLINKED */
/* A plugin created at run time imports a name nobody defines. */
#include <kplug.h>
int main(void)
{
    if (create("child", "int missing_dep(int); int go(int x) { return missing_dep(x); }") != 0)
        return 1;
    int (*go)(int) = (int (*)(int))lookup("go");
    return go(3);
}

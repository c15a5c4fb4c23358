/* expect-trap: KP_TRAP_DIV */
/* A trap in a plugin created at run time unwinds through its caller. */
#include <kplug.h>
int main(void)
{
    if (create("child", "int crash(int x) { return 100 / x; }") != 0)
        return 1;
    int (*crash)(int) = (int (*)(int))lookup("crash");
    return crash(0);
}

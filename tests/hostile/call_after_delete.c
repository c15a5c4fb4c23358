/* expect-trap: KP_TRAP_UNLINKED */
#include <kplug.h>
int main(void)
{
    if (create("victim", "int victim_fn(void) { return 7; }") != 0)
        return 1;
    int (*f)(void) = (int (*)(void))lookup("victim_fn");
    if (!f || f() != 7)
        return 2;
    delete("victim");
    return f();
}

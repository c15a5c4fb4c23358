/* expect-trap: KP_TRAP_BAD_CALL */
/* lookup() of a never-defined name returns 0; calling the NULL function
 * pointer traps. */
#include <kplug.h>
int main(void)
{
    int (*f)(void) = (int (*)(void))lookup("no_such_function_anywhere");
    if (f != 0)
        return 1;
    return f();
}

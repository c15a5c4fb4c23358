/* expect-trap: KP_TRAP_BAD_CALL */
/* The handle of a built-in (create: int(const char *, const char *))
 * called with a prototype of another shape. */
#include <kplug.h>
int main(void)
{
    double (*f)(double) = (double (*)(double))lookup("create");
    if (!f)
        return 1;
    return (int)f(1.5);
}

/* expect-exit: 0 */
/* Safe outcome: a plugin cannot take over a built-in's name, or export a
 * name that is already linked: create() reports an error, nothing changes. */
#include <kplug.h>
#include <stdio.h>
int main(void)
{
    if (create("printf", "int x(void) { return 1; }") >= 0)
        return 1;
    if (create("evil", "int puts(const char *s) { return 99; }") >= 0)
        return 2;
    if (create("evil2", "int lookup(int x) { return 99; }") >= 0)
        return 3;
    return puts("still the host's puts") == 99;
}
/* expect-stdout:
still the host's puts
*/

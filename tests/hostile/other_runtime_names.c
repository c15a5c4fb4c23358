/* expect-exit: 0 */
/* Safe outcome: names that exist only in *another* runtime (the isolation
 * test's victim plugin: victim_secret, victim_get, victim) cannot be
 * looked up, deleted or replaced from here: lookup gives 0, delete fails,
 * and creating a plugin that exports the same names succeeds (a separate
 * namespace), so calling through it runs this runtime's code. */
#include <kplug.h>
int main(void)
{
    if (lookup("victim_secret") || lookup("victim_get") || lookup("victim"))
        return 1;
    if (delete("victim") == 0 || delete("victim_get") == 0)
        return 2;
    if (create("victim", "int victim_get(void) { return -5; }") != 0)
        return 3;
    int (*g)(void) = (int (*)(void))lookup("victim_get");
    if (!g || g() != -5)
        return 4;
    return delete("victim");
}

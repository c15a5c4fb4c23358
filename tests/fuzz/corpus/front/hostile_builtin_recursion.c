/* expect-trap: KP_TRAP_STACK */
/* Recursion through the namespace (lookup + call) is bounded too. */
#include <kplug.h>
int again(int n)
{
    int (*self)(int) = (int (*)(int))lookup("again");
    return self(n + 1) + 1;
}
int main(void) { return again(0); }

/* expect-trap: KP_TRAP_BUILTIN */
#include <stdio.h>
int main(void)
{
    return printf((const char *)0xFFFFFFF0u);
}

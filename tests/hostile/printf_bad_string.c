/* expect-trap: KP_TRAP_BUILTIN */
#include <stdio.h>
int main(void)
{
    printf("%s\n", (const char *)12);
    return 0;
}

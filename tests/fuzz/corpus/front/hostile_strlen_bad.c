/* expect-trap: KP_TRAP_MEMORY */
#include <string.h>
int main(void)
{
    return (int)strlen((const char *)0xFFFFFF00u);
}

/* expect-trap: KP_TRAP_BUILTIN */
#include <stdlib.h>
int main(void)
{
    abort();
    return 0;
}

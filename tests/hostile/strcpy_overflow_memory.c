/* expect-trap: KP_TRAP_MEMORY */
#include <string.h>
int main(void)
{
    return strcmp("abc", (const char *)8);
}

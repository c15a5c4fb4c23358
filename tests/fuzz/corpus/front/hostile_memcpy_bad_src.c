/* expect-trap: KP_TRAP_MEMORY */
#include <string.h>
int main(void)
{
    char buf[64];
    memcpy(buf, (const void *)16, sizeof buf);
    return buf[0];
}

/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* strcpy whose destination is 8 bytes before the end of memory. */
#include <string.h>
int main(void)
{
    char *dst = (char *)(4u << 20) - 8;
    strcpy(dst, "this string is longer than eight bytes");
    return 0;
}

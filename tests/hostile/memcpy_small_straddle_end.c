/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* A 16-byte memcpy (expanded inline by the JIT) whose destination starts
 * 8 bytes before the end of memory: the whole range is refused and nothing
 * is written, on every engine. */
#include <string.h>
int main(void)
{
    char src[16] = "0123456789abcdef";
    memcpy((void *)((4u << 20) - 8), src, sizeof src);
    return 0;
}

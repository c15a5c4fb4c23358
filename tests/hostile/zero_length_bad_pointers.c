/* expect-exit: 0 */
/* Safe outcome: zero-length memcpy/memset/memcmp touch nothing, so even
 * invalid pointers are fine (no trap, no access). */
#include <string.h>
int main(void)
{
    memcpy((void *)0xFFFFFFF0u, (void *)8, 0);
    memset((void *)0xFFFFFFF0u, 0, 0);
    return memcmp((void *)0, (void *)0, 0);
}

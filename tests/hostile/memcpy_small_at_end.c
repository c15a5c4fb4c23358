/* expect-exit: 42 */
/* mem: 4 */
/* Small memcpy/memset ranges that end exactly at the end of memory are
 * valid (safe outcome): the last 16 bytes are written and read back. */
#include <string.h>
int main(void)
{
    char *end = (char *)(4u << 20);
    long v = 0x2a2a2a2a2a2a2a2aL, w = 0;
    memset(end - 16, 0x2a, 16);
    memcpy(&w, end - 8, 8);
    memcpy(end - 4, &v, 4);
    memcpy(end - 1, "x", 1);
    return w == v && end[-1] == 'x' && end[-2] == 42 ? 42 : 1;
}

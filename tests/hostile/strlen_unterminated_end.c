/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* strlen of a string that fills the last bytes of memory with no NUL. */
#include <string.h>
int main(void)
{
    char *s = (char *)(4u << 20) - 64;
    memset(s, 'A', 64);
    return (int)strlen(s);
}

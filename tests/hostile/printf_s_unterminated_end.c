/* expect-trap: KP_TRAP_BUILTIN|KP_TRAP_MEMORY */
/* mem: 4 */
/* printf("%s") of an unterminated string at the end of memory. */
#include <stdio.h>
#include <string.h>
int main(void)
{
    char *s = (char *)(4u << 20) - 16;
    memset(s, 'B', 16);
    return printf("[%s]\n", s);
}

/* expect-trap: KP_TRAP_BUILTIN|KP_TRAP_MEMORY */
/* mem: 4 */
/* A host built-in (puts) handed an unterminated string at the end of memory. */
#include <stdio.h>
#include <string.h>
int main(void)
{
    char *s = (char *)(4u << 20) - 16;
    memset(s, 'A', 16);
    return puts(s);
}

/* expect-trap: KP_TRAP_MEMORY */
/* mem: 4 */
/* A runtime-library write that runs one byte past the end of memory. */
#include <string.h>
int main(void)
{
    memset((void *)((4u << 20) - 100), 0x41, 101);
    return 0;
}

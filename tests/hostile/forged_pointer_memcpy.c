/* expect-trap: KP_TRAP_MEMORY */
/* Pointer bytes assembled with memcpy, then dereferenced for writing. */
#include <string.h>
int main(void)
{
    unsigned char bytes[4] = { 0x00, 0x00, 0x00, 0xF0 };
    char *p;
    memcpy(&p, bytes, sizeof p);
    p[3] = 'x';
    return 0;
}

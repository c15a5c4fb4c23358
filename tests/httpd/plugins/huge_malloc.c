/* malloc beyond the client's memory limit returns NULL; using it traps. */
/* expect-status: 500 */
/* expect-body: KP_TRAP_MEMORY */
#include <stdlib.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    unsigned char *big = malloc(1u << 30);
    big[0] = 1;
    return 0;
}

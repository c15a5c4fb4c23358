/* A real buffer with a capacity reaching past the end of the segment. */
/* expect-status: 500 */
/* expect-body: KP_TRAP_BUILTIN */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return query_param("plugin", (char *)out, 0x7fffffff);
}

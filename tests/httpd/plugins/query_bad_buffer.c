/* query_param with a buffer outside plugin memory: the built-in refuses. */
/* expect-status: 500 */
/* expect-body: query_param: buffer */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return query_param("plugin", (char *)0x10, 100);
}

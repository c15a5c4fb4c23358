/* A negative capacity. */
/* expect-status: 500 */
/* expect-body: negative capacity */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    char buf[8];
    return query_param("plugin", buf, -5);
}

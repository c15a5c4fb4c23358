/* request_header with a name pointer that is not a string in plugin memory. */
/* expect-status: 500 */
/* expect-body: request_header: name */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    char buf[8];
    return request_header((const char *)0xfffffff0, buf, 8);
}

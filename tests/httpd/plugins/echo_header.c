/* request_header: the response is the value of the header X-Echo. */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return request_header("X-Echo", (char *)out, out_cap);
}

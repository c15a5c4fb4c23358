/* query_param: the response is the value of ?msg=, and it is logged. */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int n = query_param("msg", (char *)out, out_cap);
    if (n >= 0)
        log_msg((const char *)out);
    return n < 0 ? 0 : n;
}

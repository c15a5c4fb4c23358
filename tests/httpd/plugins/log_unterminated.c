/* log_msg on bytes with no NUL within the limit (1024). */
/* expect-status: 500 */
/* expect-body: log_msg: not a string */
#include <kplug.h>
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    for (int i = 0; i < 2000 && i < out_cap; i++)
        out[i] = 'x';
    log_msg((const char *)out);
    return 0;
}

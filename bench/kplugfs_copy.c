/* kplugfs_copy.c — a kplugfs plugin that stores files as they are: the
 * baseline of bench/kplugfs.sh (FUSE, buffering, checks and atomic
 * replacement, without any compression work). */

#include <string.h>

int compress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    if (in_len > out_cap)
        return -1;
    memcpy(out, in, (size_t)in_len);
    return in_len;
}

int decompress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return compress(in, in_len, out, out_cap);
}

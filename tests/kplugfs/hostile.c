/*
 * hostile.c — a compress/decompress pair that misbehaves on demand, for the
 * kplugfs tests. It stores data as is (identity), except when the data
 * begins with a tag:
 *   compress:   C-TRAP (NULL store), C-LOOP (never returns), C-BADLEN
 *               (claims more bytes than out_cap), C-NEG (returns -1),
 *               D-LIE... (fine here; see decompress)
 *   decompress: D-TRAP (division by zero), D-LOOP, D-LIE (returns other
 *               bytes), D-SHORT (one byte too few)
 * and compress_bound(4321) asks for 2 GiB. kplugfs must turn each into EIO
 * for that file and keep the mount and the backing store intact.
 */

static int tagged(const unsigned char *p, int n, const char *tag)
{
    int i = 0;
    for (; tag[i]; i++)
        if (i >= n || p[i] != (unsigned char)tag[i])
            return 0;
    return 1;
}

int compress_bound(int n)
{
    return n == 4321 ? 0x7fffffff : n;
}

int compress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    if (tagged(in, in_len, "C-TRAP")) {
        unsigned char *volatile p = 0;
        *p = 1;
    }
    if (tagged(in, in_len, "C-LOOP"))
        for (volatile int k = 0;; k++)
            ;
    if (tagged(in, in_len, "C-BADLEN"))
        return out_cap + 1;
    if (tagged(in, in_len, "C-NEG"))
        return -1;
    if (in_len > out_cap)
        return -1;
    for (int i = 0; i < in_len; i++)
        out[i] = in[i];
    return in_len;
}

int decompress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    volatile int zero = 0;
    if (tagged(in, in_len, "D-TRAP"))
        return in_len / zero;
    if (tagged(in, in_len, "D-LOOP"))
        for (;;)
            zero++;
    if (in_len > out_cap)
        return -1;
    for (int i = 0; i < in_len; i++)
        out[i] = in[i];
    if (tagged(in, in_len, "D-LIE"))
        out[in_len - 1] ^= 1;
    if (tagged(in, in_len, "D-SHORT"))
        return in_len - 1;
    return in_len;
}

/*
 * rle.c — a compression plugin in the spirit of the paper's file server:
 * two filters in one plugin.
 *     kplug filter examples/rle.c < file > file.rle
 *     kplug filter examples/rle.c --entry unrle < file.rle > file
 * Format: (count 1..255, byte) pairs.
 */

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int o = 0;
    for (int i = 0; i < in_len;) {
        int run = 1;
        while (i + run < in_len && run < 255 && in[i + run] == in[i])
            run++;
        if (o + 2 > out_cap)
            return -1;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return o;
}

int unrle(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int o = 0;
    if (in_len % 2)
        return -1;
    for (int i = 0; i < in_len; i += 2) {
        int run = in[i];
        if (run == 0 || o + run > out_cap)
            return -1;
        for (int k = 0; k < run; k++)
            out[o++] = in[i + 1];
    }
    return o;
}

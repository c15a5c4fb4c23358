/*
 * delta.c — byte-delta filter plus run-length coding for kplugfs.
 *     kplug filter delta.c --entry compress < file > file.dz
 *     kplug filter delta.c --entry decompress --out-cap SIZE < file.dz > file
 *
 * Each byte is replaced by its difference from the previous byte (mod 256;
 * the first from 0), which turns ramps and slowly varying samples (audio,
 * gradients, counters) into runs of equal bytes; the differences are then
 * run-length coded with the packets of rle.c:
 *   c < 128:   c + 1 literal bytes follow (1..128);
 *   c >= 128:  one byte follows, repeated c - 125 times (3..130).
 * The transform runs on the fly: no buffer beyond the output.
 * Reentrant: all state is in locals.
 */

int compress_bound(int n)
{
    return n + (n + 127) / 128;
}

static unsigned char delta_at(const unsigned char *in, int i)
{
    return (unsigned char)(in[i] - (i ? in[i - 1] : 0));
}

int compress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int o = 0, i = 0, lit = 0; /* deltas [lit..i) are pending literals */
    while (i <= in_len) {
        int run = 1;
        if (i < in_len) {
            unsigned char d = delta_at(in, i);
            while (i + run < in_len && run < 130 && delta_at(in, i + run) == d)
                run++;
        }
        while (lit < i && (run >= 3 || i == in_len || i - lit >= 128)) {
            int k = i - lit > 128 ? 128 : i - lit;
            if (o + 1 + k > out_cap)
                return -1;
            out[o++] = (unsigned char)(k - 1);
            for (int j = 0; j < k; j++)
                out[o++] = delta_at(in, lit + j);
            lit += k;
            if (run < 3 && i < in_len)
                break;
        }
        if (i == in_len)
            break;
        if (run >= 3) {
            if (o + 2 > out_cap)
                return -1;
            out[o++] = (unsigned char)(run + 125);
            out[o++] = delta_at(in, i);
            i += run;
            lit = i;
        } else {
            i += run;
        }
    }
    return o;
}

int decompress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int o = 0, i = 0;
    unsigned char prev = 0;
    while (i < in_len) {
        int c = in[i++];
        if (c < 128) {
            int k = c + 1;
            if (k > in_len - i || k > out_cap - o)
                return -1;
            for (int j = 0; j < k; j++) {
                prev = (unsigned char)(prev + in[i++]);
                out[o++] = prev;
            }
        } else {
            int k = c - 125;
            if (i >= in_len || k > out_cap - o)
                return -1;
            unsigned char d = in[i++];
            for (int j = 0; j < k; j++) {
                prev = (unsigned char)(prev + d);
                out[o++] = prev;
            }
        }
    }
    return o;
}

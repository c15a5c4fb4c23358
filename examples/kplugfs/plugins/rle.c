/*
 * rle.c — run-length compression for kplugfs (a compress/decompress pair).
 *     kplug filter rle.c --entry compress < file > file.rle
 *     kplug filter rle.c --entry decompress --out-cap SIZE < file.rle > file
 *
 * Format: a sequence of packets, each a control byte c then data:
 *   c < 128:   c + 1 literal bytes follow (1..128);
 *   c >= 128:  one byte follows, repeated c - 125 times (3..130).
 * Runs shorter than 3 stay literal: a 2-byte repeat packet would not save
 * anything. Worst case (no runs at all) is one control byte per 128 bytes.
 * Reentrant: all state is in locals, so kplugfs may call it from several
 * threads at once.
 */

int compress_bound(int n)
{
    return n + (n + 127) / 128;
}

int compress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int o = 0, i = 0, lit = 0; /* in[lit..i) is the pending literal run */
    while (i <= in_len) {
        int run = 1;
        if (i < in_len)
            while (i + run < in_len && run < 130 && in[i + run] == in[i])
                run++;
        /* Flush the pending literals at a worthwhile run, at the end, or
         * when the literal packet is full. */
        while (lit < i && (run >= 3 || i == in_len || i - lit >= 128)) {
            int k = i - lit > 128 ? 128 : i - lit;
            if (o + 1 + k > out_cap)
                return -1;
            out[o++] = (unsigned char)(k - 1);
            for (int j = 0; j < k; j++)
                out[o++] = in[lit + j];
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
            out[o++] = in[i];
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
    while (i < in_len) {
        int c = in[i++];
        if (c < 128) {
            int k = c + 1;
            if (k > in_len - i || k > out_cap - o)
                return -1;
            for (int j = 0; j < k; j++)
                out[o++] = in[i++];
        } else {
            int k = c - 125;
            if (i >= in_len || k > out_cap - o)
                return -1;
            unsigned char b = in[i++];
            for (int j = 0; j < k; j++)
                out[o++] = b;
        }
    }
    return o;
}

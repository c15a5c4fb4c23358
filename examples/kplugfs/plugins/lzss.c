/*
 * lzss.c — an LZ77-family (LZSS) compressor for kplugfs.
 *     kplug filter lzss.c --entry compress < file > file.lz
 *     kplug filter lzss.c --entry decompress --out-cap SIZE < file.lz > file
 *
 * Format: groups of one flag byte and up to 8 items; flag bit k (least
 * significant first) says whether item k is a literal (0: one byte) or a
 * back-reference (1) to text already decoded:
 *   b0 = (offset - 1) & 0xff
 *   b1 = (offset - 1) >> 8 | (length - 3) << 4      offset 1..4096
 *   when length - 3 is 15 or more, b1's high nibble is 15 and one more
 *   byte holds length - 18                           length 3..273
 * A reference may overlap the bytes it produces (offset < length), which
 * codes long runs of one byte or one pattern cheaply.
 *
 * The compressor finds matches through hash chains over the last 4096
 * positions (at most CHAIN candidates per position): a middle ground
 * between speed and ratio. Worst case output: one flag byte per 8
 * literals. All state lives in locals (32 KiB on the plugin stack), so
 * calls from several threads at once do not interfere.
 */
#define WBITS 12
#define WSIZE (1 << WBITS)
#define HBITS 12
#define HSIZE (1 << HBITS)
#define MINMATCH 3
#define MAXMATCH (18 + 255)
#define CHAIN 32

int compress_bound(int n)
{
    return n + (n + 7) / 8 + 16;
}

static int hash3(const unsigned char *p)
{
    unsigned v = (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
    return (int)((v * 2654435761u) >> (32 - HBITS));
}

int compress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    /* head[h]: latest position whose 3 bytes hash to h; prev[p % WSIZE]:
     * the position before p with the same hash. -1 ends a chain. */
    int head[HSIZE];
    int prev[WSIZE];
    for (int k = 0; k < HSIZE; k++)
        head[k] = -1;
    int o = 0, flagpos = 0, nitems = 8, i = 0;
    while (i < in_len) {
        if (nitems == 8) {
            if (o >= out_cap)
                return -1;
            flagpos = o;
            out[o++] = 0;
            nitems = 0;
        }
        int best = 0, boff = 0;
        if (in_len - i >= MINMATCH) {
            int maxlen = in_len - i < MAXMATCH ? in_len - i : MAXMATCH;
            int cand = head[hash3(in + i)];
            for (int chain = CHAIN; cand >= 0 && i - cand <= WSIZE && chain > 0; chain--) {
                /* The byte that would extend the best match rejects most
                 * candidates at once. */
                if (in[cand + best] == in[i + best]) {
                    int l = 0;
                    while (l < maxlen && in[cand + l] == in[i + l])
                        l++;
                    if (l > best) {
                        best = l;
                        boff = i - cand;
                        if (l == maxlen)
                            break;
                    }
                }
                cand = prev[cand & (WSIZE - 1)];
            }
        }
        int step = 1;
        if (best >= MINMATCH) {
            int need = best - 3 >= 15 ? 3 : 2;
            if (o + need > out_cap)
                return -1;
            out[flagpos] |= (unsigned char)(1 << nitems);
            out[o++] = (unsigned char)((boff - 1) & 0xff);
            if (need == 3) {
                out[o++] = (unsigned char)((boff - 1) >> 8 | 15 << 4);
                out[o++] = (unsigned char)(best - 18);
            } else {
                out[o++] = (unsigned char)((boff - 1) >> 8 | (best - 3) << 4);
            }
            step = best;
        } else {
            if (o >= out_cap)
                return -1;
            out[o++] = in[i];
        }
        nitems++;
        for (int end = i + step; i < end; i++) {
            if (in_len - i >= MINMATCH) {
                int h = hash3(in + i);
                prev[i & (WSIZE - 1)] = head[h];
                head[h] = i;
            }
        }
    }
    return o;
}

int decompress(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int o = 0, i = 0;
    while (i < in_len) {
        int flags = in[i++];
        for (int b = 0; b < 8 && i < in_len; b++) {
            if (!(flags & 1 << b)) {
                if (o >= out_cap)
                    return -1;
                out[o++] = in[i++];
                continue;
            }
            if (in_len - i < 2)
                return -1;
            int b0 = in[i++], b1 = in[i++];
            int off = (b0 | (b1 & 15) << 8) + 1;
            int len = (b1 >> 4) + 3;
            if (len == 18) {
                if (i >= in_len)
                    return -1;
                len += in[i++];
            }
            if (off > o || len > out_cap - o)
                return -1;
            for (int k = 0; k < len; k++, o++)
                out[o] = out[o - off];
        }
    }
    return o;
}

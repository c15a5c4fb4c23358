/* Compressor and decompressor: a byte-oriented LZ77 (hash of 3 bytes, one
 * candidate, literals and matches in tagged runs) over 64 KB of text-like
 * data, compressed then decompressed and checked, n times. */
#include <stdint.h>
#include <string.h>
#define LEN (64 << 10)
static unsigned char src[LEN], comp[LEN + LEN / 64 + 16], dec[LEN];
static int head[4096];
static int compress(const unsigned char *in, int len, unsigned char *out)
{
    int ip = 0, op = 0, lit = 0;
    for (int i = 0; i < 4096; i++)
        head[i] = -1;
    while (ip < len) {
        int best = 0, dist = 0;
        if (ip + 3 <= len) {
            uint32_t h = ((uint32_t)in[ip] << 16 | (uint32_t)in[ip + 1] << 8 | in[ip + 2]) * 2654435761u >> 20;
            int cand = head[h];
            head[h] = ip;
            if (cand >= 0 && ip - cand < 65536) {
                int m = 0;
                while (ip + m < len && m < 130 && in[cand + m] == in[ip + m])
                    m++;
                if (m >= 3) {
                    best = m;
                    dist = ip - cand;
                }
            }
        }
        if (best) {
            if (lit) { /* flush literals: tag 0..127 = count-1 */
                out[op++] = (unsigned char)(lit - 1);
                memcpy(out + op, in + ip - lit, (size_t)lit);
                op += lit;
                lit = 0;
            }
            out[op++] = (unsigned char)(128 + best - 3);
            out[op++] = (unsigned char)(dist & 0xFF);
            out[op++] = (unsigned char)(dist >> 8);
            ip += best;
        } else {
            ip++;
            if (++lit == 128) {
                out[op++] = 127;
                memcpy(out + op, in + ip - lit, 128);
                op += 128;
                lit = 0;
            }
        }
    }
    if (lit) {
        out[op++] = (unsigned char)(lit - 1);
        memcpy(out + op, in + ip - lit, (size_t)lit);
        op += lit;
    }
    return op;
}
static int decompress(const unsigned char *in, int len, unsigned char *out)
{
    int ip = 0, op = 0;
    while (ip < len) {
        int t = in[ip++];
        if (t < 128) {
            for (int k = 0; k <= t; k++)
                out[op++] = in[ip++];
        } else {
            int m = t - 128 + 3, d = in[ip] | in[ip + 1] << 8;
            ip += 2;
            for (int k = 0; k < m; k++, op++)
                out[op] = out[op - d];
        }
    }
    return op;
}
long bench(int n)
{
    static const char *const words[8] = {"plugin ", "kernel ", "runtime ", "segment ",
                                         "the ", "of ", "a ", "call "};
    uint32_t s = 12345;
    int p = 0;
    while (p < LEN) {
        s = s * 1103515245u + 12345u;
        const char *w = words[(s >> 16) & 7];
        if ((s >> 8 & 31) == 0)
            w = "#";
        while (*w && p < LEN)
            src[p++] = (unsigned char)*w++;
    }
    long acc = 0;
    for (int r = 0; r < n; r++) {
        src[r % LEN] ^= 1;
        int c = compress(src, LEN, comp);
        int d = decompress(comp, c, dec);
        if (d != LEN || memcmp(src, dec, LEN) != 0)
            return -1;
        acc += c;
    }
    return acc;
}

/* expect-exit: 0 */
/* expect-stdout:
5902 -> 951 -> 5902, equal 1
300 -> 304 -> 300, equal 1
*/
#include <stdio.h>
#include <string.h>

/* A small LZ77: token byte 0 = literal run (len, bytes...), 1 = match
 * (len, dist lo, dist hi). Window 4095, min match 4, max 255. */
int lz_compress(const unsigned char *in, int n, unsigned char *out)
{
    int o = 0, i = 0, lit_start = 0;
    while (i < n) {
        int best_len = 0, best_dist = 0;
        int start = i > 4095 ? i - 4095 : 0;
        for (int j = start; j < i; j++) {
            int l = 0;
            while (l < 255 && i + l < n && in[j + l] == in[i + l])
                l++;
            if (l > best_len) {
                best_len = l;
                best_dist = i - j;
            }
        }
        if (best_len >= 4) {
            while (lit_start < i) {
                int run = i - lit_start > 255 ? 255 : i - lit_start;
                out[o++] = 0;
                out[o++] = (unsigned char)run;
                memcpy(out + o, in + lit_start, (size_t)run);
                o += run;
                lit_start += run;
            }
            out[o++] = 1;
            out[o++] = (unsigned char)best_len;
            out[o++] = (unsigned char)(best_dist & 0xff);
            out[o++] = (unsigned char)(best_dist >> 8);
            i += best_len;
            lit_start = i;
        } else {
            i++;
        }
    }
    while (lit_start < n) {
        int run = n - lit_start > 255 ? 255 : n - lit_start;
        out[o++] = 0;
        out[o++] = (unsigned char)run;
        memcpy(out + o, in + lit_start, (size_t)run);
        o += run;
        lit_start += run;
    }
    return o;
}

int lz_decompress(const unsigned char *in, int n, unsigned char *out)
{
    int o = 0, i = 0;
    while (i < n) {
        if (in[i] == 0) {
            int run = in[i + 1];
            memcpy(out + o, in + i + 2, (size_t)run);
            o += run;
            i += 2 + run;
        } else {
            int len = in[i + 1];
            int dist = in[i + 2] | in[i + 3] << 8;
            for (int k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
            i += 4;
        }
    }
    return o;
}

int main(void)
{
    static unsigned char text[6000], comp[8000], back[6000];
    const char *phrases[] = { "the plugin ", "runtime ", "compiles ", "C source ", "fast, ", "and safely. " };
    int n = 0;
    unsigned seed = 7;
    while (n < 5900) {
        seed = seed * 1664525u + 1013904223u;
        const char *ph = phrases[(seed >> 24) % 6];
        int l = (int)strlen(ph);
        memcpy(text + n, ph, (size_t)l);
        n += l;
    }
    int c = lz_compress(text, n, comp);
    int d = lz_decompress(comp, c, back);
    printf("%d -> %d -> %d, equal %d\n", n, c, d, d == n && memcmp(text, back, (size_t)n) == 0);
    unsigned char noise[300];
    for (int i = 0; i < 300; i++) {
        seed = seed * 1664525u + 1013904223u;
        noise[i] = (unsigned char)(seed >> 13);
    }
    c = lz_compress(noise, 300, comp);
    d = lz_decompress(comp, c, back);
    printf("%d -> %d -> %d, equal %d\n", 300, c, d, memcmp(noise, back, 300) == 0);
    return 0;
}

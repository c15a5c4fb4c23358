/* expect-exit: 0 */
/* expect-stdout:
88 2000 1
12W1B12W3B24W1B14W
1
*/
#include <stdio.h>
#include <string.h>

/* Byte-oriented RLE: (count, byte) pairs, count 1..255. */
int rle_encode(const unsigned char *in, int n, unsigned char *out)
{
    int o = 0;
    for (int i = 0; i < n;) {
        int run = 1;
        while (i + run < n && in[i + run] == in[i] && run < 255)
            run++;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return o;
}

int rle_decode(const unsigned char *in, int n, unsigned char *out)
{
    int o = 0;
    for (int i = 0; i + 1 < n; i += 2)
        for (int k = 0; k < in[i]; k++)
            out[o++] = in[i + 1];
    return o;
}

int main(void)
{
    static unsigned char src[2000], enc[4000], dec[2000];
    for (int i = 0; i < 2000; i++)
        src[i] = (unsigned char)(i < 700 ? 'a' : i < 705 ? i : (i / 37) % 3 + 'x');
    int e = rle_encode(src, 2000, enc);
    int d = rle_decode(enc, e, dec);
    printf("%d %d %d\n", e, d, memcmp(src, dec, 2000) == 0);
    const char *text = "WWWWWWWWWWWWBWWWWWWWWWWWWBBBWWWWWWWWWWWWWWWWWWWWWWWWBWWWWWWWWWWWWWW";
    int tn = (int)strlen(text);
    e = rle_encode((const unsigned char *)text, tn, enc);
    for (int i = 0; i < e; i += 2)
        printf("%d%c", enc[i], enc[i + 1]);
    printf("\n");
    d = rle_decode(enc, e, dec);
    printf("%d\n", d == tn && memcmp(text, dec, (size_t)tn) == 0);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
[] 1
[Zg==] 1
[Zm8=] 1
[Zm9v] 1
[Zm9vYg==] 1
[Zm9vYmE=] 1
[Zm9vYmFy] 1
[a3BsdWc6IHBsdWdpbnMgaW4gQw==] 1
*/
#include <stdio.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_encode(const unsigned char *in, int n, char *out)
{
    int o = 0;
    for (int i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n) v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

static int val(char c)
{
    const char *p = strchr(alphabet, c);
    return p && c ? (int)(p - alphabet) : -1;
}

int b64_decode(const char *in, unsigned char *out)
{
    int o = 0, n = (int)strlen(in);
    for (int i = 0; i + 3 < n; i += 4) {
        unsigned v = (unsigned)val(in[i]) << 18 | (unsigned)val(in[i + 1]) << 12;
        out[o++] = (unsigned char)(v >> 16);
        if (in[i + 2] != '=') {
            v |= (unsigned)val(in[i + 2]) << 6;
            out[o++] = (unsigned char)(v >> 8);
        }
        if (in[i + 3] != '=') {
            v |= (unsigned)val(in[i + 3]);
            out[o++] = (unsigned char)v;
        }
    }
    return o;
}

int main(void)
{
    const char *tests[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar", "kplug: plugins in C" };
    char enc[64];
    unsigned char dec[64];
    for (int i = 0; i < 8; i++) {
        int n = (int)strlen(tests[i]);
        b64_encode((const unsigned char *)tests[i], n, enc);
        int d = b64_decode(enc, dec);
        printf("[%s] %d\n", enc, d == n && memcmp(dec, tests[i], (size_t)n) == 0);
    }
    return 0;
}

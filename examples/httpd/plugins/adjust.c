/*
 * adjust.c — brightness and contrast of a PPM (P6) or PGM (P5), maxval 255:
 *     v' = clamp((v - 128) * contrast / 100 + 128 + brightness)
 *     GET /files/photo.ppm?plugin=adjust&brightness=20&contrast=150
 *     kplug filter adjust.c < in.ppm > out.ppm     (brightness 30, contrast 120)
 * brightness (-255..255) and contrast (percent, 0..400) come from the
 * server's query_param built-in, found with lookup() so that the plugin
 * also runs without it. Returns the output length, or -1 for a bad image
 * or parameter.
 */
#include <kplug.h>

typedef int (*query_fn)(const char *name, char *buf, int cap);

/* The integer query parameter `name` (an optional '-' and digits),
 * `dflt` when absent; *bad set when it is malformed or outside [lo, hi]. */
static int param(const char *name, int dflt, int lo, int hi, int *bad)
{
    query_fn q = (query_fn)lookup("query_param");
    char buf[16];
    if (!q || q(name, buf, sizeof buf) < 0)
        return dflt;
    int v = 0, i = buf[0] == '-', neg = i;
    if (!buf[i])
        *bad = 1;
    for (; buf[i]; i++) {
        if (buf[i] < '0' || buf[i] > '9' || i > 6) {
            *bad = 1;
            return dflt;
        }
        v = v * 10 + (buf[i] - '0');
    }
    if (neg)
        v = -v;
    if (v < lo || v > hi)
        *bad = 1;
    return v;
}

static int header_number(const unsigned char *in, int len, int *pos)
{
    int v = 0, digits = 0;
    while (*pos < len && (in[*pos] == ' ' || in[*pos] == '\t' || in[*pos] == '\n' ||
                          in[*pos] == '\r' || in[*pos] == '#')) {
        if (in[*pos] == '#')
            while (*pos < len && in[*pos] != '\n')
                (*pos)++;
        else
            (*pos)++;
    }
    while (*pos < len && in[*pos] >= '0' && in[*pos] <= '9' && v < 100000) {
        v = v * 10 + (in[*pos] - '0');
        (*pos)++;
        digits++;
    }
    return digits ? v : -1;
}

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int pos = 2, bad = 0;
    if (in_len < 2 || in[0] != 'P' || (in[1] != '6' && in[1] != '5'))
        return -1;
    int channels = in[1] == '6' ? 3 : 1;
    int w = header_number(in, in_len, &pos), h = header_number(in, in_len, &pos);
    int maxval = header_number(in, in_len, &pos);
    int brightness = param("brightness", 30, -255, 255, &bad);
    int contrast = param("contrast", 120, 0, 400, &bad);
    if (w <= 0 || h <= 0 || maxval != 255 || bad || pos >= in_len)
        return -1;
    pos++;
    if (h > (in_len - pos) / channels / w || in_len > out_cap)
        return -1;
    /* One table for all 256 values: the per-pixel work is a load. */
    unsigned char map[256];
    for (int v = 0; v < 256; v++) {
        int a = (v - 128) * contrast / 100 + 128 + brightness;
        map[v] = (unsigned char)(a < 0 ? 0 : a > 255 ? 255 : a);
    }
    for (int i = 0; i < pos; i++)
        out[i] = in[i];
    int end = pos + w * h * channels;
    for (int i = pos; i < end; i++)
        out[i] = map[in[i]];
    return end;
}

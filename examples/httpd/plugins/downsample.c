/*
 * downsample.c — shrink a 24-bit colour PPM (P6, maxval 255) by an integer
 * factor, each output pixel the average of a factor x factor block.
 *     GET /files/photo.ppm?plugin=downsample&factor=4      (kplug-httpd)
 *     kplug filter downsample.c < in.ppm > out.ppm          (factor 2)
 * The factor (1..64, default 2) comes from the server's query_param
 * built-in when the plugin runs in kplug-httpd; found with lookup(), so
 * the plugin still runs where there is no such built-in.
 * Returns the output length, or -1 for a bad image or factor.
 */
#include <kplug.h>

typedef int (*query_fn)(const char *name, char *buf, int cap);

/* The integer query parameter `name`, `dflt` when absent; -1 when it is
 * not a decimal number in [lo, hi]. */
static int param(const char *name, int dflt, int lo, int hi)
{
    query_fn q = (query_fn)lookup("query_param");
    char buf[16];
    if (!q || q(name, buf, sizeof buf) < 0)
        return dflt;
    int v = 0, i = 0;
    if (!buf[0])
        return -1;
    for (; buf[i]; i++) {
        if (buf[i] < '0' || buf[i] > '9' || i > 6)
            return -1;
        v = v * 10 + (buf[i] - '0');
    }
    return v < lo || v > hi ? -1 : v;
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

static int put_header(unsigned char *out, int w, int h)
{
    int nums[3] = { w, h, 255 }, o = 0;
    out[o++] = 'P';
    out[o++] = '6';
    for (int k = 0; k < 3; k++) {
        char d[8];
        int n = 0, v = nums[k];
        out[o++] = '\n';
        do {
            d[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (n)
            out[o++] = (unsigned char)d[--n];
    }
    out[o++] = '\n';
    return o;
}

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int pos = 2;
    if (in_len < 2 || in[0] != 'P' || in[1] != '6')
        return -1;
    int w = header_number(in, in_len, &pos), h = header_number(in, in_len, &pos);
    int maxval = header_number(in, in_len, &pos);
    int f = param("factor", 2, 1, 64);
    if (w <= 0 || h <= 0 || maxval != 255 || f < 0 || pos >= in_len)
        return -1;
    pos++;
    if (h > (in_len - pos) / 3 / w)
        return -1;
    int ow = w / f > 0 ? w / f : 1, oh = h / f > 0 ? h / f : 1;
    if (ow * oh * 3 + 32 > out_cap)
        return -1;
    const unsigned char *px = in + pos;
    int o = put_header(out, ow, oh);
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
            int sum[3] = { 0, 0, 0 }, n = 0;
            for (int y = oy * f; y < oy * f + f && y < h; y++)
                for (int x = ox * f; x < ox * f + f && x < w; x++) {
                    const unsigned char *p = px + (y * w + x) * 3;
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                    n++;
                }
            for (int c = 0; c < 3; c++)
                out[o++] = (unsigned char)((sum[c] + n / 2) / n);
        }
    return o;
}

/*
 * crop.c — cut a region of interest out of a 24-bit colour PPM (P6,
 * maxval 255).
 *     GET /files/photo.ppm?plugin=crop&x=10&y=20&w=64&h=48   (kplug-httpd)
 *     kplug filter crop.c < in.ppm > out.ppm    (the centre half of the image)
 * x, y, w, h come from the server's query_param built-in (found with
 * lookup(), so the plugin also runs without it); missing ones default to
 * the centre half; the region is clipped to the image.
 * Returns the output length, or -1 for a bad image or an empty region.
 */
#include <kplug.h>

typedef int (*query_fn)(const char *name, char *buf, int cap);

/* The integer query parameter `name`, `dflt` when absent; -1 when it is
 * not a decimal number in [0, 100000]. */
static int param(const char *name, int dflt)
{
    query_fn q = (query_fn)lookup("query_param");
    char buf[16];
    if (!q || q(name, buf, sizeof buf) < 0)
        return dflt;
    int v = 0, i = 0;
    if (!buf[0])
        return -1;
    for (; buf[i]; i++) {
        if (buf[i] < '0' || buf[i] > '9' || i > 5)
            return -1;
        v = v * 10 + (buf[i] - '0');
    }
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

static int put_number(unsigned char *out, int o, int v, unsigned char after)
{
    char d[8];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[o++] = (unsigned char)d[--n];
    out[o++] = after;
    return o;
}

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int pos = 2;
    if (in_len < 2 || in[0] != 'P' || in[1] != '6')
        return -1;
    int w = header_number(in, in_len, &pos), h = header_number(in, in_len, &pos);
    int maxval = header_number(in, in_len, &pos);
    if (w <= 0 || h <= 0 || maxval != 255 || pos >= in_len)
        return -1;
    pos++;
    if (h > (in_len - pos) / 3 / w)
        return -1;
    int x = param("x", w / 4), y = param("y", h / 4);
    int cw = param("w", w / 2 > 0 ? w / 2 : 1), ch = param("h", h / 2 > 0 ? h / 2 : 1);
    if (x < 0 || y < 0 || cw <= 0 || ch <= 0 || x >= w || y >= h)
        return -1;
    if (cw > w - x)
        cw = w - x;
    if (ch > h - y)
        ch = h - y;
    if (cw * ch * 3 + 32 > out_cap)
        return -1;
    int o = 0;
    out[o++] = 'P';
    out[o++] = '6';
    out[o++] = '\n';
    o = put_number(out, o, cw, ' ');
    o = put_number(out, o, ch, '\n');
    o = put_number(out, o, 255, '\n');
    for (int r = 0; r < ch; r++) {
        const unsigned char *src = in + pos + ((y + r) * w + x) * 3;
        for (int k = 0; k < cw * 3; k++)
            out[o++] = src[k];
    }
    return o;
}

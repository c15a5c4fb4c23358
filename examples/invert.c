/*
 * invert.c — a filter that inverts the colours of a P6 PPM image, keeping
 * its header (comments included) byte for byte.
 *     kplug filter examples/invert.c < in.ppm > out.ppm
 */
#include <string.h>

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int pos = 2, fields = 0;
    if (in_len < 2 || in[0] != 'P' || in[1] != '6' || in_len > out_cap)
        return -1;
    /* The header is 3 numbers (width, height, maxval) then one blank. */
    while (fields < 3 && pos < in_len) {
        unsigned char c = in[pos];
        if (c == '#') {
            while (pos < in_len && in[pos] != '\n')
                pos++;
        } else if (c >= '0' && c <= '9') {
            while (pos < in_len && in[pos] >= '0' && in[pos] <= '9')
                pos++;
            fields++;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pos++;
        } else {
            return -1;
        }
    }
    if (fields < 3 || pos >= in_len)
        return -1;
    pos++;
    memcpy(out, in, (size_t)pos);
    for (int i = pos; i < in_len; i++)
        out[i] = (unsigned char)(255 - in[i]);
    return in_len;
}

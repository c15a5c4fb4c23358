/*
 * gray.c — the image-transcoding plugin of "Kernel Plugins: When a VM Is
 * Too Much": convert a 24-bit colour PPM (P6, maxval 255, comments allowed
 * in the header) into an 8-bit grey PGM (P5). A kplug *filter*:
 *     kplug filter examples/gray.c < in.ppm > out.pgm
 * Returns the number of bytes written to out, or -1 for a bad image.
 */

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Read the next header number at *pos, skipping blanks and # comments. */
static int read_number(const unsigned char *in, int len, int *pos)
{
    int v = 0, digits = 0;
    while (*pos < len && (is_space(in[*pos]) || in[*pos] == '#')) {
        if (in[*pos] == '#')
            while (*pos < len && in[*pos] != '\n')
                (*pos)++;
        else
            (*pos)++;
    }
    while (*pos < len && in[*pos] >= '0' && in[*pos] <= '9' && v < 1000000) {
        v = v * 10 + (in[*pos] - '0');
        (*pos)++;
        digits++;
    }
    return digits ? v : -1;
}

static int write_number(unsigned char *out, int o, int v, char after)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[o++] = (unsigned char)digits[--n];
    out[o++] = (unsigned char)after;
    return o;
}

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int pos = 2, o = 0;
    if (in_len < 2 || in[0] != 'P' || in[1] != '6')
        return -1;
    int width = read_number(in, in_len, &pos);
    int height = read_number(in, in_len, &pos);
    int maxval = read_number(in, in_len, &pos);
    if (width <= 0 || height <= 0 || maxval != 255 || pos >= in_len)
        return -1;
    pos++; /* exactly one whitespace byte ends the header */
    if (height > (in_len - pos) / 3 / width || width * height + 32 > out_cap)
        return -1;
    out[o++] = 'P';
    out[o++] = '5';
    out[o++] = '\n';
    o = write_number(out, o, width, ' ');
    o = write_number(out, o, height, '\n');
    o = write_number(out, o, 255, '\n');
    const unsigned char *p = in + pos;
    for (int i = width * height; i > 0; i--, p += 3)
        out[o++] = (unsigned char)((77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8);
    return o;
}

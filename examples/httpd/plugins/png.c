/*
 * png.c — PPM (P6) or PGM (P5), maxval 255, to a compressed PNG that any
 * browser or image viewer opens:
 *     GET /files/photo.ppm?plugin=png            (kplug-httpd)
 *     kplug filter png.c < in.ppm > out.png
 * 8-bit truecolour (from P6) or greyscale (from P5), not interlaced. Each
 * row is stored with PNG's "Sub" filter (the difference to the pixel on
 * the left: gradients become runs of small numbers), and the filtered
 * rows are compressed with deflate (RFC 1951) in one block of the fixed
 * Huffman code, after LZ77 matching over a 32 KiB window with hash
 * chains, inside a zlib stream (RFC 1950). Dynamic Huffman codes would
 * compress better; the fixed code keeps the plugin short.
 * Returns the PNG's length, or -1 for a bad image or too small an output.
 */
#include <stdlib.h>

#define WINDOW 32768
#define HASH_BITS 15
#define MAX_CHAIN 24
#define MIN_MATCH 3
#define MAX_MATCH 258

/* ---- reading the PNM header ---- */

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

/* ---- the bit writer: deflate packs bits from the least significant ---- */

typedef struct bits {
    unsigned char *out;
    int o, cap, overflow;
    unsigned long acc;
    int n;
} bits;

static void put_bits(bits *b, unsigned value, int count)
{
    b->acc |= (unsigned long)value << b->n;
    b->n += count;
    while (b->n >= 8) {
        if (b->o < b->cap)
            b->out[b->o++] = (unsigned char)b->acc;
        else
            b->overflow = 1;
        b->acc >>= 8;
        b->n -= 8;
    }
}

static void flush_bits(bits *b)
{
    if (b->n > 0)
        put_bits(b, 0, 8 - b->n);
}

/* Huffman codes are defined most significant bit first. */
static void put_code(bits *b, unsigned code, int len)
{
    unsigned r = 0;
    for (int i = 0; i < len; i++)
        r |= ((code >> i) & 1) << (len - 1 - i);
    put_bits(b, r, len);
}

/* A literal/length symbol (0..285) in the fixed code of RFC 1951 3.2.6. */
static void put_symbol(bits *b, int sym)
{
    if (sym < 144)
        put_code(b, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(b, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(b, sym - 256, 7);
    else
        put_code(b, 0xc0 + sym - 280, 8);
}

static const int len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const int len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                   3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const int dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
                                   193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
                                   6145, 8193, 12289, 16385, 24577 };
static const int dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

static void put_match(bits *b, int len, int dist)
{
    int i = 28;
    while (len_base[i] > len)
        i--;
    put_symbol(b, 257 + i);
    put_bits(b, (unsigned)(len - len_base[i]), len_extra[i]);
    int d = 29;
    while (dist_base[d] > dist)
        d--;
    put_code(b, (unsigned)d, 5);
    put_bits(b, (unsigned)(dist - dist_base[d]), dist_extra[d]);
}

static int hash3(const unsigned char *p)
{
    return ((p[0] << 10) ^ (p[1] << 5) ^ p[2]) & ((1 << HASH_BITS) - 1);
}

/* One fixed-Huffman deflate block over data[0..n). head/prev: the hash
 * chains (prev indexed by position modulo the window). */
static void deflate_fixed(bits *b, const unsigned char *data, int n, int *head, int *prev)
{
    for (int i = 0; i < (1 << HASH_BITS); i++)
        head[i] = -1;
    put_bits(b, 1, 1); /* BFINAL */
    put_bits(b, 1, 2); /* BTYPE = 01, fixed Huffman */
    int i = 0;
    while (i < n) {
        int best = 0, best_dist = 0;
        if (i + MIN_MATCH <= n) {
            int h = hash3(data + i), cand = head[h], chain = MAX_CHAIN;
            int limit = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            while (cand >= 0 && i - cand <= WINDOW && chain-- > 0) {
                int l = 0;
                while (l < limit && data[cand + l] == data[i + l])
                    l++;
                if (l > best) {
                    best = l;
                    best_dist = i - cand;
                    if (l == limit)
                        break;
                }
                cand = prev[cand & (WINDOW - 1)];
            }
        }
        int step = best >= MIN_MATCH ? best : 1;
        if (best >= MIN_MATCH)
            put_match(b, best, best_dist);
        else
            put_symbol(b, data[i]);
        /* Every position enters the chains, also inside a match. */
        for (int k = 0; k < step; k++, i++)
            if (i + MIN_MATCH <= n) {
                int h = hash3(data + i);
                prev[i & (WINDOW - 1)] = head[h];
                head[h] = i;
            }
        if (b->overflow)
            return;
    }
    put_symbol(b, 256); /* end of block */
    flush_bits(b);
}

/* ---- checksums ---- */

static unsigned adler32(const unsigned char *p, int n)
{
    unsigned a = 1, s = 0;
    while (n > 0) {
        int k = n < 5552 ? n : 5552; /* the most bytes before s can overflow */
        n -= k;
        while (k--) {
            a += *p++;
            s += a;
        }
        a %= 65521;
        s %= 65521;
    }
    return (s << 16) | a;
}

static unsigned crc32(const unsigned *table, const unsigned char *p, int n)
{
    unsigned c = 0xffffffffu;
    for (int i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static void put32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Close the chunk whose length field is at `start` and whose data ends at
 * `end`: fill in the length and append the CRC of type + data. */
static int end_chunk(const unsigned *table, unsigned char *out, int start, int end)
{
    put32(out + start, (unsigned)(end - start - 8));
    put32(out + end, crc32(table, out + start + 4, end - start - 4));
    return end + 4;
}

int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int pos = 2;
    if (in_len < 2 || in[0] != 'P' || (in[1] != '6' && in[1] != '5'))
        return -1;
    int channels = in[1] == '6' ? 3 : 1;
    int w = header_number(in, in_len, &pos), h = header_number(in, in_len, &pos);
    int maxval = header_number(in, in_len, &pos);
    if (w <= 0 || h <= 0 || maxval != 255 || pos >= in_len)
        return -1;
    pos++;
    if (h > (in_len - pos) / channels / w || out_cap < 64)
        return -1;
    int stride = w * channels, raw_len = h * (stride + 1);
    unsigned char *raw = malloc(raw_len);
    int *head = malloc(sizeof(int) << HASH_BITS), *prev = malloc(sizeof(int) * WINDOW);
    if (!raw || !head || !prev) {
        free(raw);
        free(head);
        free(prev);
        return -1;
    }
    /* The rows, each behind its filter-type byte 1 (Sub). */
    const unsigned char *px = in + pos;
    for (int y = 0; y < h; y++) {
        unsigned char *r = raw + y * (stride + 1);
        const unsigned char *s = px + y * stride;
        r[0] = 1;
        for (int x = 0; x < stride; x++)
            r[1 + x] = (unsigned char)(s[x] - (x >= channels ? s[x - channels] : 0));
    }
    unsigned table[256];
    for (unsigned n = 0; n < 256; n++) {
        unsigned c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    static const unsigned char signature[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };
    int o = 0;
    for (int i = 0; i < 8; i++)
        out[o++] = signature[i];
    int start = o;
    o += 4;
    out[o++] = 'I'; out[o++] = 'H'; out[o++] = 'D'; out[o++] = 'R';
    put32(out + o, (unsigned)w);
    put32(out + o + 4, (unsigned)h);
    o += 8;
    out[o++] = 8;                       /* bit depth */
    out[o++] = channels == 3 ? 2 : 0;   /* truecolour or greyscale */
    out[o++] = 0;                       /* deflate */
    out[o++] = 0;                       /* adaptive filtering */
    out[o++] = 0;                       /* not interlaced */
    o = end_chunk(table, out, start, o);
    start = o;
    o += 4;
    out[o++] = 'I'; out[o++] = 'D'; out[o++] = 'A'; out[o++] = 'T';
    out[o++] = 0x78;                    /* zlib: deflate, 32 KiB window */
    out[o++] = 0x01;                    /* no dictionary; (0x7801 % 31) == 0 */
    bits b = { out, o, out_cap - 24, 0, 0, 0 }; /* room for adler, crc, IEND */
    deflate_fixed(&b, raw, raw_len, head, prev);
    int bad = b.overflow;
    o = b.o;
    if (!bad) {
        put32(out + o, adler32(raw, raw_len));
        o += 4;
        o = end_chunk(table, out, start, o);
        start = o;
        o += 4;
        out[o++] = 'I'; out[o++] = 'E'; out[o++] = 'N'; out[o++] = 'D';
        o = end_chunk(table, out, start, o);
    }
    free(raw);
    free(head);
    free(prev);
    return bad ? -1 : o;
}

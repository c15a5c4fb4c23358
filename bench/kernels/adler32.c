/* Checksum: Adler-32 of a 256 KB buffer, n times (modulo per 5552 bytes). */
#include <stdint.h>
#define LEN (256 << 10)
static unsigned char buf[LEN];
long bench(int n)
{
    for (int i = 0; i < LEN; i++)
        buf[i] = (unsigned char)(i * 131 + (i >> 7));
    uint32_t acc = 0;
    for (int r = 0; r < n; r++) {
        uint32_t a = 1 + (uint32_t)r, b = 0;
        int i = 0;
        while (i < LEN) {
            int end = i + 5552 < LEN ? i + 5552 : LEN;
            for (; i < end; i++) {
                a += buf[i];
                b += a;
            }
            a %= 65521u;
            b %= 65521u;
        }
        acc ^= (b << 16 | a) + (uint32_t)r;
    }
    return (long)acc;
}

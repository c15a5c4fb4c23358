/* Checksum: Fletcher-32 over 16-bit words of a 256 KB buffer, n times. */
#include <stdint.h>
#define WORDS (128 << 10)
static uint16_t data[WORDS];
long bench(int n)
{
    for (int i = 0; i < WORDS; i++)
        data[i] = (uint16_t)(i * 2654435761u >> 13);
    uint64_t acc = 0;
    for (int r = 0; r < n; r++) {
        uint32_t s1 = 0xFFFF, s2 = 0xFFFF ^ (uint32_t)r;
        int len = WORDS, i = 0;
        while (len) {
            int blk = len > 359 ? 359 : len;
            len -= blk;
            do {
                s1 += data[i++];
                s2 += s1;
            } while (--blk);
            s1 = (s1 & 0xFFFF) + (s1 >> 16);
            s2 = (s2 & 0xFFFF) + (s2 >> 16);
        }
        s1 = (s1 & 0xFFFF) + (s1 >> 16);
        s2 = (s2 & 0xFFFF) + (s2 >> 16);
        acc = acc * 31 + (s2 << 16 | s1);
    }
    return (long)(acc & 0x7FFFFFFFFFFFFFFFull);
}

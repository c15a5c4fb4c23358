/* Checksum: table-driven CRC-32 of a 256 KB buffer, n times. */
#include <stdint.h>
#define LEN (256 << 10)
static uint32_t table[256];
static unsigned char buf[LEN];
long bench(int n)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    for (int i = 0; i < LEN; i++)
        buf[i] = (unsigned char)(i * 31 + (i >> 9));
    uint32_t crc = 0;
    for (int r = 0; r < n; r++) {
        uint32_t c = 0xFFFFFFFFu ^ (uint32_t)r;
        for (int i = 0; i < LEN; i++)
            c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
        crc ^= c ^ 0xFFFFFFFFu;
    }
    return (long)crc;
}

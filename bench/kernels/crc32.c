/* Table lookups and shifts: CRC-32 of 4 MB, 4 times. */
#include <stdint.h>
#include <stdio.h>
#define LEN (4 << 20)
static uint32_t table[256];
static unsigned char buf[LEN];
int main(void)
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
    for (int rep = 0; rep < 4; rep++) {
        uint32_t c = 0xFFFFFFFFu;
        for (int i = 0; i < LEN; i++)
            c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
        crc ^= c ^ 0xFFFFFFFFu;
    }
    printf("%08x\n", crc);
    return 0;
}

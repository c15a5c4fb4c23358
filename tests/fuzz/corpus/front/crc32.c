/* expect-exit: 0 */
/* expect-stdout:
414fa339
414fa339
cbf43926
548b6d54 548b6d54
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t table[256];

static void init_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

uint32_t crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--)
        c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
    uint32_t c = ~0u;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

int main(void)
{
    init_table();
    const char *s = "The quick brown fox jumps over the lazy dog";
    printf("%08x\n", crc32((const unsigned char *)s, strlen(s)));
    printf("%08x\n", crc32_bitwise((const unsigned char *)s, strlen(s)));
    printf("%08x\n", crc32((const unsigned char *)"123456789", 9));
    unsigned char big[4096];
    for (int i = 0; i < 4096; i++)
        big[i] = (unsigned char)(i ^ (i >> 3));
    printf("%08x %08x\n", crc32(big, 4096), crc32_bitwise(big, 4096));
    return 0;
}

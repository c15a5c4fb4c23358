/* Hashing: MurmurHash3 x86_32 of 1 KB keys over a 256 KB buffer, n times. */
#include <stdint.h>
#include <string.h>
#define LEN (256 << 10)
static unsigned char buf[LEN];
static uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static uint32_t murmur3(const unsigned char *key, int len, uint32_t seed)
{
    uint32_t h = seed, c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    int nb = len / 4;
    for (int i = 0; i < nb; i++) {
        uint32_t k;
        memcpy(&k, key + 4 * i, 4);
        k *= c1;
        k = rotl(k, 15);
        k *= c2;
        h ^= k;
        h = rotl(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    const unsigned char *tail = key + nb * 4;
    uint32_t k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1: k ^= tail[0]; k *= c1; k = rotl(k, 15); k *= c2; h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}
long bench(int n)
{
    for (int i = 0; i < LEN; i++)
        buf[i] = (unsigned char)(i * 13 + (i >> 8));
    uint32_t acc = 0;
    for (int r = 0; r < n; r++)
        for (int off = 0; off + 1027 <= LEN; off += 1027)
            acc += murmur3(buf + off, 1027, (uint32_t)r);
    return (long)acc;
}

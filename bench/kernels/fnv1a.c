/* Hashing: 64-bit FNV-1a of 64-byte records of a 256 KB buffer, n times. */
#include <stdint.h>
#define LEN (256 << 10)
static unsigned char buf[LEN];
long bench(int n)
{
    for (int i = 0; i < LEN; i++)
        buf[i] = (unsigned char)((i * 7) ^ (i >> 5));
    uint64_t acc = 0;
    for (int r = 0; r < n; r++)
        for (int rec = 0; rec < LEN; rec += 64) {
            uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)r;
            for (int i = 0; i < 64; i++) {
                h ^= buf[rec + i];
                h *= 0x100000001b3ull;
            }
            acc += h;
        }
    return (long)(acc >> 1);
}

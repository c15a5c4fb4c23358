/* expect-exit: 0 */
/* expect-stdout:
811c9dc5 cbf29ce484222325 ebb6c228 00001505
e40c292c af63dc4c8601ec8c 7fa09ea6 0002b606
bf9cf968 85944171f73967e8 64a9b34d fde460be
f56f4c6d 79baf25eaf30da8d 76c90187 491852fb
ae4d67e2 2374316b9b449782 f7cb6557 97c3fcf8
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

uint32_t fnv1a32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

uint64_t fnv1a64(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

uint32_t murmur3_32(const uint8_t *key, size_t len, uint32_t seed)
{
    uint32_t h = seed;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t k;
        memcpy(&k, key + i, 4);
        k *= 0xcc9e2d51u;
        k = (k << 15) | (k >> 17);
        k *= 0x1b873593u;
        h ^= k;
        h = (h << 13) | (h >> 19);
        h = h * 5 + 0xe6546b64u;
    }
    uint32_t k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)key[i + 2] << 16;
    case 2: k ^= (uint32_t)key[i + 1] << 8;
    case 1: k ^= key[i];
        k *= 0xcc9e2d51u;
        k = (k << 15) | (k >> 17);
        k *= 0x1b873593u;
        h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t djb2(const char *s)
{
    uint32_t h = 5381;
    int c;
    while ((c = *s++))
        h = ((h << 5) + h) + (uint32_t)c;
    return h;
}

int main(void)
{
    const char *words[] = { "", "a", "foobar", "kplug plugin runtime", "The quick brown fox" };
    for (int i = 0; i < 5; i++)
        printf("%08x %016llx %08x %08x\n", fnv1a32(words[i]), (unsigned long long)fnv1a64(words[i]),
               murmur3_32((const uint8_t *)words[i], strlen(words[i]), 0x9747b28cu), djb2(words[i]));
    return 0;
}

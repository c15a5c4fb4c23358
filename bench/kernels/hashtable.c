/* Hash table: open addressing with linear probing, 32k inserts, 64k
 * lookups (half hits), then deletes by tombstone, n times. */
#include <stdint.h>
#define CAP 65536
static uint32_t keys[CAP];
static int vals[CAP];
static unsigned char used[CAP];
static uint32_t hash(uint32_t k)
{
    k ^= k >> 16;
    k *= 0x7feb352du;
    k ^= k >> 15;
    k *= 0x846ca68bu;
    k ^= k >> 16;
    return k;
}
static void insert(uint32_t k, int v)
{
    uint32_t i = hash(k) & (CAP - 1);
    while (used[i] == 1 && keys[i] != k)
        i = (i + 1) & (CAP - 1);
    used[i] = 1;
    keys[i] = k;
    vals[i] = v;
}
static int find(uint32_t k)
{
    uint32_t i = hash(k) & (CAP - 1);
    while (used[i]) {
        if (used[i] == 1 && keys[i] == k)
            return vals[i];
        i = (i + 1) & (CAP - 1);
    }
    return -1;
}
long bench(int n)
{
    long acc = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < CAP; i++)
            used[i] = 0;
        uint32_t s = 99 + (uint32_t)r;
        for (int i = 0; i < CAP / 2; i++) {
            s = s * 1103515245u + 12345u;
            insert(s >> 3, i);
        }
        s = 99 + (uint32_t)r;
        for (int i = 0; i < CAP; i++) {
            s = s * 1103515245u + 12345u;
            acc += find(i & 1 ? (s >> 3) : (s >> 3) + 1);
        }
    }
    return acc;
}

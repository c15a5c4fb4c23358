/* expect-exit: 77 */
/* Safe outcome: scribble over the bytes before and after every heap block
 * (where an in-band allocator keeps its headers), including forged
 * "headers" of plausible sizes and free-list links, then free everything
 * and allocate heavily. kplug keeps heap metadata outside plugin memory,
 * so the allocator stays sane: new blocks do not overlap and hold data. */
#include <stdlib.h>
#include <string.h>
#define N 64
int main(void)
{
    unsigned *blocks[N];
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(40 + (unsigned)i * 24);
        if (!blocks[i])
            return 1;
    }
    for (int i = 0; i < N; i++) {
        unsigned *b = blocks[i];
        unsigned sz = 40 + (unsigned)i * 24;
        for (int k = 1; k <= 8; k++) {
            b[-k] = k & 1 ? 0xFFFFFFF0u : (unsigned)(unsigned long)blocks[(i + 1) % N];
            b[sz / 4 + k - 1] = k & 1 ? 16u : 0x41414141u;
        }
    }
    for (int i = 0; i < N; i += 2)
        free(blocks[i]);
    for (int i = 1; i < N; i += 2)
        free(blocks[i]);
    /* Allocate a lot, fill each block with its own index, then verify. */
    unsigned char *many[256];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 256; i++) {
            many[i] = malloc((unsigned)(1 + (i * 37 + round) % 700));
            if (!many[i])
                return 2;
            memset(many[i], i, (unsigned)(1 + (i * 37 + round) % 700));
        }
        for (int i = 0; i < 256; i++) {
            unsigned n = (unsigned)(1 + (i * 37 + round) % 700);
            for (unsigned k = 0; k < n; k++)
                if (many[i][k] != (unsigned char)i)
                    return 3;
        }
        for (int i = 0; i < 256; i++)
            free(many[i]);
    }
    return 77;
}

/* mem: 4 */
/* expect-exit: 55 */
/* Safe outcome: overwrite *all* of plugin memory (globals, heap, even this
 * call's plugin stack) with garbage. The allocator's records live outside
 * the segment, and this function keeps its state in registers, so malloc
 * and free keep working afterwards: blocks are disjoint and inside memory. */
#include <stdlib.h>
#include <string.h>
int main(void)
{
    void *warm = malloc(1000);
    free(warm);
    memset((void *)4096, 0xA5, (4u << 20) - 4096);
    unsigned *list = malloc(4096 * 4);
    if (!list)
        return 1;
    int n = 0;
    while (n < 4096) {
        unsigned *b = malloc(512);
        if (!b)
            break;
        for (int k = 0; k < 128; k++)
            b[k] = (unsigned)n;
        list[n++] = (unsigned)(unsigned long)b;
    }
    if (n < 100)
        return 2;
    for (int i = 0; i < n; i++) {
        unsigned *b = (unsigned *)(unsigned long)list[i];
        for (int k = 0; k < 128; k++)
            if (b[k] != (unsigned)i)
                return 3;
    }
    for (int i = 0; i < n; i++)
        free((void *)(unsigned long)list[i]);
    free(list);
    void *again = malloc(1 << 20);
    return again ? 55 : 4;
}

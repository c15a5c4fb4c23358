/* expect-trap: KP_TRAP_MEMORY */
/* Free, let other allocations churn, then free the stale pointer again. */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(48);
    free(p);
    for (int i = 0; i < 100; i++)
        free(malloc((unsigned)(16 + i * 8)));
    char *keep = malloc(4096);
    free(p);
    free(keep);
    return 0;
}

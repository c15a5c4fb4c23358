/* expect-exit: 0 */
/* Safe outcome: malloc(0), calloc(0, n), realloc(NULL, 0), realloc(p, 0) and
 * freeing their results are all fine. */
#include <stdlib.h>
int main(void)
{
    void *a = malloc(0), *b = calloc(0, 0x7FFFFFFF), *c = realloc(0, 0);
    free(a); free(b); free(c);
    void *d = malloc(8);
    void *e = realloc(d, 0);
    free(e);
    return 0;
}

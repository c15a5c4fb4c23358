/* mem: 8 */
/* expect-exit: 0 */
/* expect-stdout:
exhausted ok
*/
/* Allocating until malloc fails is safe, and memory comes back after free. */
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
    void *blocks[64];
    int n = 0;
    while (n < 64 && (blocks[n] = malloc(256 * 1024)) != 0)
        n++;
    if (n == 0 || n == 64)
        return 1;
    for (int i = 0; i < n; i++)
        free(blocks[i]);
    void *again = malloc(256 * 1024);
    printf("exhausted %s\n", again ? "ok" : "leak");
    free(again);
    return 0;
}

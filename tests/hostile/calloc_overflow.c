/* expect-exit: 0 */
/* expect-stdout:
null null null
*/
/* Safe outcome: calloc whose n * size overflows 32 bits returns NULL (it
 * must not return a small block), and so do malloc(-1) and malloc(4 GiB-16). */
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
    void *a = calloc(0x10000, 0x10001);
    void *b = malloc((size_t)-1);
    void *c = malloc(0xFFFFFFF0u);
    printf("%s %s %s\n", a ? "ptr" : "null", b ? "ptr" : "null", c ? "ptr" : "null");
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
null null ok
*/
/* Allocation failure is a NULL result, not a trap. */
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
    void *a = malloc(0xF0000000u);
    void *b = calloc(0x10000, 0x10000);
    char *c = malloc(100);
    printf("%s %s %s\n", a ? "ptr" : "null", b ? "ptr" : "null", c ? "ok" : "fail");
    free(c);
    return 0;
}

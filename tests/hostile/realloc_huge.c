/* expect-exit: 0 */
/* expect-stdout:
null intact
*/
/* Safe outcome: a failing realloc returns NULL and leaves the old block
 * untouched and still owned by the plugin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
    char *p = malloc(32);
    strcpy(p, "intact");
    char *q = realloc(p, 0xFFFFFF00u);
    printf("%s %s\n", q ? "ptr" : "null", p);
    free(p);
    return 0;
}

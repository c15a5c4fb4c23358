/* expect-exit: 0 */
/* mem: 4 */
/* expect-stdout:
[CCCC]
*/
/* Safe outcome: "%.4s" reads at most 4 bytes, so an unterminated string
 * in the last 4 bytes of memory is fine. */
#include <stdio.h>
#include <string.h>
int main(void)
{
    char *s = (char *)(4u << 20) - 4;
    memset(s, 'C', 4);
    printf("[%.4s]\n", s);
    return 0;
}

/* native: skip */
/* entry: greet */
/* expect-exit: 0 */
/* expect-stdout:
greetings
*/
#include <stdio.h>

void greet(void)
{
    puts("greetings");
}

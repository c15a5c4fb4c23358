/* expect-exit: 7 */
/* expect-stdout:
done
*/
/* Functions with no registers at all (empty bodies, a bare return): the
 * JIT's optimizer once copied their NULL register-type table and crashed. */
#include <stdio.h>

void nothing(void) { }
void bare_return(void) { return; }
static void private_nothing(void) { }
void (*fp)(void) = nothing;

int main(void)
{
    nothing();
    bare_return();
    private_nothing();
    fp();
    puts("done");
    return 7;
}

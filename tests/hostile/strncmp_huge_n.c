/* expect-exit: 3 */
/* Safe outcome: strncmp with n = 4 GiB - 1 stops at the first difference or
 * the terminator; it never reads (or range-checks) n bytes. */
#include <string.h>
int main(void)
{
    return (strncmp("abc", "abd", 0xFFFFFFFFu) < 0) + 2 * (strncmp("same", "same", 0xFFFFFFFFu) == 0);
}

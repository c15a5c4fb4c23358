/* expect-exit: 0 */
/* expect-stdout:
-2147483648 -2147483648 -2147483648 -2147483648 1294967296 -9223372036854775808 -9223372036854775808 0
*/
/* Safe outcome: out-of-range float->int conversions (1e300, NaN, -inf, -3e9
 * to unsigned) never trap and give the same values on every engine (ir.h). */
#include <stdio.h>
int main(void)
{
    volatile double big = 1e300, nan = 0.0 / 0.0, ninf = -1.0 / 0.0, neg = -3e9;
    volatile float fbig = 1e30f;
    printf("%d %d %d %d %u %ld %ld %u\n", (int)big, (int)nan, (int)ninf, (int)neg,
           (unsigned)neg, (long)big, (long)nan, (unsigned)fbig);
    return 0;
}

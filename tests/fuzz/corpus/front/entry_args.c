/* native: skip */
/* entry: compute */
/* args: 6 7 -3 0x10 */
/* expect-exit: 58 */
/* expect-stdout:
a=6 b=7 c=-3 d=16
*/
/* `kplug run FILE --entry NAME ARG...` converts the arguments to the
 * parameter types. */
#include <stdio.h>

int compute(int a, long b, int c, unsigned d)
{
    printf("a=%d b=%ld c=%d d=%u\n", a, b, c, d);
    return (int)(a * b) + c + (int)d + 3;
}

int main(void) { return 1; }

/* expect-exit: 0 */
/* expect-stdout:
9000000000
-123456789000000
1285714285 5
-1285714285
18446744073709551615
6148914691236517205
fffffffffffffff0
9223372036854775807
-9223372036854775808
-1 4294967295
8
*/
#include <stdio.h>

long mul(long a, long b) { return a * b; }

int main(void)
{
    long a = 3000000000L;
    long b = a * 3;
    printf("%ld\n", b);
    printf("%ld\n", mul(-123456789L, 1000000L));
    printf("%ld %ld\n", b / 7, b % 7);
    printf("%ld\n", -b / 7);
    unsigned long u = 0xFFFFFFFFFFFFFFFFUL;
    printf("%lu\n", u);
    printf("%lu\n", u / 3);
    printf("%lx\n", u << 4);
    long m = 9223372036854775807L;
    printf("%ld\n", m);
    printf("%ld\n", -m - 1);
    int i = -1;
    long li = i;
    unsigned long ul = (unsigned int)i;
    printf("%ld %lu\n", li, ul);
    printf("%d\n", (int)sizeof(long));
    return (int)(b % 100);
}

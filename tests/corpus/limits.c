/* expect-exit: 0 */
/* expect-stdout:
8 -128 127
-128 127 255
-32768 32767 65535
-2147483648 2147483647 4294967295
-9223372036854775808 9223372036854775807 18446744073709551615
-9223372036854775808 9223372036854775807 18446744073709551615
1
2147483648
2147483647
2147483648
*/
#include <limits.h>
#include <stdio.h>

int main(void)
{
    printf("%d %d %d\n", CHAR_BIT, CHAR_MIN, CHAR_MAX);
    printf("%d %d %d\n", SCHAR_MIN, SCHAR_MAX, UCHAR_MAX);
    printf("%d %d %d\n", SHRT_MIN, SHRT_MAX, USHRT_MAX);
    printf("%d %d %u\n", INT_MIN, INT_MAX, UINT_MAX);
    printf("%ld %ld %lu\n", LONG_MIN, LONG_MAX, ULONG_MAX);
    printf("%lld %lld %llu\n", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
    printf("%d\n", INT_MAX + 1u == (unsigned)INT_MIN);
    int x = INT_MAX;
    unsigned u = (unsigned)x + 1;
    printf("%u\n", u);
    printf("%d\n", -(INT_MIN + 1));
    long l = INT_MIN;
    printf("%ld\n", -l);
    return 0;
}

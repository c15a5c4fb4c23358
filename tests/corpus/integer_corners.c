/* expect-exit: 0 */
/* expect-stdout:
-1073741824 -2
-3 -1
-3 1
-922337203685477580
1073741824
4294967295
127
1844674407370955161 5
-32768
-2147483648
-1
0
2147483647
2147483647
145
*/
#include <limits.h>
#include <stdio.h>

int main(void)
{
    printf("%d %d\n", INT_MIN / 2, INT_MIN % 3);
    printf("%d %d\n", -7 / 2, -7 % 2);
    printf("%d %d\n", 7 / -2, 7 % -2);
    printf("%ld\n", LONG_MIN / 10);
    printf("%u\n", (unsigned)INT_MIN / 2u);
    unsigned u = 1;
    printf("%u\n", -u);
    printf("%d\n", (int)(unsigned char)(-1) + (int)(signed char)(0x80));
    unsigned long long big = ULLONG_MAX;
    printf("%llu %llu\n", big / 10, big % 10);
    printf("%d\n", (short)(SHRT_MAX + 1));
    int x = INT_MAX;
    x = (int)((unsigned)x + 1u);
    printf("%d\n", x);
    long long m = LLONG_MIN;
    printf("%lld\n", m % 7);
    printf("%d\n", 0 / 5 + 0 % 5);
    printf("%d\n", -(-2147483647));
    printf("%d\n", (int)(4294967295u >> 1));
    printf("%d\n", 'a' * 3 / 2);
    return 0;
}

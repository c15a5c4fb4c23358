/* expect-exit: 0 */
/* expect-stdout:
0
1
1
0
0
0
4294967286
4294967286
-10
-15
8
4
4
8
4
*/
#include <stdio.h>

int main(void)
{
    int neg = -1;
    unsigned int one = 1;
    printf("%d\n", neg < one);
    printf("%d\n", neg < 1);
    long lneg = -1;
    printf("%d\n", lneg < one);
    unsigned long ul = 1;
    printf("%d\n", neg < ul);
    printf("%u\n", neg + one);
    printf("%ld\n", lneg + one);
    unsigned int u = 10;
    int i = -20;
    printf("%u\n", u + i);
    printf("%ld\n", (long)(u + i));
    printf("%ld\n", (long)u + i);
    long long ll = -5;
    unsigned int u2 = 3;
    printf("%lld\n", ll * u2);
    printf("%d\n", (int)sizeof(1 + 1L));
    printf("%d\n", (int)sizeof(1u + 1));
    printf("%d\n", (int)sizeof(1.0f + 1));
    printf("%d\n", (int)sizeof(1.0f + 1.0));
    printf("%d\n", (int)sizeof('a'));
    return 0;
}

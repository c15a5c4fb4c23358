/* expect-exit: 16 */
/* expect-stdout:
16 48
4294967295
613566754 2
4294967248
4294967295 ffffffff
1333333333
2147483645
3000000
*/
#include <stdio.h>

int main(void)
{
    unsigned int a = 0xFFFFFFF0u, b = 0x20;
    unsigned int s = a + b;
    unsigned int d = b - a;
    printf("%u %u\n", s, d);
    printf("%u\n", 0u - 1u);
    printf("%u %u\n", a / 7u, a % 7u);
    printf("%u\n", a * 3u);
    unsigned int z = 0;
    z--;
    printf("%u %x\n", z, z);
    unsigned int big = 4000000000u;
    printf("%u\n", big / 3);
    printf("%u\n", (unsigned)-5 / 2);
    printf("%d\n", (int)(3000000000u / 1000u));
    return (int)(s & 0xff);
}

/* expect-exit: 0 */
/* expect-stdout:
00f00000 fff0ffff ff00ffff 0f0f5a5a
-4 -1
-1
1
1073741824
-1 ffffff
4
-1
5
85 -171
49249249
*/
#include <stdio.h>

int main(void)
{
    unsigned a = 0xF0F0A5A5u, b = 0x0FF05A5Au;
    printf("%08x %08x %08x %08x\n", a & b, a | b, a ^ b, ~a);
    int x = -8;
    printf("%d %d\n", x >> 1, x >> 3);
    printf("%d\n", -1 >> 31);
    printf("%u\n", 0x80000000u >> 31);
    printf("%d\n", 1 << 30);
    long l = -1L;
    printf("%ld %lx\n", l >> 40, (unsigned long)l >> 40);
    printf("%d\n", 0x1234 & -0x1234);
    printf("%d\n", ~0);
    printf("%d\n", (5 & 3) | (8 ^ 12));
    unsigned char c = 0xAA;
    printf("%d %d\n", (unsigned char)~c, ~c);
    int mask = 0;
    for (int i = 0; i < 32; i += 3)
        mask |= 1 << i;
    printf("%x\n", mask);
    return 0;
}

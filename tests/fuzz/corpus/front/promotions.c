/* expect-exit: 0 */
/* expect-stdout:
300
44
10000
131070
-201
-100
256
0
0
4
4
*/
#include <stdio.h>

int main(void)
{
    unsigned char a = 200, b = 100;
    int s = a + b;
    printf("%d\n", s);
    unsigned char c = a + b;
    printf("%d\n", c);
    char x = 100, y = 100;
    printf("%d\n", x * y);
    unsigned short us = 65535;
    printf("%d\n", us * 2);
    printf("%d\n", ~a);
    printf("%d\n", -b);
    unsigned char m = 0x80;
    printf("%d\n", m << 1);
    printf("%d\n", (unsigned char)(m << 1));
    short sh = -1;
    unsigned short ush = 0xFFFF;
    printf("%d\n", sh == ush);
    printf("%d\n", (int)sizeof(a + b));
    printf("%d\n", (int)sizeof(+x));
    return 0;
}

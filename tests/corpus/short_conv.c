/* expect-exit: 0 */
/* expect-stdout:
4464 -4464 -32768
4464 65535
-32768
65536
-32469
2
-2 65534
*/
#include <stdio.h>

short trunc16(int x) { return (short)x; }
unsigned short utrunc16(int x) { return (unsigned short)x; }

int main(void)
{
    printf("%d %d %d\n", trunc16(70000), trunc16(-70000), trunc16(32768));
    printf("%d %d\n", utrunc16(70000), utrunc16(-1));
    short s = 32767;
    s = (short)(s + 1);
    printf("%d\n", s);
    unsigned short us = 65535;
    printf("%d\n", us + 1);
    short arr[3] = { -1, 300, -32768 };
    long total = 0;
    for (int i = 0; i < 3; i++)
        total += arr[i];
    printf("%ld\n", total);
    printf("%d\n", (int)sizeof(short));
    printf("%hd %hu\n", (short)-2, (unsigned short)65534);
    return 0;
}

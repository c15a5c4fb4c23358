/* expect-exit: 0 */
/* expect-stdout:
120 22136 120
5678
56789abc
-2147483648
4294967295
-3
18446744073709551613
255
-1
-7 4294967289
0.10
0
1
78 56 34 12
*/
#include <stdio.h>

int main(void)
{
    int i = 0x12345678;
    printf("%d %d %d\n", (char)i, (short)i, (unsigned char)i);
    printf("%x\n", (unsigned short)i);
    long l = 0x123456789ABCLL;
    printf("%x\n", (int)l);
    printf("%ld\n", (long)(int)0x80000000u);
    printf("%lu\n", (unsigned long)(unsigned)-1);
    printf("%ld\n", (long)(short)-3);
    printf("%lu\n", (unsigned long)(long)-3);
    printf("%d\n", (int)(unsigned char)(signed char)-1);
    printf("%d\n", (int)(signed char)(unsigned char)255);
    double d = -7.9;
    printf("%d %u\n", (int)d, (unsigned)(int)d);
    printf("%.2f\n", (double)(float)0.1);
    printf("%d\n", (_Bool)(char)256);
    void *vp = &i;
    int *ip = (int *)vp;
    printf("%d\n", *ip == i);
    unsigned char *bytes = (unsigned char *)&i;
    printf("%02x %02x %02x %02x\n", bytes[0], bytes[1], bytes[2], bytes[3]);
    (void)d;
    return 0;
}

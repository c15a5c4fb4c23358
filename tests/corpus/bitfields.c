/* expect-exit: 0 */
/* expect-stdout:
1 5 9 -3 1000000
1 -16
0
0
05dc1054 4
15
*/
#include <stdio.h>

struct flags {
    unsigned a : 1;
    unsigned b : 3;
    unsigned c : 4;
    int s : 5;
    unsigned d : 20;
};

struct hdr {
    unsigned version : 4;
    unsigned ihl : 4;
    unsigned tos : 8;
    unsigned len : 16;
};

int main(void)
{
    struct flags f = { 1, 5, 9, -3, 1000000 };
    printf("%u %u %u %d %u\n", f.a, f.b, f.c, f.s, f.d);
    f.b = 9;
    f.s = 15;
    f.s++;
    printf("%u %d\n", f.b, f.s);
    f.a += 1;
    printf("%u\n", f.a);
    f.d = 0xFFFFF;
    f.d++;
    printf("%u\n", f.d);
    struct hdr h = { 0 };
    h.version = 4;
    h.ihl = 5;
    h.tos = 0x10;
    h.len = 1500;
    unsigned raw;
    unsigned char *src = (unsigned char *)&h, *dst = (unsigned char *)&raw;
    for (int i = 0; i < 4; i++)
        dst[i] = src[i];
    printf("%08x %d\n", raw, (int)sizeof h);
    int total = f.b + f.c + h.ihl;
    printf("%d\n", total);
    return 0;
}

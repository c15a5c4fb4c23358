/* expect-exit: 0 */
/* expect-stdout:
5 100 1 -8 2147483647
4 -8 1 1
12
ffff 2
f81f
208
104
*/
#include <stdio.h>

struct packed {
    unsigned lo : 3;
    unsigned : 0;
    unsigned next : 7;
    _Bool flag : 1;
    signed int neg : 4;
    unsigned wide : 31;
};

struct rgb565 { unsigned short b : 5, g : 6, r : 5; };

static struct packed global_bits = { 5, 100, 1, -8, 0x7FFFFFFF };

int main(void)
{
    struct packed p = global_bits;
    printf("%u %u %d %d %u\n", p.lo, p.next, p.flag, p.neg, p.wide);
    p.lo = 12;
    p.neg = 7;
    p.neg += 1;
    p.flag = 5;
    p.wide += 2u;
    printf("%u %d %d %u\n", p.lo, p.neg, p.flag, p.wide);
    printf("%d\n", (int)sizeof(struct packed));
    struct rgb565 px = { 31, 63, 31 };
    unsigned short raw;
    unsigned char *s = (unsigned char *)&px, *d = (unsigned char *)&raw;
    d[0] = s[0];
    d[1] = s[1];
    printf("%04x %d\n", raw, (int)sizeof px);
    px.g = 0;
    d[0] = s[0];
    d[1] = s[1];
    printf("%04x\n", raw);
    struct rgb565 arr[4];
    for (int i = 0; i < 4; i++) {
        arr[i].r = (unsigned short)(i * 9);
        arr[i].g = (unsigned short)(i * 20);
        arr[i].b = (unsigned short)(i * 11);
    }
    int sum = 0;
    for (int i = 0; i < 4; i++)
        sum += arr[i].r + arr[i].g + arr[i].b;
    printf("%d\n", sum);
    int x = p.lo + p.next;
    printf("%d\n", x);
    return 0;
}

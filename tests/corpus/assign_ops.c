/* expect-exit: 0 */
/* expect-stdout:
105
95
285
40
4
128
32
0
257
510
-126
4
-31072
7 7 7
2.500000
12
4294967291
11 2 1
*/
#include <stdio.h>

int main(void)
{
    int a = 100;
    a += 5; printf("%d\n", a);
    a -= 10; printf("%d\n", a);
    a *= 3; printf("%d\n", a);
    a /= 7; printf("%d\n", a);
    a %= 9; printf("%d\n", a);
    a <<= 5; printf("%d\n", a);
    a >>= 2; printf("%d\n", a);
    a &= 0x1c; printf("%d\n", a);
    a |= 0x101; printf("%d\n", a);
    a ^= 0xff; printf("%d\n", a);
    char c = 120;
    c += 10;
    printf("%d\n", c);
    unsigned char uc = 250;
    uc += 10;
    printf("%d\n", uc);
    short sh = 1000;
    sh *= 100;
    printf("%d\n", sh);
    int b, d, e;
    b = d = e = 7;
    printf("%d %d %d\n", b, d, e);
    double f = 10;
    f /= 4;
    printf("%f\n", f);
    int i = 10;
    i += 2.7;
    printf("%d\n", i);
    unsigned u = 5;
    u -= 10;
    printf("%u\n", u);
    long arr[3] = { 1, 2, 3 };
    int k = 0;
    arr[k++] += 10;
    printf("%ld %ld %d\n", arr[0], arr[1], k);
    return 0;
}

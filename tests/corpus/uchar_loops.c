/* expect-exit: 0 */
/* expect-stdout:
10
8
8 120
3 4294967295
244
*/
#include <stdio.h>

int main(void)
{
    int n = 0;
    for (unsigned char c = 250; c != 4; c++)
        n++;
    printf("%d\n", n);
    unsigned short s = 65530;
    int m = 0;
    while (s != 2) {
        s++;
        m++;
    }
    printf("%d\n", m);
    signed char sc = -128;
    int k = 0;
    do {
        sc--;
        k++;
    } while (sc != 120);
    printf("%d %d\n", k, sc);
    unsigned u = 3;
    int iters = 0;
    while (u-- > 0)
        iters++;
    printf("%d %u\n", iters, u);
    unsigned char h = 0;
    for (int i = 0; i < 1000; i++)
        h = (unsigned char)(h * 31 + i);
    printf("%d\n", h);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
while 45
do 3
do-once 1
for 75
nested 41
forever 7
while1 5
do-continue 10 5
*/
#include <stdio.h>

int main(void)
{
    int i = 0, s = 0;
    while (i < 10)
        s += i++;
    printf("while %d\n", s);
    i = 100;
    do {
        i /= 2;
    } while (i > 5);
    printf("do %d\n", i);
    i = 0;
    do
        i++;
    while (0);
    printf("do-once %d\n", i);
    s = 0;
    for (int k = 0; k < 20; k++) {
        if (k % 3 == 0)
            continue;
        if (k > 15)
            break;
        s += k;
    }
    printf("for %d\n", s);
    s = 0;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            if (b > a)
                break;
            if ((a + b) % 2)
                continue;
            s += a * b;
        }
    printf("nested %d\n", s);
    int n = 0;
    for (;;) {
        if (++n == 7)
            break;
    }
    printf("forever %d\n", n);
    int w = 0;
    while (1) {
        w++;
        if (w < 5)
            continue;
        break;
    }
    printf("while1 %d\n", w);
    int c = 0;
    i = 0;
    do {
        i++;
        if (i % 2)
            continue;
        c++;
    } while (i < 10);
    printf("do-continue %d %d\n", i, c);
    return 0;
}

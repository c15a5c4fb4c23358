/* expect-exit: 0 */
/* expect-stdout:
0 11 16 2 81 0 
430
*/
#include <stdio.h>

static int f(int x)
{
    int r = 0;
    switch (x) {
        int y;
    case 1:
        y = 10;
        r = y + 1;
        break;
    case 2: {
        int z = x * 7;
        r = z;
    }
        /* fall through into the loop below */
    case 3:
        for (int i = 0; i < 3; i++) {
            if (i == 1)
                continue;
            r += i;
        }
        break;
    case 4:
        while (r < 100) {
            r += 40;
            if (r > 60)
                break;
        }
        r += 1;
        break;
    }
    return r;
}

int main(void)
{
    for (int i = 0; i <= 5; i++)
        printf("%d ", f(i));
    printf("\n");
    int n = 0;
    for (int i = 0; i < 10; i++) {
        switch (i % 4) {
        case 0: continue;
        case 1: n += 1; break;
        case 2: n += 10;
        case 3: n += 100; break;
        }
        n++;
    }
    printf("%d\n", n);
    return 0;
}

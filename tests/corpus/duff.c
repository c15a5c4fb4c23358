/* expect-exit: 0 */
/* expect-stdout:
1 [D]
7 [Duff's ]
13 [Duff's device]
19 [Duff's device is le]
25 [Duff's device is legal C!]
*/
#include <stdio.h>

/* Duff's device: case labels inside a do-while. */
void copy(char *to, const char *from, int count)
{
    int n = (count + 7) / 8;
    switch (count % 8) {
    case 0: do { *to++ = *from++;
    case 7:      *to++ = *from++;
    case 6:      *to++ = *from++;
    case 5:      *to++ = *from++;
    case 4:      *to++ = *from++;
    case 3:      *to++ = *from++;
    case 2:      *to++ = *from++;
    case 1:      *to++ = *from++;
            } while (--n > 0);
    }
}

int main(void)
{
    char src[32] = "Duff's device is legal C!";
    char dst[32] = { 0 };
    for (int n = 1; n <= 25; n += 6) {
        for (int i = 0; i < 32; i++)
            dst[i] = 0;
        copy(dst, src, n);
        printf("%d [%s]\n", n, dst);
    }
    return 0;
}

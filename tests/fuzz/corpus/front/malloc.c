/* expect-exit: 0 */
/* expect-stdout:
135
12 0
0
0
from realloc
7
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    int *a = malloc(10 * sizeof *a);
    if (!a)
        return 1;
    for (int i = 0; i < 10; i++)
        a[i] = i * 3;
    a = realloc(a, 1000 * sizeof *a);
    if (!a)
        return 2;
    int s = 0;
    for (int i = 0; i < 10; i++)
        s += a[i];
    printf("%d\n", s);
    for (int i = 10; i < 1000; i++)
        a[i] = 1;
    a = realloc(a, 5 * sizeof *a);
    printf("%d %d\n", a[4], a[0]);
    free(a);
    long *z = calloc(256, sizeof(long));
    long t = 0;
    for (int i = 0; i < 256; i++)
        t += z[i];
    printf("%ld\n", t);
    free(z);
    char *blocks[50];
    for (int i = 0; i < 50; i++) {
        blocks[i] = malloc((size_t)(i * 37 % 200 + 1));
        memset(blocks[i], i, (size_t)(i * 37 % 200 + 1));
    }
    int bad = 0;
    for (int i = 0; i < 50; i += 2) {
        for (int j = 0; j < i * 37 % 200 + 1; j++)
            if (blocks[i][j] != (char)i)
                bad++;
        free(blocks[i]);
    }
    for (int i = 0; i < 50; i += 2)
        blocks[i] = malloc(64);
    for (int i = 1; i < 50; i += 2)
        for (int j = 0; j < i * 37 % 200 + 1; j++)
            if (blocks[i][j] != (char)i)
                bad++;
    for (int i = 0; i < 50; i++)
        free(blocks[i]);
    printf("%d\n", bad);
    free(NULL);
    char *r = realloc(NULL, 16);
    strcpy(r, "from realloc");
    puts(r);
    free(r);
    unsigned char *big = malloc(1 << 20);
    big[(1 << 20) - 1] = 7;
    printf("%d\n", big[(1 << 20) - 1]);
    free(big);
    return 0;
}

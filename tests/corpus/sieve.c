/* expect-exit: 0 */
/* expect-stdout:
9592 454396537 99991
2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 
1224
*/
#include <stdio.h>
#include <string.h>

#define LIMIT 100000

static char composite[LIMIT + 1];

int main(void)
{
    memset(composite, 0, sizeof composite);
    int count = 0;
    long sum = 0;
    int last = 0;
    for (int i = 2; i <= LIMIT; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        last = i;
        for (long j = (long)i * i; j <= LIMIT; j += i)
            composite[j] = 1;
    }
    printf("%d %ld %d\n", count, sum, last);
    for (int i = 2, shown = 0; shown < 15; i++)
        if (!composite[i]) {
            printf("%d ", i);
            shown++;
        }
    printf("\n");
    int twins = 0;
    for (int i = 3; i + 2 <= LIMIT; i += 2)
        twins += !composite[i] && !composite[i + 2];
    printf("%d\n", twins);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
1 2 3 5 6 0 7 8 
10 10 12
*/
#include <stdio.h>

static int trace[32];
static int nt;
static int t(int v) { trace[nt++] = v; return v; }

int main(void)
{
    int r = t(1) && t(2) ? t(3) : t(4);
    r += (t(5), t(6));
    r += t(0) || (t(7), 0) || t(8);
    int i = 0;
    i = i++ == 0 ? 10 : 20;
    int a = 5;
    a = a + 1, a = a * 2;
    for (int k = 0; k < nt; k++)
        printf("%d ", trace[k]);
    printf("\n%d %d %d\n", r, i, a);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
1
or
1
0 3
1 3
safe
0
1 1
1
1 3
*/
#include <stdio.h>

static int calls;
int t(int v) { calls++; return v; }

int main(void)
{
    calls = 0;
    if (t(0) && t(1)) puts("wrong");
    printf("%d\n", calls);
    calls = 0;
    if (t(1) || t(1)) puts("or");
    printf("%d\n", calls);
    calls = 0;
    int r = t(1) && t(2) && t(0) && t(3);
    printf("%d %d\n", r, calls);
    calls = 0;
    r = t(0) || t(0) || t(5) || t(6);
    printf("%d %d\n", r, calls);
    int *p = 0;
    if (p && *p) puts("deref");
    else puts("safe");
    int x = 0;
    int y = (x != 0) && (10 / x > 1);
    printf("%d\n", y);
    printf("%d %d\n", 5 && 7, 0 || -3);
    printf("%d\n", !0 + !5);
    calls = 0;
    r = (t(1) || t(2)) && (t(0) || t(4));
    printf("%d %d\n", r, calls);
    return 0;
}

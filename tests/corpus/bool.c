/* expect-exit: 3 */
/* expect-stdout:
1 0 1
1
1
5
1 2
1
1 0 1 1
0
*/
#include <stdbool.h>
#include <stdio.h>

bool is_even(int x) { return x % 2 == 0; }

int main(void)
{
    _Bool a = 5;
    bool b = false, c = true;
    printf("%d %d %d\n", a, b, c);
    b = 256;
    printf("%d\n", b);
    b = 0.001;
    printf("%d\n", b);
    int n = 0;
    for (int i = 0; i < 10; i++)
        n += is_even(i);
    printf("%d\n", n);
    bool t = a + c;
    printf("%d %d\n", t, a + c);
    printf("%d\n", (int)sizeof(bool));
    bool arr[4] = { 1, 0, 2, -1 };
    printf("%d %d %d %d\n", arr[0], arr[1], arr[2], arr[3]);
    printf("%d\n", !a);
    return c ? 3 : 4;
}

/* expect-exit: 0 */
/* expect-stdout:
14
20
2
8
0
7
6
1
-2
1
1
0
3
4 4 2
6
6
-6
3
3
2
32
11
*/
#include <stdio.h>

int main(void)
{
    int a = 2, b = 3, c = 4;
    printf("%d\n", a + b * c);
    printf("%d\n", (a + b) * c);
    printf("%d\n", a * b % c);
    printf("%d\n", a << 1 + 1);
    printf("%d\n", a & b == 3);
    printf("%d\n", a | b ^ c & 7);
    printf("%d\n", -a * -b);
    printf("%d\n", !a + 1);
    printf("%d\n", ~a + 1);
    printf("%d\n", a < b == b < c);
    printf("%d\n", a || b && 0);
    printf("%d\n", (a || b) && 0);
    printf("%d\n", a ? b : c ? 10 : 20);
    int x;
    x = a += b -= 1;
    printf("%d %d %d\n", x, a, b);
    int arr[3] = { 5, 6, 7 };
    int *p = arr;
    printf("%d\n", *p + 1);
    printf("%d\n", *(p + 1));
    printf("%d\n", -arr[1]);
    printf("%d\n", (int)sizeof arr / (int)sizeof arr[0]);
    printf("%d\n", 10 - 4 - 3);
    printf("%d\n", 100 / 10 / 5);
    printf("%d\n", 1 << 2 << 3);
    printf("%d\n", 7 & 3 | 8);
    return 0;
}

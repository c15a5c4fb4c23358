/* expect-exit: 2 */
/* expect-stdout:
22 12 85 3 2
-3 -2 -3 2
3 -2
85
2147483647
-1073741824
2000000
47
17
*/
#include <stdio.h>

int main(void)
{
    int a = 17, b = 5, c = -17, d = -5;
    printf("%d %d %d %d %d\n", a + b, a - b, a * b, a / b, a % b);
    printf("%d %d %d %d\n", c / b, c % b, a / d, a % d);
    printf("%d %d\n", c / d, c % d);
    printf("%d\n", -a * -b);
    printf("%d\n", 2147483647 - 1 + 1);
    printf("%d\n", (-2147483647 - 1) / 2);
    printf("%d\n", 1000 * 1000 * 2);
    int x = 7;
    x = x * x - x / 2 + x % 3;
    printf("%d\n", x);
    printf("%d\n", +a);
    return a % b;
}

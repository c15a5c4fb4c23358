/* expect-exit: 61 */
/* expect-stdout:
1 2 3 4 5 
2 3 4 5 6 
3 5 7 9 11 
5 13 29 61 125 
103
*/
#include <stdio.h>

int ack(int m, int n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

int main(void)
{
    for (int m = 0; m <= 3; m++) {
        for (int n = 0; n <= 4; n++)
            printf("%d ", ack(m, n));
        printf("\n");
    }
    printf("%d\n", ack(2, 50));
    return ack(3, 3);
}

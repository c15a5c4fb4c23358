/* expect-exit: 0 */
/* expect-stdout:
1
2
3
5
4
2 9
for 10
for 11
2
5
42
100 102
*/
#include <stdio.h>

int x = 1;

int shadow(int x)
{
    {
        int x = 100;
        x++;
    }
    return x;
}

int main(void)
{
    printf("%d\n", x);
    int x = 2;
    printf("%d\n", x);
    {
        int x = 3;
        printf("%d\n", x);
        {
            x = 4;
            int x = 5;
            printf("%d\n", x);
        }
        printf("%d\n", x);
    }
    printf("%d %d\n", x, shadow(9));
    for (int x = 10; x < 12; x++)
        printf("for %d\n", x);
    printf("%d\n", x);
    int total = 0;
    for (int i = 0; i < 3; i++) {
        int sq = i * i;
        total += sq;
        int later_decl = total * 2;
        total += later_decl - later_decl;
    }
    printf("%d\n", total);
    if (1) {
        int y = 42;
        printf("%d\n", y);
    }
    int arr[3];
    for (int i = 0; i < 3; i++) {
        int tmp = i + 100;
        arr[i] = tmp;
    }
    printf("%d %d\n", arr[0], arr[2]);
    return 0;
}

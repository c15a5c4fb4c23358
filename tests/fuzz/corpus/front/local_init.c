/* expect-exit: 0 */
/* expect-stdout:
3 hi 120 0 0 1 cfg 0.0
21 hi 120 0 0 7 cfg 0.0
6 hi 120 0 0 2 cfg 0.0
4 16 104 -4
4 6 1.333
ok
0
5 0 0
6 1 0
7 2 0
*/
#include <stdio.h>

struct cfg { int a; int b[3]; const char *name; double d; };

static int calls(int k)
{
    int arr[5] = { k, k * 2 };
    char s[8] = "hi";
    struct cfg c = { .b[1] = k, .name = "cfg" };
    int sum = 0;
    for (int i = 0; i < 5; i++)
        sum += arr[i];
    arr[4] = 100;
    s[5] = 'x';
    printf("%d %s %d %d %d %d %s %.1f\n", sum, s, s[5], c.a, c.b[0], c.b[1], c.name, c.d);
    return arr[4];
}

int main(void)
{
    calls(1);
    calls(7);
    int n = 4;
    int computed[4] = { n, n * n, n + calls(2), -n };
    printf("%d %d %d %d\n", computed[0], computed[1], computed[2], computed[3]);
    struct cfg copy = { n, { n, n + 1, n + 2 }, 0, n / 3.0 };
    printf("%d %d %.3f\n", copy.a, copy.b[2], copy.d);
    char msg[] = { 'o', 'k', 0 };
    puts(msg);
    unsigned char zeros[300] = { 0 };
    int z = 0;
    for (int i = 0; i < 300; i++)
        z += zeros[i];
    printf("%d\n", z);
    for (int i = 0; i < 3; i++) {
        int fresh = 5;
        int arr2[2] = { i };
        fresh += i;
        printf("%d %d %d\n", fresh, arr2[0], arr2[1]);
    }
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
5 7 7 5 5
10 30 31 31 32 2
b
2.500000
4294967295
0
HELLO
*/
#include <stdio.h>

int main(void)
{
    int i = 5;
    int a = i++;
    int b = ++i;
    int c = i--;
    int d = --i;
    printf("%d %d %d %d %d\n", a, b, c, d, i);
    int arr[5] = { 10, 20, 30, 40, 50 };
    int *p = arr;
    int x = *p++;
    int y = *++p;
    int z = ++*p;
    int w = (*p)++;
    printf("%d %d %d %d %d %d\n", x, y, z, w, arr[2], (int)(p - arr));
    char ch = 'a';
    ch++;
    printf("%c\n", ch);
    double dd = 1.5;
    dd++;
    printf("%f\n", dd);
    unsigned u = 0;
    u--;
    printf("%u\n", u);
    long l = -1;
    ++l;
    printf("%ld\n", l);
    char *s = "hello";
    while (*s)
        putchar(*s++ - 32);
    putchar('\n');
    return 0;
}

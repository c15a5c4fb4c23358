/* expect-exit: 0 */
/* expect-stdout:
0:99 1:11 2:10 3:100 4:8 5:56 6:56 7:99 
0 1 2 13 -1
6
big
neg
42
*/
#include <stdio.h>

int f(int x)
{
    int r = 0;
    switch (x) {
    case 1:
        r += 1;
    case 2:
        r += 10;
        break;
    default:
        r = -1;
    case 3:
        r += 100;
        break;
    case 4: {
        int k = x * 2;
        r = k;
        break;
    }
    case 5:
    case 6:
        r = 56;
    }
    return r;
}

int nested(int a, int b)
{
    switch (a) {
    case 0:
        switch (b) {
        case 0: return 0;
        case 1: return 1;
        }
        return 2;
    case 1:
        return 10 + b;
    }
    return -1;
}

int vowels(const char *s)
{
    int n = 0;
    for (; *s; s++)
        switch (*s) {
        case 'a': case 'e': case 'i': case 'o': case 'u':
            n++;
            break;
        default:
            continue;
        }
    return n;
}

int main(void)
{
    for (int i = 0; i <= 7; i++)
        printf("%d:%d ", i, f(i));
    printf("\n");
    printf("%d %d %d %d %d\n", nested(0, 0), nested(0, 1), nested(0, 5), nested(1, 3), nested(9, 9));
    printf("%d\n", vowels("programming in c is fun"));
    long big = 5000000000L;
    switch (big) {
    case 5000000000L: puts("big"); break;
    default: puts("small");
    }
    switch (-3) {
    case -3: puts("neg"); break;
    }
    switch (2) { }
    int d = 0;
    switch (d) default: d = 42;
    printf("%d\n", d);
    return 0;
}

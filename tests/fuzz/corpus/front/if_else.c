/* expect-exit: 12 */
/* expect-stdout:
-5 negative
0 zero
3 small
42 medium
1000 large
2
12
comma 5
*/
#include <stdio.h>

const char *classify(int n)
{
    if (n < 0)
        return "negative";
    else if (n == 0)
        return "zero";
    else if (n < 10)
        return "small";
    else if (n < 100)
        return "medium";
    else
        return "large";
}

int main(void)
{
    int v[] = { -5, 0, 3, 42, 1000 };
    for (int i = 0; i < 5; i++)
        printf("%d %s\n", v[i], classify(v[i]));
    int a = 1, b = 0, r = 0;
    if (a)
        if (b)
            r = 1;
        else
            r = 2;
    printf("%d\n", r);
    if (a) {
    } else {
        r = 99;
    }
    if (0)
        ;
    else
        r += 10;
    printf("%d\n", r);
    if (a = 5, a > 3)
        printf("comma %d\n", a);
    return r;
}

/* expect-exit: 0 */
/* expect-stdout:
10
16 7
9 -1
5
29
402
17 3
81
twice
twice
3
undefined
5
1 1
*/
#include <stdio.h>

#define SIZE 10
#define SQUARE(x) ((x) * (x))
#define BAD_SQUARE(x) x * x
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define EMPTY
#define PLUS +
#define ADD(a, b) (a PLUS b)
#define REPEAT(x) x x
#define NESTED(x) SQUARE(MAX(x, 2))
#define MULTI_LINE(a, b) \
    ((a) * 100 + \
     (b))
#define NOARGS() 17
#define OBJ_LOOKS_FN (1 + 2)
#define SELF SELF
#define TWICE(f, x) f(f(x))

int main(void)
{
    int arr[SIZE];
    printf("%d\n", (int)sizeof arr / (int)sizeof arr[0]);
    printf("%d %d\n", SQUARE(3 + 1), BAD_SQUARE(3 + 1));
    printf("%d %d\n", MAX(4, 9), MAX(-1, -5));
    printf("%d\n", ADD(2, 3) EMPTY);
    printf("%d\n", NESTED(1) + NESTED(5));
    printf("%d\n", MULTI_LINE(4, 2));
    printf("%d %d\n", NOARGS(), OBJ_LOOKS_FN);
    printf("%d\n", TWICE(SQUARE, 3));
    REPEAT(puts("twice");)
#undef SIZE
#define SIZE 3
    printf("%d\n", SIZE);
#undef SIZE
#ifdef SIZE
    puts("still defined");
#else
    puts("undefined");
#endif
    int SELF = 5;
    printf("%d\n", SELF);
    int base = __LINE__;
    printf("%d %d\n", __LINE__ - base, __STDC__);
    return 0;
}

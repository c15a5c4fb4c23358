/* expect-exit: 5 */
/* expect-stdout:
0 5 6 -2 -1
blue red other
5
0
7
7
20
*/
#include <stdio.h>

enum color { RED, GREEN = 5, BLUE, ALPHA = -2, BETA };
typedef enum { SMALL = 1 << 0, MEDIUM = 1 << 1, LARGE = 1 << 2 } size_flag;

const char *name(enum color c)
{
    switch (c) {
    case RED: return "red";
    case GREEN: return "green";
    case BLUE: return "blue";
    default: return "other";
    }
}

int main(void)
{
    printf("%d %d %d %d %d\n", RED, GREEN, BLUE, ALPHA, BETA);
    enum color c = BLUE;
    printf("%s %s %s\n", name(c), name(RED), name(BETA));
    size_flag f = SMALL | LARGE;
    printf("%d\n", f);
    printf("%d\n", (f & MEDIUM) != 0);
    int arr[BLUE + 1];
    printf("%d\n", (int)(sizeof arr / sizeof arr[0]));
    c = (enum color)(c + 1);
    printf("%d\n", c);
    enum { LOCAL_A = 10, LOCAL_B = LOCAL_A * 2 } e = LOCAL_B;
    printf("%d\n", e);
    return GREEN;
}

/* expect-exit: 0 */
/* expect-stdout:
72858
81430
1412
50.0
*/
#include <stdio.h>
#include <string.h>

static int use_big(int seed)
{
    int big[60000];
    for (int i = 0; i < 60000; i++)
        big[i] = seed + i;
    long s = 0;
    for (int i = 0; i < 60000; i += 7)
        s += big[i];
    return (int)(s % 100000);
}

static int nested(int depth)
{
    char frame[1024];
    memset(frame, depth, sizeof frame);
    if (depth == 0)
        return frame[100];
    return frame[1023] + nested(depth - 1);
}

int main(void)
{
    printf("%d\n", use_big(3));
    printf("%d\n", use_big(4));
    printf("%d\n", nested(200));
    struct { double m[50][50]; } mat;
    for (int i = 0; i < 50; i++)
        for (int j = 0; j < 50; j++)
            mat.m[i][j] = i == j;
    double tr = 0;
    for (int i = 0; i < 50; i++)
        tr += mat.m[i][i];
    printf("%.1f\n", tr);
    return 0;
}

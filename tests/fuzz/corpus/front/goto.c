/* expect-exit: 0 */
/* expect-stdout:
1 1 2
0
2 -100 -111
45
*/
#include <stdio.h>

int find(int (*m)[4], int rows, int target, int *ri, int *ci)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < 4; j++)
            if (m[i][j] == target) {
                *ri = i;
                *ci = j;
                goto found;
            }
    return 0;
found:
    return 1;
}

int work(int fail_at)
{
    int stage = 0;
    if (fail_at == 1) goto fail1;
    stage++;
    if (fail_at == 2) goto fail2;
    stage++;
    return stage;
fail2:
    stage += 10;
fail1:
    stage += 100;
    return -stage;
}

int main(void)
{
    int m[3][4] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } };
    int r = -1, c = -1;
    int ok = find(m, 3, 7, &r, &c);
    printf("%d %d %d\n", ok, r, c);
    ok = find(m, 3, 70, &r, &c);
    printf("%d\n", ok);
    printf("%d %d %d\n", work(0), work(1), work(2));
    int i = 0, s = 0;
loop:
    s += i;
    if (++i < 10)
        goto loop;
    printf("%d\n", s);
    goto end;
    puts("skipped");
end:
    return 0;
}

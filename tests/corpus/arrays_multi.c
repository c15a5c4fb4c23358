/* expect-exit: 0 */
/* expect-stdout:
  0  4  8 12
  1  5  9 13
  2  6 10 14
  3  7 11 15
trace 30
23 9 12
96 48 16
17
4 0 5 0
one two three 
4
*/
#include <stdio.h>

#define N 4

void transpose(int m[N][N])
{
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            int t = m[i][j];
            m[i][j] = m[j][i];
            m[j][i] = t;
        }
}

int trace(int (*m)[N])
{
    int t = 0;
    for (int i = 0; i < N; i++)
        t += m[i][i];
    return t;
}

int main(void)
{
    int m[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            m[i][j] = i * N + j;
    transpose(m);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            printf("%3d", m[i][j]);
        printf("\n");
    }
    printf("trace %d\n", trace(m));
    int cube[2][3][4];
    int v = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                cube[i][j][k] = v++;
    printf("%d %d %d\n", cube[1][2][3], cube[0][2][1], cube[1][0][0]);
    printf("%d %d %d\n", (int)sizeof cube, (int)sizeof cube[0], (int)sizeof cube[0][0]);
    int *flat = &cube[0][0][0];
    printf("%d\n", flat[17]);
    int init[2][3] = { { 1, 2, 3 }, { 4 } };
    int init2[2][3] = { 1, 2, 3, 4, 5 };
    printf("%d %d %d %d\n", init[1][0], init[1][2], init2[1][1], init2[1][2]);
    char names[3][6] = { "one", "two", "three" };
    for (int i = 0; i < 3; i++)
        printf("%s ", names[i]);
    printf("\n");
    int (*row)[3] = init;
    row++;
    printf("%d\n", (*row)[0]);
    return 0;
}

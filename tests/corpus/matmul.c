/* expect-exit: 0 */
/* expect-stdout:
264 6696 -36 228
1.5000 216.0000 48.0000
*/
#include <stdio.h>

#define N 12

static int A[N][N], B[N][N], C[N][N];
static double X[N][N], Y[N][N], Z[N][N];

void imul(int a[N][N], int b[N][N], int c[N][N])
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int s = 0;
            for (int k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

void dmul(double (*a)[N], double (*b)[N], double (*c)[N])
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = i + j;
            B[i][j] = i == j ? 2 : (i - j) % 3;
            X[i][j] = (i + 1) * 0.5;
            Y[i][j] = (j + 1) * 0.25;
        }
    imul(A, B, C);
    long tr = 0, sum = 0;
    for (int i = 0; i < N; i++) {
        tr += C[i][i];
        for (int j = 0; j < N; j++)
            sum += C[i][j];
    }
    printf("%ld %ld %d %d\n", tr, sum, C[0][N - 1], C[N - 1][0]);
    dmul(X, Y, Z);
    printf("%.4f %.4f %.4f\n", Z[0][0], Z[N - 1][N - 1], Z[3][7]);
    return 0;
}

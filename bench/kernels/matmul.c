/* Floating point: 64x64 double matrix multiply, n times. */
#define N 64
static double a[N][N], b[N][N], c[N][N];
long bench(int n)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (i * 7 + j) % 13 * 0.5;
            b[i][j] = (i + j * 3) % 11 * 0.25;
        }
    double t = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s + r;
            }
        for (int i = 0; i < N; i++)
            t += c[i][i];
    }
    return (long)(t * 8);
}

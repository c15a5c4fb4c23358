/* expect-exit: 0 */
/* expect-stdout:
1.4142135624 1000.0000000000 0.500000
4.000004
1.000000
3.14158265
5.187378
2.718281828459046
10512
*/
#include <stdio.h>

static double my_sqrt(double x)
{
    double g = x > 1 ? x / 2 : 1;
    for (int i = 0; i < 30; i++)
        g = 0.5 * (g + x / g);
    return g;
}

static double integrate(double (*f)(double), double a, double b, int n)
{
    double h = (b - a) / n, s = 0.5 * (f(a) + f(b));
    for (int i = 1; i < n; i++)
        s += f(a + i * h);
    return s * h;
}

static double cube(double x) { return x * x * x; }
static double inv(double x) { return 1.0 / x; }

int main(void)
{
    printf("%.10f %.10f %.6f\n", my_sqrt(2), my_sqrt(1e6), my_sqrt(0.25));
    printf("%.6f\n", integrate(cube, 0, 2, 1000));
    printf("%.6f\n", integrate(inv, 1, 2.718281828, 10000));
    double pi = 0;
    for (int k = 0; k < 100000; k++)
        pi += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
    printf("%.8f\n", pi);
    float fsum = 0;
    for (int i = 1; i <= 100; i++)
        fsum += 1.0f / (float)i;
    printf("%.6f\n", fsum);
    double e = 1, term = 1;
    for (int i = 1; i < 20; i++) {
        term /= i;
        e += term;
    }
    printf("%.15f\n", e);
    double mandel = 0;
    for (int y = -10; y <= 10; y++)
        for (int x = -20; x <= 10; x++) {
            double cr = x / 10.0, ci = y / 10.0, zr = 0, zi = 0;
            int it = 0;
            while (it < 50 && zr * zr + zi * zi < 4) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                it++;
            }
            mandel += it;
        }
    printf("%g\n", mandel);
    return 0;
}

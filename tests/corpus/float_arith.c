/* expect-exit: 0 */
/* expect-stdout:
3.750000 -0.750000 3.375000 0.666667
1 1e+10 1e+20
1.000000
1.000000000000000
0.999991
1.000000000000
1 1 1
-0 1
inf
-inf
-0.500000
*/
#include <stdio.h>

float fmadd(float a, float b, float c) { return a * b + c; }
double dmadd(double a, double b, double c) { return a * b + c; }

int main(void)
{
    float a = 1.5f, b = 2.25f;
    printf("%f %f %f %f\n", a + b, a - b, a * b, a / b);
    double x = 1e10, y = 1e-10;
    printf("%g %g %g\n", x * y, x + y, x / y);
    printf("%f\n", fmadd(0.1f, 3.0f, 0.7f));
    printf("%.15f\n", dmadd(0.1, 3.0, 0.7));
    float acc = 0;
    for (int i = 0; i < 1000; i++)
        acc += 0.001f;
    printf("%.6f\n", acc);
    double dacc = 0;
    for (int i = 0; i < 1000; i++)
        dacc += 0.001;
    printf("%.12f\n", dacc);
    printf("%d %d %d\n", a < b, a == 1.5, b >= 2.25);
    double neg = -0.0;
    printf("%g %d\n", neg, neg == 0.0);
    double big = 1e308;
    printf("%g\n", big * 10);
    printf("%g\n", -big * 10);
    float h = 0.5f;
    h = -h;
    printf("%f\n", h);
    return 0;
}

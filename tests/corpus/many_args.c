/* expect-exit: 0 */
/* expect-stdout:
78
65773
83.875
98
*/
#include <stdio.h>

long mix(char a, short b, int c, long d, float e, double f, unsigned char g,
         unsigned short h, unsigned i, unsigned long j, long long k, int l)
{
    return a + b + c + d + (long)e + (long)f + g + h + i + (long)j + k + l;
}

double fmix(float a, double b, int c, float d, double e, long f, float g, double h, int i)
{
    return a + b * c + d - e + f + g * h + i;
}

struct s { int a; double b; char c; };

int takes_struct(int pre, struct s v, int post)
{
    return pre + v.a + (int)v.b + v.c + post;
}

int main(void)
{
    printf("%ld\n", mix(1, 2, 3, 4, 5.5f, 6.5, 7, 8, 9, 10, 11, 12));
    printf("%ld\n", mix(-1, -2, -3, -4000000000L, -5.5f, -6.5, 255, 65535, 4000000000u, 1, -1, 0));
    printf("%.3f\n", fmix(1.5f, 2.25, 3, 4.5f, 5.75, 6, 7.5f, 8.25, 9));
    struct s v = { 10, 20.9, 'A' };
    printf("%d\n", takes_struct(1, v, 2));
    return 0;
}

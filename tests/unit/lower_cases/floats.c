// expect: 9475
/* floating point and conversions */
int main(void)
{
    int acc = 0;
    float f = 1.5f;
    double d = -2.25;
    f = f * 3 + 0.25f;
    acc += (int)(f * 100);
    d /= 0.5;
    acc += (int)d;
    acc += (int)(-7.9) + (int)7.9;
    unsigned u = 4000000000u;
    double du = u;
    acc += (int)(du / 1000000);
    unsigned u2 = (unsigned)3.9e9;
    acc += (int)(u2 / 1000000);
    long l = -9000000000L;
    double dl = l;
    acc += (int)(dl / 1e9);
    unsigned long ul = 18000000000000000000UL;
    double dul = ul;
    acc += (int)(dul / 1e18);
    unsigned long back = (unsigned long)dul;
    acc += (int)(back / 1000000000000000000UL);
    float nf = 0.0f / 0.0f;
    acc += (nf == nf) + (nf != nf) * 2 + (nf < 1) * 4 + (nf > 1) * 8;
    double x = 1e300;
    float fx = (float)x;
    acc += fx > 1e38f;
    double z = 0.1 + 0.2;
    acc += z == 0.3;
    acc += (0.1f + 0.2f) == 0.3f;
    float g = 16777216.0f;
    g += 1.0f;
    acc += (int)(g - 16777216.0f);
    d = 3;
    d++;
    --d;
    d += 0.5;
    acc += (int)(d * 2);
    char c = (char)65.7;
    acc += c;
    _Bool bb = 0.001;
    acc += bb;
    long long big = (long long)1e18;
    acc += (int)(big / 1000000000000000LL);
    return acc;
}

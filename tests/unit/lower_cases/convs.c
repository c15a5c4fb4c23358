// expect: 227942
/* compound assignment through other computation types, truth values of
   every scalar kind, void casts */
static int side;
static int bump(void) { return ++side; }
int main(void)
{
    int acc = 0;
    int i = 7;
    i *= 1.5;              /* int -> double -> int */
    acc += i;
    unsigned char uc = 200;
    uc += 100;             /* wraps in the store */
    acc += uc;
    uc *= 2.5;
    acc += uc;
    short sh = -3;
    sh <<= 14;
    acc += sh;
    long l = 1;
    l <<= i;               /* count is int */
    acc += (int)(l >> 5);
    float f = 3;
    f /= 2;
    f -= 0.25;
    acc += (int)(f * 100);
    char c = 'A';
    c ^= 0x20;
    acc += c;
    int *p = &i;
    _Bool bp = p;
    acc += bp + !p + (p ? 10 : 20) + (p && f) * 100 + (0.0 || l) * 1000;
    double nan = 0.0 / 0.0;
    if (nan) acc += 10000;
    _Bool bn = nan;
    acc += bn * 3;
    long cond = 1L << 40;
    acc += cond ? 1 : 2;
    (void)bump();
    (void)(side ? bump() : 0);
    acc += side * 100000;
    unsigned u = 10;
    u -= 20;
    acc += (int)(u >> 28);
    long long ll = -1;
    ll /= 2;
    acc += (int)ll;
    unsigned long ul = 5;
    ul *= -1;
    acc += (int)(ul >> 60);
    int neg = -7;
    neg %= 3;
    acc += neg;
    neg = -7;
    neg >>= 1;
    acc += neg;
    return acc;
}

// expect: 2530
/* goto into and out of loops, labels in odd places, switch in loops,
   values live across blocks */
static int arr[16];
static int f(int n)
{
    int i = 0, s = 0;
    if (n > 5)
        goto inside;
    while (i < n) {
        s += arr[i];
    inside:
        s += 100;
        i++;
    }
    return s;
}
static int g(int x)
{
    int r = 0;
    switch (x) {
        while (r < 50) {
        case 0: r += 7;
        case 1: r += 3;
        }
        break;
    default:
        r = -1;
    }
    return r;
}
static int h(const int *p, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] > 2 && p[i] < 9)
            s += p[i] * 2;
        else if (p[i] == 0)
            continue;
        else
            s -= p[i];
        if (s > 1000)
            break;
    }
    return s;
}
int main(void)
{
    for (int i = 0; i < 16; i++) arr[i] = i * 3 % 11;
    int acc = f(3) + f(8) * 2 + g(0) * 3 + g(1) * 5 + g(9) + h(arr, 16);
    int k = 0, t = 0;
top:
    t += k;
    if (++k < 10) goto top;
    acc += t;
    int u = 0;
    do {
        if (u % 2) { u += 3; continue; }
        u++;
    } while (u < 20);
    acc += u;
    unsigned char c = 250;
    int loops = 0;
    while (c != 4) { c++; loops++; }
    acc += loops;
    return acc;
}

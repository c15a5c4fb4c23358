/* expect-exit: 31 */
/* expect-stdout:
30414093201713378043612608166064768844377641568960512000000000000
1267650600228229401496703205376
9969216677189303386214405760200
*/
#include <stdio.h>
#include <string.h>

/* Decimal big numbers, least significant digit first. */
#define DIGITS 200

static int mul_small(unsigned char *d, int len, int k)
{
    int carry = 0;
    for (int i = 0; i < len; i++) {
        int v = d[i] * k + carry;
        d[i] = (unsigned char)(v % 10);
        carry = v / 10;
    }
    while (carry) {
        d[len++] = (unsigned char)(carry % 10);
        carry /= 10;
    }
    return len;
}

static void print(const unsigned char *d, int len)
{
    for (int i = len - 1; i >= 0; i--)
        putchar('0' + d[i]);
    putchar('\n');
}

int main(void)
{
    unsigned char d[DIGITS];
    memset(d, 0, sizeof d);
    d[0] = 1;
    int len = 1;
    for (int k = 2; k <= 50; k++)
        len = mul_small(d, len, k);
    print(d, len);
    memset(d, 0, sizeof d);
    d[0] = 1;
    len = 1;
    for (int k = 0; k < 100; k++)
        len = mul_small(d, len, 2);
    print(d, len);
    unsigned char a[DIGITS] = { 0 }, b[DIGITS] = { 0 }, c[DIGITS];
    a[0] = 0;
    b[0] = 1;
    int la = 1, lb = 1;
    for (int n = 0; n < 150; n++) {
        int l = la > lb ? la : lb, carry = 0;
        for (int i = 0; i < l; i++) {
            int v = a[i] + b[i] + carry;
            c[i] = (unsigned char)(v % 10);
            carry = v / 10;
        }
        if (carry)
            c[l++] = (unsigned char)carry;
        memcpy(a, b, DIGITS);
        la = lb;
        memcpy(b, c, (size_t)l);
        lb = l;
    }
    print(a, la);
    return len;
}

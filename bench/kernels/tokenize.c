/* String scanning: tokenize 64 KB of C-like text into identifiers, numbers
 * and punctuation, hashing identifiers and summing numbers, n times. */
#include <stdint.h>
#define LEN (64 << 10)
static char text[LEN + 1];
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
long bench(int n)
{
    static const char *const frag[8] = {"int x = 42;\n", "for (i = 0; i < n; i++) ",
                                        "s += a[i] * 3; ", "return foo_bar(y, 17);\n",
                                        "/* c */ ", "if (k != 0x1F) k--; ", "\tunsigned char c;\n",
                                        "z = (w + 100) >> 2; "};
    unsigned s = 3;
    int p = 0;
    while (p < LEN) {
        s = s * 1103515245u + 12345u;
        const char *f = frag[(s >> 16) & 7];
        while (*f && p < LEN)
            text[p++] = *f++;
    }
    text[LEN] = 0;
    uint32_t hsum = 0;
    long nsum = 0, ntok = 0;
    for (int r = 0; r < n; r++) {
        const char *c = text;
        while (*c) {
            if (*c == ' ' || *c == '\n' || *c == '\t') {
                c++;
            } else if (is_alpha(*c)) {
                uint32_t h = 2166136261u;
                while (is_alpha(*c) || is_digit(*c))
                    h = (h ^ (unsigned char)*c++) * 16777619u;
                hsum += h;
                ntok++;
            } else if (is_digit(*c)) {
                long v = 0;
                while (is_digit(*c) || (*c >= 'a' && *c <= 'f') || *c == 'x' || (*c >= 'A' && *c <= 'F'))
                    v = v * 16 + (*c++ & 15);
                nsum += v;
                ntok++;
            } else if (c[0] == '/' && c[1] == '*') {
                c += 2;
                while (*c && !(c[0] == '*' && c[1] == '/'))
                    c++;
                if (*c)
                    c += 2;
            } else {
                if ((c[0] == '+' || c[0] == '-' || c[0] == '>' || c[0] == '<' || c[0] == '!') &&
                    (c[1] == c[0] || c[1] == '='))
                    c++;
                c++;
                ntok++;
            }
        }
    }
    return (long)hsum + nsum + ntok;
}

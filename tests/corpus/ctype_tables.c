/* expect-exit: 0 */
/* expect-stdout:
6 12 4 5 3
48879 549755813887
26 26 10 6 32 22 
*/
#include <stdio.h>

enum { UP = 1, LO = 2, DI = 4, SP = 8, PU = 16, HX = 32 };
static unsigned char ctab[256];

static void init(void)
{
    for (int c = 0; c < 256; c++) {
        unsigned char f = 0;
        if (c >= 'A' && c <= 'Z') f |= UP;
        if (c >= 'a' && c <= 'z') f |= LO;
        if (c >= '0' && c <= '9') f |= DI | HX;
        if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= HX;
        if (c == ' ' || (c >= '\t' && c <= '\r')) f |= SP;
        if (c > 32 && c < 127 && !(f & (UP | LO | DI))) f |= PU;
        ctab[c] = f;
    }
}

static int count(const char *s, int mask)
{
    int n = 0;
    for (; *s; s++)
        n += (ctab[(unsigned char)*s] & mask) != 0;
    return n;
}

static long parse_hex(const char *s)
{
    long v = 0;
    for (; ctab[(unsigned char)*s] & HX; s++)
        v = v * 16 + ((ctab[(unsigned char)*s] & DI) ? *s - '0' : (*s | 32) - 'a' + 10);
    return v;
}

int main(void)
{
    init();
    const char *text = "Hello, World! 123 0xBEEF\tend.\n";
    printf("%d %d %d %d %d\n", count(text, UP), count(text, LO), count(text, DI), count(text, SP), count(text, PU));
    printf("%ld %ld\n", parse_hex("BEEF"), parse_hex("7fffffffff"));
    int hist[6] = { 0 };
    for (int c = 0; c < 256; c++)
        for (int b = 0; b < 6; b++)
            hist[b] += (ctab[c] >> b) & 1;
    for (int b = 0; b < 6; b++)
        printf("%d ", hist[b]);
    printf("\n");
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
10 375539752
20 2167169478
14 2344791729
12 3536386561
*/
/* Stores whose address is computed early (`out[o++] = ...` and the same
 * spelled out): the JIT moves the address and the increment next to the
 * store unless something in between reads or rewrites them. */
#include <stdio.h>

static unsigned char buf[64];

static int postinc(unsigned char *out, const unsigned char *in, int n)
{
    int o = 0;
    for (int i = 0; i < n; i++, in += 3)
        out[o++] = (unsigned char)((77 * in[0] + 150 * in[1] + 29 * in[2]) >> 8);
    return o;
}

/* the updated index is read between the address and the store */
static int reads_updated(unsigned char *out, int n)
{
    int o = 0;
    for (int i = 0; i < n; i++) {
        unsigned char *d = out + o;
        o++;
        int x = o * 2 + i;
        *d = (unsigned char)x;
    }
    return o;
}

/* the index is rewritten, then the base moves, before the store */
static int rewrites(unsigned char *out, int n)
{
    int o = 1;
    for (int i = 0; i < n; i++) {
        unsigned char *d = out + o;
        o++;
        o = o * 3 % 17;
        out = out + (i & 1);
        *d = (unsigned char)(o + i);
    }
    return o;
}

/* a short store through a pointer that is also advanced */
static int ptr_update(unsigned short *p, int n)
{
    unsigned short *q = p;
    for (int i = 0; i < n; i++) {
        unsigned short *d = q + 1;
        q++;
        *d = (unsigned short)(i * 1000 + 7);
    }
    return (int)(q - p);
}

int main(void)
{
    unsigned char in[30];
    for (int i = 0; i < 30; i++)
        in[i] = (unsigned char)(i * 37 + 11);
    unsigned sum = 0;
    int n = postinc(buf, in, 10);
    for (int i = 0; i < 64; i++)
        sum = sum * 31 + buf[i];
    printf("%d %u\n", n, sum);
    n = reads_updated(buf, 20);
    for (int i = 0; i < 64; i++)
        sum = sum * 31 + buf[i];
    printf("%d %u\n", n, sum);
    n = rewrites(buf, 20);
    for (int i = 0; i < 64; i++)
        sum = sum * 31 + buf[i];
    printf("%d %u\n", n, sum);
    unsigned short sh[16] = {0};
    n = ptr_update(sh, 12);
    for (int i = 0; i < 16; i++)
        sum = sum * 31 + sh[i];
    printf("%d %u\n", n, sum);
    return 0;
}

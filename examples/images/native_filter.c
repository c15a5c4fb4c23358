/* native_filter.c — runs a filter plugin's source compiled natively by gcc
 * on stdin (the reference for the expected outputs of the examples):
 *   gcc -O2 -DFILTER=filter -include examples/gray.c native_filter.c */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    static unsigned char in[1 << 24], out[1 << 25];
    size_t n = fread(in, 1, sizeof in, stdin);
    int r = FILTER(in, (int)n, out, (int)sizeof out);
    if (r < 0)
        return 1;
    fwrite(out, 1, (size_t)r, stdout);
    return 0;
}

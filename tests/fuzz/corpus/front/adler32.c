/* expect-exit: 0 */
/* expect-stdout:
11e60398
d43b9aef
00000001
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

uint32_t adler32(const unsigned char *p, int n)
{
    uint32_t a = 1, b = 0;
    for (int i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

int main(void)
{
    const char *s = "Wikipedia";
    printf("%08x\n", adler32((const unsigned char *)s, (int)strlen(s)));
    static unsigned char buf[100000];
    for (int i = 0; i < 100000; i++)
        buf[i] = (unsigned char)(i * 7 + (i >> 8));
    printf("%08x\n", adler32(buf, 100000));
    printf("%08x\n", adler32(buf, 0));
    return 0;
}

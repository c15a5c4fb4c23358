/* expect-exit: 0 */
/* expect-stdout:
-128 255 -32768 65535
-2147483648 4294967295
-9223372036854775808 18446744073709551615
8 2
0 4 8
1 0 1
1
0
1
1
18
32767 127
*/
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec { char c; int i; double d; };

int main(void)
{
    int8_t a = INT8_MIN;
    uint8_t b = UINT8_MAX;
    int16_t c = INT16_MIN;
    uint16_t d = UINT16_MAX;
    int32_t e = INT32_MIN;
    uint32_t f = UINT32_MAX;
    int64_t g = INT64_MIN;
    uint64_t h = UINT64_MAX;
    printf("%d %d %d %d\n", a, b, c, d);
    printf("%d %u\n", e, f);
    printf("%lld %llu\n", (long long)g, (unsigned long long)h);
    printf("%d %d\n", (int)sizeof(int64_t), (int)sizeof(uint16_t));
    printf("%d %d %d\n", (int)offsetof(struct rec, c), (int)offsetof(struct rec, i),
           (int)offsetof(struct rec, d));
    bool ok = true;
    printf("%d %d %d\n", ok, false, true);
    char *p = NULL;
    printf("%d\n", p == NULL);
    int *m = malloc(4 * sizeof(int));
    memset(m, 0, 4 * sizeof(int));
    printf("%d\n", m[3]);
    free(m);
    printf("%d\n", INT32_MAX == INT_MAX);
    printf("%d\n", (int)sizeof(size_t) <= 8);
    intptr_t ip = 5;
    uintptr_t up = 6;
    ptrdiff_t pd = 7;
    printf("%d\n", (int)(ip + up + pd));
    printf("%d %d\n", (int)INT16_MAX, (int)INT8_MAX);
    return 0;
}

/* native: skip */
/* expect-exit: 0 */
/* expect-stdout:
1 2 4 8 8
4 8 8 1
4 4 4 4 4
8 12 8
4 4
1
*/
/* The kplug plugin ABI: 32-bit pointers, 64-bit long, long double = double. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct with_ptr { char c; void *p; };
struct ptr_long { int *p; long l; };
struct three_ptrs { char *a, *b, *c; };

int main(void)
{
    printf("%d %d %d %d %d\n", (int)sizeof(char), (int)sizeof(short), (int)sizeof(int),
           (int)sizeof(long), (int)sizeof(long long));
    printf("%d %d %d %d\n", (int)sizeof(float), (int)sizeof(double), (int)sizeof(long double),
           (int)sizeof(_Bool));
    printf("%d %d %d %d %d\n", (int)sizeof(void *), (int)sizeof(size_t), (int)sizeof(ptrdiff_t),
           (int)sizeof(int (*)(void)), (int)sizeof(uintptr_t));
    printf("%d %d %d\n", (int)sizeof(struct with_ptr), (int)sizeof(struct three_ptrs),
           (int)offsetof(struct ptr_long, l));
    printf("%d %d\n", (int)sizeof(char *), (int)sizeof(&main));
    unsigned x = 1;
    printf("%d\n", *(unsigned char *)&x);
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
2
3
4
1
1
3
1
04 40
*/
#include <stdio.h>
#include <stdint.h>

int main(void)
{
    int arr[4] = { 1, 2, 3, 4 };
    uintptr_t u = (uintptr_t)&arr[1];
    int *back = (int *)u;
    printf("%d\n", *back);
    u += sizeof(int);
    printf("%d\n", *(int *)u);
    long l = (long)arr;
    printf("%d\n", ((int *)l)[3]);
    printf("%d\n", (uintptr_t)&arr[2] - (uintptr_t)&arr[0] == 2 * sizeof(int));
    printf("%d\n", ((uintptr_t)&arr[0] & (sizeof(int) - 1)) == 0);
    char *c = (char *)arr;
    int *ip = (int *)(c + 8);
    printf("%d\n", *ip);
    void *v = (void *)0;
    printf("%d\n", v == 0);
    double d = 2.5;
    unsigned char *bytes = (unsigned char *)&d;
    printf("%02x %02x\n", bytes[6], bytes[7]);
    return 0;
}

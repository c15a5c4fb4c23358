/* expect-exit: 0 */
/* expect-stdout:
[   42] [42   ] [00042] [+42] [ 42] [  -42]
[ff] [FF] [0xff] [0000beef] [10] [010]
[3000000000] [         7] [7         ]
[a] [  b] [c  ]
[str] [     right] [left      ] [tr] [    x]
[     1] [2     ] [0003] [   00004]
[007] [] [ -007]
[-5000000000] [6000000000] [18000000000000000000] [abcdef0123]
[-1] [9223372036854775808] [123456789abcdef] [                  99]
[%] [100%]
count me
9
-1 mix m 123 0.500000 77
[+5    ] [5     ]
[44] [44] [4464]
no newline at the end, but fine
*/
#include <stdio.h>

int main(void)
{
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d]\n", 42, 42, 42, 42, 42, -42);
    printf("[%x] [%X] [%#x] [%08x] [%o] [%#o]\n", 255, 255, 255, 0xbeef, 8, 8);
    printf("[%u] [%10u] [%-10u]\n", 3000000000u, 7u, 7u);
    printf("[%c] [%3c] [%-3c]\n", 'a', 'b', 'c');
    printf("[%s] [%10s] [%-10s] [%.2s] [%5.1s]\n", "str", "right", "left", "trunc", "xyz");
    printf("[%*d] [%-*d] [%.*d] [%*.*d]\n", 6, 1, 6, 2, 4, 3, 8, 5, 4);
    printf("[%.3d] [%.0d] [%5.3d]\n", 7, 0, -7);
    printf("[%ld] [%li] [%lu] [%lx]\n", -5000000000L, 6000000000L, 18000000000000000000UL, 0xabcdef0123L);
    printf("[%lld] [%llu] [%llx] [%20lld]\n", -1LL, 1ULL << 63, 0x123456789abcdefULL, 99LL);
    printf("[%%] [100%%]\n");
    int n = printf("count me\n");
    printf("%d\n", n);
    printf("%d %s %c %ld %f %u\n", -1, "mix", 'm', 123L, 0.5, 77u);
    printf("[%-+6d] [%0-6d]\n", 5, 5);
    printf("[%hhd] [%hhu] [%hd]\n", 300, 300, 70000);
    printf("no newline at the end, but fine");
    printf("\n");
    return 0;
}

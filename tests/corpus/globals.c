/* expect-exit: 3 */
/* expect-stdout:
0 42 -1234567890123 3.14159 Q
3 11
0 4
deadbeef
42 0.25
7
*/
#include <stdio.h>

int counter;
int initialized = 42;
long big_global = -1234567890123L;
double pi = 3.14159;
char letter = 'Q';
int table[5] = { 1, 1, 2, 3, 5 };
int zeros[100];
unsigned char bytes[] = { 0xde, 0xad, 0xbe, 0xef };
const int answer = 6 * 7;
float ratio = 1.0f / 4;

void bump(void) { counter++; table[4] += counter; }

int main(void)
{
    printf("%d %d %ld %.5f %c\n", counter, initialized, big_global, pi, letter);
    for (int i = 0; i < 3; i++)
        bump();
    printf("%d %d\n", counter, table[4]);
    int z = 0;
    for (int i = 0; i < 100; i++)
        z |= zeros[i];
    printf("%d %d\n", z, (int)sizeof bytes);
    printf("%02x%02x%02x%02x\n", bytes[0], bytes[1], bytes[2], bytes[3]);
    printf("%d %g\n", answer, ratio);
    initialized = 7;
    printf("%d\n", initialized);
    return counter;
}

/* expect-exit: 0 */
/* expect-stdout:
1 1 2 34 34 0 0 1000 -1000 20 31 -31 0 
nul one two three four five six seven eight nine ten eleven ? ? max
710
*/
#include <stdio.h>

#define C10(b) case b##0: case b##1: case b##2: case b##3: case b##4: \
               case b##5: case b##6: case b##7: case b##8: case b##9:

static int classify(int x)
{
    switch (x) {
    C10(1) return 1;
    C10(2) return 2;
    C10(3) C10(4) return 34;
    case 1000: return 1000;
    case -1000: return -1000;
    case 1 << 20: return 20;
    case 0x7FFFFFFF: return 31;
    case -2147483647 - 1: return -31;
    default: return 0;
    }
}

static const char *dense(unsigned char c)
{
    switch (c) {
    case 0: return "nul"; case 1: return "one"; case 2: return "two"; case 3: return "three";
    case 4: return "four"; case 5: return "five"; case 6: return "six"; case 7: return "seven";
    case 8: return "eight"; case 9: return "nine"; case 10: return "ten"; case 11: return "eleven";
    case 255: return "max";
    }
    return "?";
}

int main(void)
{
    int probe[] = { 10, 19, 25, 33, 49, 50, 9, 1000, -1000, 1 << 20, 0x7FFFFFFF, -2147483647 - 1, 7 };
    for (int i = 0; i < 13; i++)
        printf("%d ", classify(probe[i]));
    printf("\n");
    for (int c = 0; c < 14; c++)
        printf("%s ", dense((unsigned char)c));
    printf("%s\n", dense(255));
    long total = 0;
    for (int i = -100; i < 600; i++)
        total += classify(i);
    printf("%ld\n", total);
    return 0;
}

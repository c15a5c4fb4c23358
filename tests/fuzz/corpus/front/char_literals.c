/* expect-exit: 10 */
/* expect-stdout:
97 90 48 32
10 9 0 92 39 34
65 65 127
-1 -128
-23 233
45
ok!
1
Q
*/
#include <stdio.h>

int main(void)
{
    printf("%d %d %d %d\n", 'a', 'Z', '0', ' ');
    printf("%d %d %d %d %d %d\n", '\n', '\t', '\0', '\\', '\'', '"');
    printf("%d %d %d\n", '\x41', '\101', '\177');
    printf("%d %d\n", '\xff', '\200');
    char c = '\xe9';
    unsigned char uc = '\xe9';
    printf("%d %d\n", c, uc);
    int digits = 0;
    for (char ch = '0'; ch <= '9'; ch++)
        digits += ch - '0';
    printf("%d\n", digits);
    printf("%c%c%c\n", 'o' - 1 + 1, 'k', '!');
    printf("%d\n", 'a' < 'b');
    char up = 'q' - 'a' + 'A';
    printf("%c\n", up);
    return '\n';
}

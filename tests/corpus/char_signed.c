/* expect-exit: 0 */
/* expect-stdout:
-56 -128 200
-128
0
-2
255 127 128
1
1
*/
#include <stdio.h>

int main(void)
{
    char c = (char)200;
    signed char sc = -128;
    unsigned char uc = 200;
    printf("%d %d %d\n", c, sc, uc);
    c = 127;
    c++;
    printf("%d\n", c);
    uc = 255;
    uc++;
    printf("%d\n", uc);
    char s[4] = { (char)0xff, 0x7f, (char)0x80, 0 };
    int sum = 0;
    for (int i = 0; i < 3; i++)
        sum += s[i];
    printf("%d\n", sum);
    unsigned char *u = (unsigned char *)s;
    printf("%d %d %d\n", u[0], u[1], u[2]);
    printf("%d\n", (char)-1 == -1);
    printf("%d\n", (unsigned char)-1 == 255);
    return 0;
}

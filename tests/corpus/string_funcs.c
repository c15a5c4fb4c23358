/* expect-exit: 0 */
/* expect-stdout:
hello world 11
-1 1 0
-1 1
0 -1
o world
1
1
12345xxx
ababcdehij
bcdehdehij
-1 0
1
-1 -1 0
1 0
aaa 1
*/
#include <stdio.h>
#include <string.h>

int sgn(int x) { return (x > 0) - (x < 0); }

int main(void)
{
    char buf[64];
    strcpy(buf, "hello world");
    printf("%s %d\n", buf, (int)strlen(buf));
    printf("%d %d %d\n", sgn(strcmp("abc", "abd")), sgn(strcmp("b", "a")), strcmp("same", "same"));
    printf("%d %d\n", sgn(strcmp("ab", "abc")), sgn(strcmp("\xff", "a")));
    printf("%d %d\n", strncmp("abcdef", "abcxyz", 3), sgn(strncmp("abcdef", "abcxyz", 4)));
    char *o = strchr(buf, 'o');
    printf("%s\n", o);
    printf("%d\n", strchr(buf, 'z') == NULL);
    printf("%d\n", strchr(buf, '\0') == buf + strlen(buf));
    char dst[16];
    memset(dst, 'x', sizeof dst);
    memcpy(dst, "12345", 5);
    dst[8] = 0;
    printf("%s\n", dst);
    char mv[] = "abcdefghij";
    memmove(mv + 2, mv, 5);
    printf("%s\n", mv);
    memmove(mv, mv + 3, 5);
    printf("%s\n", mv);
    printf("%d %d\n", sgn(memcmp("abc", "abd", 3)), memcmp("abc", "abd", 2));
    unsigned char raw[4] = { 1, 2, 3, 200 };
    unsigned char raw2[4] = { 1, 2, 3, 100 };
    printf("%d\n", sgn(memcmp(raw, raw2, 4)));
    int nums[5];
    memset(nums, 0, sizeof nums);
    memset(nums, 0xff, 2 * sizeof(int));
    printf("%d %d %d\n", nums[0], nums[1], nums[2]);
    char *r = strcpy(buf, "");
    printf("%d %d\n", r == buf, (int)strlen(buf));
    void *m = memset(buf, 'a', 3);
    buf[3] = 0;
    printf("%s %d\n", buf, m == buf);
    return 0;
}

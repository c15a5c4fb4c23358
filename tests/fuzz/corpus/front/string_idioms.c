/* expect-exit: 0 */
/* expect-stdout:
kplug 5
gulpk
1 0 1
[0][-1][12345][-2147483648][2147483647]
ab-ab-ab-
5 beta gamma
adgbehcfi
*/
#include <stdio.h>
#include <string.h>

static void my_strcpy(char *d, const char *s) { while ((*d++ = *s++)) ; }
static size_t my_strlen(const char *s) { const char *p = s; while (*p) p++; return (size_t)(p - s); }
static void reverse(char *s)
{
    for (char *e = s + strlen(s) - 1; s < e; s++, e--) {
        char t = *s;
        *s = *e;
        *e = t;
    }
}
static int is_palindrome(const char *s)
{
    const char *e = s + strlen(s);
    while (s < e) {
        while (s < e && *s == ' ') s++;
        while (s < e && e[-1] == ' ') e--;
        if (s < e && *s++ != *--e)
            return 0;
    }
    return 1;
}
static void itoa10(int v, char *out)
{
    char tmp[16];
    int n = 0, neg = v < 0;
    unsigned u = neg ? 0u - (unsigned)v : (unsigned)v;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (neg) *out++ = '-';
    while (n) *out++ = tmp[--n];
    *out = 0;
}
static char *my_strcat(char *d, const char *s) { strcpy(d + strlen(d), s); return d; }

int main(void)
{
    char buf[64];
    my_strcpy(buf, "kplug");
    printf("%s %d\n", buf, (int)my_strlen(buf));
    reverse(buf);
    puts(buf);
    printf("%d %d %d\n", is_palindrome("never odd or even"), is_palindrome("abca"), is_palindrome(""));
    int vals[] = { 0, -1, 12345, -2147483647 - 1, 2147483647 };
    for (int i = 0; i < 5; i++) {
        itoa10(vals[i], buf);
        printf("[%s]", buf);
    }
    printf("\n");
    buf[0] = 0;
    for (int i = 0; i < 3; i++)
        my_strcat(my_strcat(buf, "ab"), "-");
    puts(buf);
    const char *words = "alpha beta gamma";
    const char *sp = strchr(words, ' ');
    printf("%d %s\n", (int)(sp - words), sp + 1);
    char grid[3][4] = { "abc", "def", "ghi" };
    for (int c = 0; c < 3; c++)
        for (int r = 0; r < 3; r++)
            putchar(grid[r][c]);
    putchar('\n');
    return 0;
}

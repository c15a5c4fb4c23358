/* expect-exit: 10 */
/* expect-stdout:
abc      xxabcxx    1
^abc     xxabc      0
abc$     xxabc      1
a.c      abc        1
a*b      aaab       1
^a*$                1
x.*y     x123y      1
x.*y     x123       0
^.*$     anything   1
ab*c     ac         1
colou*r  color      1
^h.l*o$  hello      1
*/
#include <stdio.h>

/* Kernighan and Pike's matcher: c . ^ $ * */
static int matchhere(const char *re, const char *text);

static int matchstar(int c, const char *re, const char *text)
{
    do {
        if (matchhere(re, text))
            return 1;
    } while (*text != '\0' && (*text++ == c || c == '.'));
    return 0;
}

static int matchhere(const char *re, const char *text)
{
    if (re[0] == '\0')
        return 1;
    if (re[1] == '*')
        return matchstar(re[0], re + 2, text);
    if (re[0] == '$' && re[1] == '\0')
        return *text == '\0';
    if (*text != '\0' && (re[0] == '.' || re[0] == *text))
        return matchhere(re + 1, text + 1);
    return 0;
}

static int match(const char *re, const char *text)
{
    if (re[0] == '^')
        return matchhere(re + 1, text);
    do {
        if (matchhere(re, text))
            return 1;
    } while (*text++ != '\0');
    return 0;
}

int main(void)
{
    static const char *cases[][2] = {
        { "abc", "xxabcxx" }, { "^abc", "xxabc" }, { "abc$", "xxabc" }, { "a.c", "abc" },
        { "a*b", "aaab" }, { "^a*$", "" }, { "x.*y", "x123y" }, { "x.*y", "x123" },
        { "^.*$", "anything" }, { "ab*c", "ac" }, { "colou*r", "color" }, { "^h.l*o$", "hello" },
    };
    int n = (int)(sizeof cases / sizeof cases[0]), hits = 0;
    for (int i = 0; i < n; i++) {
        int m = match(cases[i][0], cases[i][1]);
        hits += m;
        printf("%-8s %-10s %d\n", cases[i][0], cases[i][1], m);
    }
    return hits;
}

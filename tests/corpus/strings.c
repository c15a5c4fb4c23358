/* expect-exit: 0 */
/* expect-stdout:
tab	here
newline
quote" backslash\ apostrophe' question?
ABCD0
1
4
concatenated 12
7 8 12 13 11 
121
127 -1
multiline string
0
0
cxq
*/
#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *s = "tab\there\nnewline";
    puts(s);
    printf("%s\n", "quote\" backslash\\ apostrophe\' question\?");
    printf("%s\n", "\x41\x42\103\104\60");
    printf("%d\n", (int)strlen("a\0b"));
    printf("%d\n", (int)sizeof("a\0b"));
    const char *joined = "con" "cat" "enated";
    printf("%s %d\n", joined, (int)strlen(joined));
    char esc[] = "\a\b\f\r\v";
    for (int i = 0; esc[i]; i++)
        printf("%d ", esc[i]);
    printf("\n");
    printf("%d\n", "xyz"[1]);
    char hex[] = "\x7f\xff";
    printf("%d %d\n", hex[0], hex[1]);
    printf("%s\n", "multi"
                   "line"
                   " string");
    const char *a = "same", *b = "same";
    printf("%d\n", strcmp(a, b));
    printf("%d\n", (int)strlen(""));
    printf("%c%c%c\n", "abc"[2], *"xyz", *("pq" + 1));
    return 0;
}

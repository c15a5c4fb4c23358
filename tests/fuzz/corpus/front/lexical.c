/* expect-exit: 0 */
/* expect-stdout:
3
8 4 8 8
8 8
1
1
83 52 65 103
5
abcdef
12
5
15
1
9223372036854775808
1
1
*/
/* Lexical corners: digraphs, integer constant types, escapes, line splices, comments. */
#include <stdio.h>
#define CAT(a, b) a %:%: b
int main(void)
<%
    int arr<:3:> = <% 1, 2, 3 %>;
    printf("%d\n", arr<:2:>);
    printf("%d %d %d %d\n", (int)sizeof(2147483648), (int)sizeof(0xFFFFFFFF), (int)sizeof(4294967296), (int)sizeof(-2147483648));
    printf("%d %d\n", (int)sizeof(10uL), (int)sizeof(1llu));
    printf("%d\n", 0xFFFFFFFF > 0);
    printf("%d\n", -2147483648 < 0);
    const char *s = "\1234\x41g";
    printf("%d %d %d %d\n", s[0], s[1], s[2], s[3]);
    in\
t x = 5;
    printf("%d\n", x);
    const char *t = "abc\
def";
    puts(t);
    // comment with continuation \
    printf("hidden\n");
    printf("%d\n", CAT(1, 2));
    printf("%d\n", (int)sizeof("ab" "cd"));
    int y = 10 /* inline */ + /* another */ 5;
    printf("%d\n", y);
    printf("%d\n", 'A' == 65 && '\0' == 0);
    printf("%lu\n", 0x7FFFFFFFFFFFFFFF + 1UL);
    printf("%d\n", 1e2 == 100.0);
    printf("%d\n", .5e1 == 5 && 5. == 5 && 0x1p4 == 16);
    return 0;
%>

/* expect-exit: 0 */
/* expect-stdout:
F(1)
[(1, 2)]
spaced out tokens
a "b\n" 'c'
4
log: 2 + 3 = 5
10
42
5
9 1
20
4
line ok
unsigned promotion in #if
short-circuit in #if
exactly three
*/
#include <stdio.h>

#define EMPTY
#define LPAREN (
#define F(x) [x]
#define G(x, y) x##y
#define H(...) sizeof((int[]){ __VA_ARGS__ }) / sizeof(int)
#define LOG(fmt, ...) printf("log: " fmt "\n", __VA_ARGS__)
#define STR(x) #x
#define XSTR(x) STR(x)
#define PAIR(a, b) a, b
#define FIRST(a, b) a
#define XFIRST(args) FIRST(args)
#define ADD1(x) ((x) + 1)
#define NOT_CALLED ADD1
#define SAME 1
#define SAME 1
#define COMMA ,
#define ID(x) x

int G(var, 9) = 9;

int main(void)
{
    puts(STR(F(1)));
    puts(XSTR(F((1, 2))));
    puts(STR( spaced    out   tokens ));
    puts(STR(a "b\n" 'c'));
    printf("%d\n", (int)(H(1, 2, 3, 4)));
    LOG("%d + %d = %d", 2, 3, 2 + 3);
    printf("%d\n", XFIRST(PAIR(10, 20)));
    printf("%d\n", NOT_CALLED(41));
    int ADD1 = 5;
    printf("%d\n", ADD1);
    printf("%d %d\n", var9, SAME);
    printf("%d\n", G(1, 0) + G(, 7) + G(3, ));
    printf("%d\n", ID(ID(ID(4))));
    printf("%s\n", XSTR(__LINE__) + 0 != 0 ? "line ok" : "no");
#if -1 > 0u
    puts("unsigned promotion in #if");
#else
    puts("no promotion");
#endif
#if (2 || 1 / 0) && !(0 && 1 / 0)
    puts("short-circuit in #if");
#endif
#define DEPTH 3
#if DEPTH > 2
#  if DEPTH > 4
    puts("deep");
#  elif defined(DEPTH) && DEPTH == 3
    puts("exactly three");
#  endif
#endif
    return 0;
}

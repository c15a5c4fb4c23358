/* expect-exit: 3 */
/* expect-stdout:
level > 2
three
A only
A or B
no B
undefined is 0
arith
nested else
literals
ternary
*/
#include <stdio.h>

#define LEVEL 3
#define FEATURE_A
#define ZERO 0

int main(void)
{
#if LEVEL > 2
    puts("level > 2");
#elif LEVEL > 1
    puts("level > 1");
#else
    puts("low");
#endif

#if LEVEL == 1
    puts("one");
#elif LEVEL == 3
    puts("three");
#endif

#if defined(FEATURE_A) && !defined(FEATURE_B)
    puts("A only");
#endif

#if defined FEATURE_A || defined FEATURE_B
    puts("A or B");
#endif

#ifndef FEATURE_B
    puts("no B");
#endif

#if ZERO
    puts("zero true");
#endif

#if UNDEFINED_NAME
    puts("undefined true");
#else
    puts("undefined is 0");
#endif

#if (LEVEL * 2 + 1) % 4 == 3 && (1 << 4) == 16 && -1 < 0
    puts("arith");
#endif

#if 0
    this is not C at all ' " @
#if 1
    nested skipped
#endif
#endif

#ifdef FEATURE_A
#ifdef FEATURE_B
    puts("both");
#else
    puts("nested else");
#endif
#endif

#if 0x10 == 16 && 010 == 8 && 'A' == 65
    puts("literals");
#endif

#if LEVEL >= 3 ? 1 : 0
    puts("ternary");
#endif
    return LEVEL;
}

/* expect-trap: KP_TRAP_DIV */
/* LONG_MIN % -1 overflows like LONG_MIN / -1 (x86 idiv faults on both). */
#include <limits.h>
long rem(long a, long b) { return a % b; }
int main(void) { return (int)rem(LONG_MIN, -1); }

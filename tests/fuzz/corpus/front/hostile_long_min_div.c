/* expect-trap: KP_TRAP_DIV */
#include <limits.h>
int main(void)
{
    long a = LONG_MIN, b = -1;
    return (int)(a / b);
}

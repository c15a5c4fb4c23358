/* expect-exit: 11 */
/* Safe outcome: a global initializer g + 0x40000000 (an int pointer: 4 * 2^30
 * bytes = 2^32) is relocated modulo 2^32, back to g — never beyond memory. */
static int g[4] = { 11, 22, 33, 44 };
static int *p = g + 0x40000000;  /* 4 * 2^30 = 2^32: wraps to g */
int main(void) { return *p; }

/* expect-trap: KP_TRAP_BAD_CALL|KP_TRAP_MEMORY */
/* A struct-returning function (hidden result pointer) called as a plain
 * int(int): at worst the callee writes its result through the forged
 * "result pointer" 8, which traps; it can never write outside memory. */
struct pair { int a, b; };
struct pair mk(void) { struct pair p = { 1, 2 }; return p; }
int main(void)
{
    int (*f)(int) = (int (*)(int))mk;
    return f(8);
}

/* expect-trap: KP_TRAP_STACK */
/* Unbounded recursion through a function pointer stored in memory. */
static int (*volatile next)(int);
static int step(int n) { return next(n + 1) + 1; }
int main(void)
{
    next = step;
    return step(0);
}

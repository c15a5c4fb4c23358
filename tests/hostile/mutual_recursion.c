/* expect-trap: KP_TRAP_STACK */
/* Unbounded mutual recursion through two functions. */
int ping(int n);
int pong(int n) { return ping(n + 1) + 1; }
int ping(int n) { return pong(n + 1) + 1; }
int main(void) { return ping(0); }

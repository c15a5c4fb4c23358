/* expect-trap: KP_TRAP_STACK */
/* Each call takes 4 KB of plugin stack for its array. */
int eat(int n)
{
    char buf[4096];
    buf[n & 4095] = (char)n;
    return eat(n + 1) + buf[(n * 7) & 4095];
}
int main(void) { return eat(0); }

/* expect-trap: KP_TRAP_STACK */
/* Big structs passed by value: each level copies 8 KB on the plugin stack. */
struct big { char data[8192]; };
int walk(struct big b, int n)
{
    b.data[n & 8191] = (char)n;
    return walk(b, n + 1) + b.data[0];
}
int main(void)
{
    struct big b = { { 1 } };
    return walk(b, 0);
}

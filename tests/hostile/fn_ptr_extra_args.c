/* expect-trap: KP_TRAP_BAD_CALL */
/* A function of two parameters called with four. */
int add(int a, int b) { return a + b; }
int main(void)
{
    int (*f)(int, int, int, int) = (int (*)(int, int, int, int))add;
    return f(1, 2, 3, 4);
}

/* expect-trap: KP_TRAP_BAD_CALL */
int one(void) { return 1; }
int main(void)
{
    unsigned h = (unsigned)one;
    int (*f)(void) = (int (*)(void))(h + 1000);
    return f();
}

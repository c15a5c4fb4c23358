/* expect-trap: KP_TRAP_BAD_CALL */
int main(void)
{
    int (*f)(void) = (int (*)(void))123456;
    return f();
}

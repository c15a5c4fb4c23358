/* expect-error: 4: return|void */
void f(void)
{
    return 1;
}

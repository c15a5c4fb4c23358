// expect-error: KP_TRAP_DIV
// expect-message: line 8:14
static int zero(void) { return 0; }
int main(void)
{
    int a = 10;
    int b = zero();
    return a / b;
}

// expect-error: KP_TRAP_DIV
int main(void)
{
    int a = -2147483647 - 1;
    int b = -1;
    return a % b;
}

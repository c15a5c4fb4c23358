/* expect-trap: KP_TRAP_BAD_CALL */
int square(int x) { return x * x; }
int main(void)
{
    double (*f)(double, double) = (double (*)(double, double))square;
    return (int)f(1.0, 2.0);
}

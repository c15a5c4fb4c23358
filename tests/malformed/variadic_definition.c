/* expect-error: 2: defining variadic functions is not supported */
int sum(int n, ...)
{
    return n;
}

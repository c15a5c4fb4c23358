/* expect-error: 4: variable-length arrays are not supported */
int f(int n)
{
    int a[n];
    a[0] = 1;
    return a[0];
}

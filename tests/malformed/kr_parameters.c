/* expect-error: 2: old-style|K&R */
int f(a) int a;
{
    return a;
}

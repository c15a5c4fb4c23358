/* expect-error: 5: too few arguments|arguments */
int two(int a, int b) { return a + b; }
int main(void)
{
    return two(1);
}

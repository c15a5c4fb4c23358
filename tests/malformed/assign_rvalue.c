/* expect-error: 5: lvalue|assign */
int main(void)
{
    int x = 0;
    1 = x;
    return x;
}

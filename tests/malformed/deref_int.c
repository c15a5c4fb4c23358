/* expect-error: 5: pointer|indirection|dereference|invalid type argument */
int main(void)
{
    int x = 3;
    return *x;
}

/* expect-error: 4: lvalue|address */
int main(void)
{
    int *p = &42;
    return *p;
}

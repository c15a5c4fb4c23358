/* expect-error: 5: void */
void nothing(void) { }
int main(void)
{
    int x = nothing();
    return x;
}

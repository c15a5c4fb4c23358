/* expect-error: 4: function definition is not allowed here|nested */
int main(void)
{
    int inner(void) { return 1; }
    return inner();
}

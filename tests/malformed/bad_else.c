/* expect-error: 4: else|expected */
int main(void)
{
    else return 1;
}

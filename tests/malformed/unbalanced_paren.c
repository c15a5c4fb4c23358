/* expect-error: 4: expected|')' */
int main(void)
{
    return (1 + (2 * 3);
}

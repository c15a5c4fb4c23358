/* expect-error: 4: stray|unexpected|invalid character|character */
int main(void)
{
    return 3 @ 4;
}

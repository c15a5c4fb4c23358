/* expect-error: 5: duplicate label|redefinition of label|label */
int main(void)
{
here:
here:
    return 0;
}

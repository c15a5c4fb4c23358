/* expect-error: 4: label|nowhere */
int main(void)
{
    goto nowhere;
    return 0;
}

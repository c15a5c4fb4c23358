/* expect-error: 4: break */
int main(void)
{
    break;
    return 0;
}

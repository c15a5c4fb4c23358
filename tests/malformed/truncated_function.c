/* expect-error: 5: expected|end of file|end of input|unexpected */
int main(void)
{
    int x = 1;
    if (x) {

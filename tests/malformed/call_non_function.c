/* expect-error: 5: not a function|called object|cannot call|call */
int main(void)
{
    int x = 3;
    return x(1);
}

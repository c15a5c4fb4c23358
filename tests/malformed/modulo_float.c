/* expect-error: 5: invalid operand|operand|integer|% */
int main(void)
{
    double d = 5.5;
    return (int)(d % 2);
}

/* expect-error: 5: incomplete|unknown size|storage size */
struct never_defined;
int main(void)
{
    struct never_defined x;
    return 0;
}

/* expect-error: 5: struct|union|member|request */
int main(void)
{
    int x = 3;
    return x.field;
}

/* expect-error: 4:12: undeclared|not declared|implicit */
int main(void)
{
    return frobnicate(3);
}

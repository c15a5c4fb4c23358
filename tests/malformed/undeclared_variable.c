/* expect-error: 4:12: undeclared|not declared|unknown identifier */
int main(void)
{
    return missing_var + 1;
}

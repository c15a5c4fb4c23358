/* expect-error: 4: inline assembly is not supported */
int main(void)
{
    __asm__("int3");
    return 0;
}

/* expect-error: 4: inline assembly is not supported */
int main(void)
{
    asm volatile ("nop");
    return 0;
}

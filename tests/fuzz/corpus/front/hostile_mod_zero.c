/* expect-trap: KP_TRAP_DIV */
int main(void)
{
    unsigned zero = 0;
    return (int)(7u % zero);
}

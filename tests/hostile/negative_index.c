/* expect-trap: KP_TRAP_MEMORY */
int main(void)
{
    int a[4] = { 1, 2, 3, 4 };
    int i = -100000000;
    return a[i];
}

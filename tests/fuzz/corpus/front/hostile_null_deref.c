/* expect-trap: KP_TRAP_MEMORY */
int main(void)
{
    int *p = 0;
    return *p;
}

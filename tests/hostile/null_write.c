/* expect-trap: KP_TRAP_MEMORY */
struct s { int a, b; };
int main(void)
{
    struct s *p = 0;
    p->b = 5;
    return 0;
}

// expect-error: KP_TRAP_MEMORY
// expect-message: line 7:
struct S { int a, b; };
int main(void)
{
    struct S *p = 0;
    return p->b;
}

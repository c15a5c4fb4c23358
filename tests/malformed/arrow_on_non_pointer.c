/* expect-error: 6: pointer|->|arrow */
struct s { int a; };
int main(void)
{
    struct s v = { 1 };
    return v->a;
}

/* expect-error: 6: incompatible|invalid|cannot|assign */
struct s { int a; };
int main(void)
{
    struct s v;
    v = 5;
    return v.a;
}

/* expect-error: 6: incompatible|invalid|cannot convert|initializ */
struct pair { int a, b; };
int main(void)
{
    struct pair p = { 1, 2 };
    int x = p;
    return x;
}

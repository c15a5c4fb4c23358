// expect: 1234
/* { .s = x, .s.a = 1 }: the members of x not designated again are kept */
struct S { int a, b, c; };
struct T { int pre; struct S s; int post; };
static struct S mk(int a, int b, int c) { struct S r = {a, b, c}; return r; }
int main(void)
{
    struct S x = {7, 8, 9};
    struct T t = { .s = x, .s.a = 1, .post = 4 };
    struct T u = { .pre = 5, .s = mk(10, 2, 30), .s.c = 3 };
    struct T w = { .s = x, .s.b = 6, .s = mk(1, 1, 1) };
    struct S arr[2] = { [1] = x, [1].c = 4 };
    if (t.pre != 0 || t.s.b != 8 || t.s.c != 9 || w.s.b != 1 || u.pre != 5 || u.s.a != 10)
        return -1;
    if (arr[0].a != 0 || arr[1].a != 7 || arr[1].b != 8)
        return -2;
    return t.s.a * 1000 + u.s.b * 100 + u.s.c * 10 + t.post + arr[1].c - 4;
}

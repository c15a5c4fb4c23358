/* expect-exit: 0 */
/* expect-stdout:
101 1 6 29 11 21 b
31
3 8 3
bac
*/
#include <stdio.h>

struct s { int a; int b[3]; struct s *next; char c; };

static int idx_calls;
static int idx(int i) { idx_calls++; return i; }

int main(void)
{
    struct s x = { 1, { 10, 20, 30 }, 0, 'a' };
    struct s y = { 100, { 0 }, &x, 'z' };
    struct s *p = &y;
    struct s **pp = &p;
    p->a++;
    ++p->b[1];
    p->next->a += 5;
    (*pp)->next->b[2]--;
    int v = p->next->b[0]++ + ++p->next->b[1];
    p->next->c++;
    printf("%d %d %d %d %d %d %c\n", y.a, y.b[1], x.a, x.b[2], x.b[0], x.b[1], x.c);
    printf("%d\n", v);
    int arr[4] = { 0 };
    arr[idx(2)] += 7;
    arr[idx(2)]++;
    arr[idx(1)] |= 3;
    printf("%d %d %d\n", arr[1], arr[2], idx_calls);
    char str[] = "abc";
    char *q = str;
    *q++ += 1;
    *q++ -= 1;
    printf("%s\n", str);
    return 0;
}

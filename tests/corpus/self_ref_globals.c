/* expect-exit: 0 */
/* expect-stdout:
abcabca 1
11
5
4 6 5
*/
#include <stdio.h>

struct node { const char *name; struct node *next; struct node *self; };

extern struct node a, b, c;
struct node a = { "a", &b, &a };
struct node b = { "b", &c, &b };
struct node c = { "c", &a, &c };

struct tree { int v; const struct tree *kids[2]; };
static const struct tree leaf1 = { 1, { 0, 0 } };
static const struct tree leaf2 = { 2, { 0, 0 } };
static const struct tree mid = { 3, { &leaf1, &leaf2 } };
static const struct tree root = { 4, { &mid, &leaf1 } };

static int sum(const struct tree *t) { return t ? t->v + sum(t->kids[0]) + sum(t->kids[1]) : 0; }

static int counter;
static int *const counter_ptr = &counter;
static int arr[3][2] = { { 1, 2 }, { 3, 4 }, { 5, 6 } };
static int *row_ptrs[3] = { arr[0], arr[1], arr[2] };
static int *elem = &arr[2][1];

int main(void)
{
    const struct node *n = &a;
    for (int i = 0; i < 7; i++, n = n->next)
        printf("%s", n->name);
    printf(" %d\n", a.self == &a && c.next == &a);
    printf("%d\n", sum(&root));
    *counter_ptr += 5;
    printf("%d\n", counter);
    printf("%d %d %d\n", row_ptrs[1][1], *elem, row_ptrs[2][0]);
    return 0;
}

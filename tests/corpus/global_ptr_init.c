/* expect-exit: 0 */
/* expect-stdout:
30 50 77
hello three cdef
mutXble
123
42 twice 10
-1
*/
#include <stdio.h>

int data[5] = { 10, 20, 30, 40, 50 };
int *third = &data[2];
int *past = data + 5;
int value = 77;
int *pv = &value;
int **ppv = &pv;
const char *greeting = "hello";
const char *words[] = { "zero", "one", "two", "three" };
char buf[] = "mutable";
char *bufp = buf + 3;
const char *mid = "abcdef" + 2;
struct node { int v; struct node *next; };
struct node n3 = { 3, 0 };
struct node n2 = { 2, &n3 };
struct node n1 = { 1, &n2 };
struct node *head = &n1;
static int twice(int x) { return 2 * x; }
int (*fp)(int) = twice;
struct { const char *k; int (*f)(int); } entry = { "twice", twice };

int main(void)
{
    printf("%d %d %d\n", *third, past[-1], **ppv);
    printf("%s %s %s\n", greeting, words[3], mid);
    *bufp = 'X';
    printf("%s\n", buf);
    int s = 0;
    for (struct node *n = head; n; n = n->next)
        s = s * 10 + n->v;
    printf("%d\n", s);
    printf("%d %s %d\n", fp(21), entry.k, entry.f(5));
    third[1] = -1;
    printf("%d\n", data[3]);
    return 0;
}

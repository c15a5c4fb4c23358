/* expect-exit: 5 */
/* expect-stdout:
100 81 64 49 36 25 16 9 4 1 
1 4 9 16 25 36 49 64 81 100 
1 9 25 49 81 
*/
#include <stdio.h>
#include <stdlib.h>

struct node { int value; struct node *next; };

struct node *push(struct node *head, int v)
{
    struct node *n = malloc(sizeof *n);
    n->value = v;
    n->next = head;
    return n;
}

struct node *reverse(struct node *h)
{
    struct node *prev = NULL;
    while (h) {
        struct node *next = h->next;
        h->next = prev;
        prev = h;
        h = next;
    }
    return prev;
}

struct node *remove_if_even(struct node *h)
{
    struct node **pp = &h;
    while (*pp) {
        if ((*pp)->value % 2 == 0) {
            struct node *dead = *pp;
            *pp = dead->next;
            free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
    return h;
}

void print(const struct node *h)
{
    for (; h; h = h->next)
        printf("%d ", h->value);
    printf("\n");
}

int main(void)
{
    struct node *list = NULL;
    for (int i = 1; i <= 10; i++)
        list = push(list, i * i);
    print(list);
    list = reverse(list);
    print(list);
    list = remove_if_even(list);
    print(list);
    int n = 0;
    while (list) {
        struct node *next = list->next;
        free(list);
        list = next;
        n++;
    }
    return n;
}

/* expect-exit: 0 */
/* expect-stdout:
0x2 1x3 2 6 8 9x2 10 11 14x3 15 16 18 21 25 27 29x3 30x2 34 35 36 37 40 41 43 44x2 45x2 46 48 49 
height 13
*/
#include <stdio.h>
#include <stdlib.h>

typedef struct tree { int key; int count; struct tree *left, *right; } tree;

tree *insert(tree *t, int key)
{
    if (!t) {
        t = calloc(1, sizeof *t);
        t->key = key;
        t->count = 1;
        return t;
    }
    if (key < t->key)
        t->left = insert(t->left, key);
    else if (key > t->key)
        t->right = insert(t->right, key);
    else
        t->count++;
    return t;
}

void inorder(const tree *t)
{
    if (!t)
        return;
    inorder(t->left);
    printf("%d", t->key);
    if (t->count > 1)
        printf("x%d", t->count);
    printf(" ");
    inorder(t->right);
}

int height(const tree *t)
{
    if (!t)
        return 0;
    int l = height(t->left), r = height(t->right);
    return 1 + (l > r ? l : r);
}

void destroy(tree *t)
{
    if (!t)
        return;
    destroy(t->left);
    destroy(t->right);
    free(t);
}

int main(void)
{
    tree *root = NULL;
    unsigned seed = 12345;
    for (int i = 0; i < 40; i++) {
        seed = seed * 1103515245u + 12345u;
        root = insert(root, (int)(seed >> 16) % 50);
    }
    inorder(root);
    printf("\nheight %d\n", height(root));
    destroy(root);
    return 0;
}

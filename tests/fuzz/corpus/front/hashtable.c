/* expect-exit: 0 */
/* expect-stdout:
the 1 5
cat 1 2
sat 1 2
dog 1 1
bird 0 -1
1011 2048 249001
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { char *key; int value; };
struct table { struct entry *slots; int cap, len; };

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static void put(struct table *t, const char *key, int value);

static void grow(struct table *t)
{
    struct entry *old = t->slots;
    int oldcap = t->cap;
    t->cap = t->cap ? t->cap * 2 : 8;
    t->slots = calloc((size_t)t->cap, sizeof *t->slots);
    t->len = 0;
    for (int i = 0; i < oldcap; i++)
        if (old[i].key) {
            put(t, old[i].key, old[i].value);
            free(old[i].key);
        }
    free(old);
}

static void put(struct table *t, const char *key, int value)
{
    if ((t->len + 1) * 4 > t->cap * 3)
        grow(t);
    unsigned i = hash(key) & (unsigned)(t->cap - 1);
    while (t->slots[i].key) {
        if (strcmp(t->slots[i].key, key) == 0) {
            t->slots[i].value = value;
            return;
        }
        i = (i + 1) & (unsigned)(t->cap - 1);
    }
    t->slots[i].key = malloc(strlen(key) + 1);
    strcpy(t->slots[i].key, key);
    t->slots[i].value = value;
    t->len++;
}

static int get(const struct table *t, const char *key, int *out)
{
    if (!t->cap)
        return 0;
    unsigned i = hash(key) & (unsigned)(t->cap - 1);
    while (t->slots[i].key) {
        if (!strcmp(t->slots[i].key, key)) {
            *out = t->slots[i].value;
            return 1;
        }
        i = (i + 1) & (unsigned)(t->cap - 1);
    }
    return 0;
}

int main(void)
{
    struct table t = { 0, 0, 0 };
    const char *text = "the cat sat on the mat the cat ran to the hat and the dog sat too";
    char word[32];
    int wl = 0;
    for (const char *p = text;; p++) {
        if (*p == ' ' || *p == 0) {
            if (wl) {
                word[wl] = 0;
                int v = 0;
                get(&t, word, &v);
                put(&t, word, v + 1);
                wl = 0;
            }
            if (!*p)
                break;
        } else {
            word[wl++] = *p;
        }
    }
    const char *q[] = { "the", "cat", "sat", "dog", "bird" };
    for (int i = 0; i < 5; i++) {
        int v = -1;
        int found = get(&t, q[i], &v);
        printf("%s %d %d\n", q[i], found, v);
    }
    char key[16];
    for (int i = 0; i < 1000; i++) {
        int n = i, k = 0;
        key[k++] = 'k';
        do { key[k++] = (char)('0' + n % 10); n /= 10; } while (n);
        key[k] = 0;
        put(&t, key, i * i);
    }
    int v = 0;
    get(&t, "k994", &v);
    printf("%d %d %d\n", t.len, t.cap, v);
    for (int i = 0; i < t.cap; i++)
        free(t.slots[i].key);
    free(t.slots);
    return 0;
}

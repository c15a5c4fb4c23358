/* expect-exit: 0 */
/* expect-stdout:
10 16 13.75
297 100 128
*/
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

/* A growable vector of fixed-size elements, the plugin-style generic container. */
struct vec { void *data; int len, cap, elem; };

static void vec_push(struct vec *v, const void *x)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4;
        v->data = realloc(v->data, (size_t)(v->cap * v->elem));
    }
    memcpy((char *)v->data + v->len * v->elem, x, (size_t)v->elem);
    v->len++;
}

static void *vec_at(struct vec *v, int i) { return (char *)v->data + i * v->elem; }

static void for_each(struct vec *v, void (*fn)(void *, void *), void *ctx)
{
    for (int i = 0; i < v->len; i++)
        fn(vec_at(v, i), ctx);
}

static void add_double(void *elem, void *ctx) { *(double *)ctx += *(double *)elem; }
static void scale_int(void *elem, void *ctx) { *(int *)elem *= *(int *)ctx; }

int main(void)
{
    struct vec d = { 0, 0, 0, sizeof(double) };
    for (int i = 1; i <= 10; i++) {
        double x = i / 4.0;
        vec_push(&d, &x);
    }
    double total = 0;
    for_each(&d, add_double, &total);
    printf("%d %d %.2f\n", d.len, d.cap, total);
    struct vec iv = { 0, 0, 0, sizeof(int) };
    for (int i = 0; i < 100; i++)
        vec_push(&iv, &i);
    int k = 3;
    for_each(&iv, scale_int, &k);
    printf("%d %d %d\n", *(int *)vec_at(&iv, 99), iv.len, iv.cap);
    free(d.data);
    free(iv.data);
    return 0;
}

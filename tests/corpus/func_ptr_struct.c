/* expect-exit: 0 */
/* expect-stdout:
rect 12 14
tri 15 17
rect 10 22
37
42 81 -5 -9999
*/
#include <stdio.h>

struct shape;
struct shape_ops {
    const char *name;
    int (*area)(const struct shape *);
    int (*perimeter)(const struct shape *);
};

struct shape {
    const struct shape_ops *ops;
    int w, h;
};

static int rect_area(const struct shape *s) { return s->w * s->h; }
static int rect_perim(const struct shape *s) { return 2 * (s->w + s->h); }
static int tri_area(const struct shape *s) { return s->w * s->h / 2; }
static int tri_perim(const struct shape *s) { return s->w + s->h + s->w; }

static const struct shape_ops rect_ops = { "rect", rect_area, rect_perim };
static const struct shape_ops tri_ops = { "tri", tri_area, tri_perim };

struct command { const char *name; int (*fn)(int); };
static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
static int negate(int x) { return -x; }
static struct command commands[] = {
    { "twice", twice }, { "square", square }, { "negate", negate }, { 0, 0 }
};

int run(const char *name, int arg)
{
    for (struct command *c = commands; c->name; c++) {
        const char *a = c->name, *b = name;
        while (*a && *a == *b) { a++; b++; }
        if (*a == *b)
            return c->fn(arg);
    }
    return -9999;
}

int main(void)
{
    struct shape shapes[3] = { { &rect_ops, 3, 4 }, { &tri_ops, 6, 5 }, { &rect_ops, 10, 1 } };
    int total = 0;
    for (int i = 0; i < 3; i++) {
        const struct shape *s = &shapes[i];
        printf("%s %d %d\n", s->ops->name, s->ops->area(s), s->ops->perimeter(s));
        total += s->ops->area(s);
    }
    printf("%d\n", total);
    printf("%d %d %d %d\n", run("twice", 21), run("square", 9), run("negate", 5), run("nope", 1));
    return 0;
}

/* expect-exit: 0 */
/* expect-stdout:
5 hello 4
12 12
whoami
3 4
333
1
1537228672809129301
0-10 3-7 
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// C99 and C11 features plugins commonly use.
_Static_assert(sizeof(int) == 4, "int is 32 bits");

struct packet { int len; unsigned char data[]; };

struct shape {
    int kind;
    union { struct { int w, h; }; int radius; };
};

static inline int area(const struct shape *restrict s)
{
    return s->kind == 0 ? s->w * s->h : 3 * s->radius * s->radius;
}

static const char *whoami(void) { return __func__; }

int main(void)
{
    struct packet *p = malloc(sizeof(struct packet) + 5);
    p->len = 5;
    memcpy(p->data, "hello", 5);
    printf("%d %.*s %d\n", p->len, p->len, (const char *)p->data, (int)sizeof(struct packet));
    free(p);
    struct shape r = { .kind = 0, .w = 3, .h = 4 };
    struct shape c = { 1, { .radius = 2 } };
    printf("%d %d\n", area(&r), area(&c));
    puts(whoami());
    printf("%g %g\n", 0x1.8p1, 0x10p-2);
    int total = 0;
    for (int i = 0; i < 3; i++) {
        int *v = (int[]){ i, i * 10, i * 100 };
        total += v[0] + v[1] + v[2];
    }
    printf("%d\n", total);
    _Bool flags = 0;
    flags |= 2;
    flags &= 1;
    printf("%d\n", flags);
    long long ll = 1LL << 62;
    printf("%lld\n", ll / 3);
    for (int i = 0, j = 10; i < j; i += 3, j -= 3)
        printf("%d-%d ", i, j);
    printf("\n");
    return 0;
}

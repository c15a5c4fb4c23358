/* expect-exit: 0 */
/* expect-stdout:
3f800000 00 00 80 3f
3.14159
c000000000000000 0 -1073741824
int 42
double 2.5
string hi
3f000000
4 8
*/
#include <stdio.h>
#include <stdint.h>

union bits32 { float f; uint32_t u; unsigned char b[4]; };
union bits64 { double d; uint64_t u; int32_t half[2]; };

struct tagged {
    int kind;
    union { int i; double d; const char *s; } v;
};

void show(struct tagged t)
{
    switch (t.kind) {
    case 0: printf("int %d\n", t.v.i); break;
    case 1: printf("double %g\n", t.v.d); break;
    case 2: printf("string %s\n", t.v.s); break;
    }
}

int main(void)
{
    union bits32 x;
    x.f = 1.0f;
    printf("%08x %02x %02x %02x %02x\n", x.u, x.b[0], x.b[1], x.b[2], x.b[3]);
    x.u = 0x40490fdb;
    printf("%.5f\n", x.f);
    union bits64 y;
    y.d = -2.0;
    printf("%016llx %d %d\n", (unsigned long long)y.u, y.half[0], y.half[1]);
    struct tagged t1 = { 0, { .i = 42 } };
    struct tagged t2;
    t2.kind = 1;
    t2.v.d = 2.5;
    struct tagged t3 = { 2, { .s = "hi" } };
    show(t1);
    show(t2);
    show(t3);
    union bits32 z = { 0.5f };
    printf("%08x\n", z.u);
    printf("%d %d\n", (int)sizeof(union bits32), (int)sizeof(union bits64));
    return 0;
}

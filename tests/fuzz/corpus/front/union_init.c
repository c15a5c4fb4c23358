/* expect-exit: 0 */
/* expect-stdout:
4 3 2 1
3f800000
-1 2
aabbccdd -13091
hello
1
4 0 9
*/
#include <stdio.h>
#include <stdint.h>

union value { int32_t i; float f; uint8_t bytes[4]; };

struct msg {
    int type;
    union { struct { int16_t x, y; } pt; uint32_t raw; char text[8]; } u;
};

static union value gv = { 0x01020304 };
static union value gf = { .f = 1.0f };
static struct msg gm[3] = {
    { 1, { .pt = { -1, 2 } } },
    { 2, { .raw = 0xAABBCCDDu } },
    { 3, { .text = "hello" } },
};

int main(void)
{
    printf("%d %d %d %d\n", gv.bytes[0], gv.bytes[1], gv.bytes[2], gv.bytes[3]);
    printf("%08x\n", (unsigned)gf.i);
    printf("%d %d\n", gm[0].u.pt.x, gm[0].u.pt.y);
    printf("%x %d\n", gm[1].u.raw, gm[1].u.pt.x);
    printf("%s\n", gm[2].u.text);
    union value lv = { .bytes = { 1, 0, 0, 0 } };
    printf("%d\n", lv.i);
    struct msg m = { .u.pt.y = 9, .type = 4 };
    printf("%d %d %d\n", m.type, m.u.pt.x, m.u.pt.y);
    return 0;
}

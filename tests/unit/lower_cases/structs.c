// expect: 10983
/* structs, unions, bit-fields, by-value passing */
struct V { int x, y; };
struct Big { char tag; double d; int arr[5]; struct V v; };
union U { int i; float f; unsigned char b[4]; };
struct BF { unsigned a : 3; int b : 5; unsigned c : 12; int d : 12; unsigned char e : 2; _Bool f : 1; long g : 40; };

static struct V vadd(struct V a, struct V b) { struct V r; r.x = a.x + b.x; r.y = a.y + b.y; return r; }
static struct Big mod(struct Big b) { b.arr[2] += 5; b.v.y = -b.v.y; b.tag++; return b; }
static int sumb(struct Big *p) { int s = p->tag; for (int i = 0; i < 5; i++) s += p->arr[i]; return s + (int)p->d + p->v.x + p->v.y; }

int main(void)
{
    int acc = 0;
    struct V a, b;
    a.x = 1; a.y = 2; b.x = 30; b.y = 40;
    struct V c = vadd(a, b);
    acc += c.x * 100 + c.y;
    c = vadd(c, vadd(a, a));
    acc += c.x + c.y;
    acc += vadd(a, b).y;
    struct Big g;
    g.tag = 'A'; g.d = 2.5; g.v = a;
    for (int i = 0; i < 5; i++) g.arr[i] = i * i;
    struct Big h = mod(g);
    acc += sumb(&g) * 3 + sumb(&h);
    struct Big *ph = &h;
    ph->arr[ph->arr[1]] = 77;
    acc += h.arr[1] + sumb(ph);
    union U u;
    u.f = 1.0f;
    acc += u.b[3] + u.b[2];
    u.i = 0x01020304;
    acc += u.b[0] * 10 + u.b[3];
    struct BF bf;
    bf.a = 9; bf.b = -3; bf.c = 4095; bf.d = -2048; bf.e = 7; bf.f = 1; bf.g = -5;
    acc += bf.a + bf.b * 10 + bf.c + bf.d + bf.e + bf.f + (int)bf.g;
    bf.b += 20;
    acc += bf.b;
    bf.a++;
    bf.a++;
    acc += bf.a * 1000;
    int r = (bf.c = 5000);
    acc += r + bf.c;
    r = (bf.b = 100);
    acc += r;
    struct V arr[3];
    for (int i = 0; i < 3; i++) { arr[i].x = i; arr[i].y = -i; }
    arr[1] = arr[2];
    acc += arr[1].x * 7 + arr[1].y;
    struct V *q = arr;
    q++;
    acc += q->x + (q + 1)->x + (int)(q - arr);
    return acc;
}

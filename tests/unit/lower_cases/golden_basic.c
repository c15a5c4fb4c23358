// expect: 66
/* golden IR: loops, && chains, struct members, narrow stores, switch */
struct P { int x, y; unsigned char tag; };

static int sum(const struct P *p, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        if (p[i].x > 0 && p[i].y != 3)
            s += p[i].x * p[i].y;
    return s;
}

static int kind(int c)
{
    switch (c) {
    case 'a': case 'e': return 1;
    case 'z': return 2;
    default: return 0;
    }
}

int main(void)
{
    struct P ps[3];
    for (int i = 0; i < 3; i++) {
        ps[i].x = i + 1;
        ps[i].y = i * 2 + 1;
        ps[i].tag = (unsigned char)(i + 'a');
    }
    return sum(ps, 3) + kind(ps[0].tag) * 10 + kind('z') * 20;
}

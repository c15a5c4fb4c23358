// expect: 1580
/* pointers, arrays, strings, function pointers */
char *strcpy(char *d, const char *s);
unsigned int strlen(const char *s);
int strcmp(const char *a, const char *b);
void *memset(void *p, int c, unsigned int n);
void *memcpy(void *d, const void *s, unsigned int n);
void *malloc(unsigned int n);
void free(void *p);

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
typedef int (*op)(int, int);
static op pick(int k) { return k ? add : sub; }
static int twice(op f, int x) { return f(f(x, x), x); }

int main(void)
{
    int acc = 0;
    int m[3][4];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) m[i][j] = i * 10 + j;
    acc += m[2][3] + m[1][0];
    int *p = &m[0][0];
    acc += p[7] + *(p + 11);
    int (*row)[4] = m + 1;
    acc += row[0][2] + (*(row + 1))[1];
    acc += (int)(&m[2][1] - &m[0][0]);
    acc += &m[1][0] > &m[0][3];
    char buf[32];
    strcpy(buf, "hello");
    acc += strlen(buf) * 100 + buf[1];
    buf[0] = 'j';
    acc += strcmp(buf, "jello") == 0;
    const char *s = "abc" "def";
    acc += s[4];
    char *q = buf;
    while (*q) q++;
    acc += (int)(q - buf);
    memset(buf, 'x', 3);
    acc += buf[2] + buf[3];
    int *h = malloc(10 * sizeof(int));
    for (int i = 0; i < 10; i++) h[i] = i * i;
    int t = 0;
    for (int *e = h + 10; h < e; --e) t += e[-1];
    acc += t;
    free(h);
    op f = add;
    acc += f(2, 3) + (*f)(4, 5) + pick(0)(10, 3) + twice(sub, 7) + twice(pick(1), 1);
    op tab[2];
    tab[0] = add; tab[1] = sub;
    acc += tab[1](100, 1);
    double darr[4];
    double *dp = darr;
    for (int i = 0; i < 4; i++) *dp++ = i * 0.5;
    acc += (int)(darr[3] * 10);
    long la[5];
    long *lp = &la[4];
    *lp = 99;
    lp -= 2;
    lp[2] += 1;
    acc += (int)la[4];
    int v = 5;
    int *pv = &v;
    *pv += 10;
    (*pv)++;
    acc += v;
    return acc;
}

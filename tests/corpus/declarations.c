/* expect-exit: 0 */
/* expect-stdout:
17 0 1 5 4
1 4 11
3 4 5 6 -7 8
*/
#include <stdio.h>

/* Prototypes, forward declarations, extern and static linkage. */
int later(int);
static int helper(int x);
extern int shared;
int shared = 11;
extern int shared;
int tentative;
int tentative;
struct opaque;
struct opaque *nothing(void);
int noproto();

int later(int x) { return helper(x) + shared; }
static int helper(int x) { return x * 3; }
struct opaque *nothing(void) { return 0; }
int noproto() { return 5; }
void returns_nothing(int *p) { *p = 4; return; }

int main(void)
{
    extern int shared;
    int v;
    returns_nothing(&v);
    printf("%d %d %d %d %d\n", later(2), tentative, nothing() == 0, noproto(), v);
    int a = 1, *pa = &a, arr[2] = { 3, 4 }, (*fp)(int) = later;
    printf("%d %d %d\n", *pa, arr[1], fp(0));
    unsigned typedef_like = 3u;
    long int li = 4;
    unsigned long long int ulli = 5;
    short int si = 6;
    signed s = -7;
    long unsigned lu = 8;
    printf("%u %ld %llu %d %d %lu\n", typedef_like, li, ulli, si, s, lu);
    return 0;
}

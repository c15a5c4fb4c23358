/* expect-error: 7: too many tokens|limit */
/* Macro arguments doubled 32 times (2^32 tokens if expanded naively). */
#define D(x) x x
#define D2(x) D(D(x))
#define D8(x) D2(D2(D2(D2(x))))
#define D32(x) D8(D8(D8(D8(x))))
int y = D32(1 +) 0;
int main(void) { return 0; }

/* expect-error: 3: too large */
/* An array whose size overflows 64 bits of arithmetic: 2^48 bytes. */
char a[0x10000][0x10000][0x10000];
int main(void) { return a[1][2][3]; }

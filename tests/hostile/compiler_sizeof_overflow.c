/* expect-error: 3: too large */
/* sizeof of a type whose size wraps 32 bits (0x80000000 * 2 = 2^32). */
int main(void) { return (int)sizeof(char[0x80000000u][2]); }

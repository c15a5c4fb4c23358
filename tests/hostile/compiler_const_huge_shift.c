/* expect-exit: 1 */
/* Safe outcome: an over-wide shift in a constant expression is masked like
 * at run time (count & 31: 1 << 40 == 1 << 8), giving a 256-byte array. */
char a[1 << 40];
int main(void) { return (int)(sizeof a >> 8); }

/* expect-error: 3: out of the range|overflow */
/* An enumerator one past INT_MAX. */
enum e { BIG = 0x7FFFFFFF, NEXT };
int main(void) { return NEXT; }

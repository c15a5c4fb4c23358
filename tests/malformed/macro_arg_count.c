/* expect-error: 3: argument */
#define ADD(a, b) ((a) + (b))
int x = ADD(1);

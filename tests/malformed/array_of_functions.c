/* expect-error: 2: array of functions */
int table[4](int);

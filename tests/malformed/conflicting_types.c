/* expect-error: 3: conflicting|redeclar|incompatible|redefinition */
int f(int);
long f(int x) { return x; }

/* expect-error: 3: constant|initializer */
int f(void) { return 3; }
int g = f();

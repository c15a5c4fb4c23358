/* expect-error: 2: implicit int|type specifier missing|return type */
f(void) { return 0; }

/* expect-error: 2: invalid digit|octal|invalid */
int x = 0129;

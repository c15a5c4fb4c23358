/* expect-error: 2: unterminated character */
int c = 'a;

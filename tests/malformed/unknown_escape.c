/* expect-error: 2: unknown escape sequence */
const char *s = "bad \q escape";

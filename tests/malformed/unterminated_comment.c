/* expect-error: 3: unterminated comment */
int main(void) { return 0; }
/* this comment never ends
int x;

/* expect-error: 3: division by zero */
/* Division by zero inside an integer constant expression (an array size). */
int a[1 / 0];
int main(void) { return 0; }

/* expect-error: 2: wide character constants are not supported */
int c = L'x';

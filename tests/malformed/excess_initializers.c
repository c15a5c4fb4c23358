/* expect-error: 2: excess|too many */
int a[2] = { 1, 2, 3 };

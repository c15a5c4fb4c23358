/* expect-error: 2: size of array is not positive|negative */
int a[-1];

/* expect-error: 2: multi-character character constants are not supported */
int c = 'ab';

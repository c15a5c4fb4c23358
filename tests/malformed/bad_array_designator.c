/* expect-error: 2: designator|index|bounds|range */
int a[3] = { [5] = 1 };

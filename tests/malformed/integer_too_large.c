/* expect-error: 2: too large */
long x = 999999999999999999999999;

/* expect-error: 3: redefinition|redeclar|conflict */
enum a { ONE = 1 };
enum b { ONE = 2 };

/* expect-error: 3: conflicting|redefinition|redeclar */
typedef int num;
typedef long num;

/* expect-error: 3: redefinition|redeclar */
enum color { RED, GREEN };
enum color { BLUE };

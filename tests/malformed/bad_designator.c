/* expect-error: 3: no member|field|member|designator */
struct p { int x, y; };
struct p q = { .nope = 1 };

/* expect-error: 2: width of bit-field|bit-field */
struct s { int big : 40; };

/* expect-error: 2: incomplete|itself|recursive */
struct s { int a; struct s inner; };

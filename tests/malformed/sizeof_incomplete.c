/* expect-error: 3: incomplete|sizeof */
struct later;
int n = sizeof(struct later);

// expect: 1235
/* imports: the default built-ins, calls through lookup() handles,
   function pointers to imports, late binding */
int create(const char *name, const char *source);
void *lookup(const char *name);
int delete(const char *name);
int helper(int x);              /* defined by the plugin created below */

static const char src[] = "int helper(int x) { return x * 2 + 1; }\n"
                          "long twice(long v) { return v + v; }\n";

int main(void)
{
    int acc = 0;
    if (create("second", src) != 0)
        return -1;
    acc += helper(10);                          /* CALLI, bound late: 21 */
    long (*tw)(long) = (long (*)(long))lookup("twice");
    if (!tw)
        return -2;
    acc += (int)tw(100);                        /* CALLP on a handle: 200 */
    int (*h)(int) = helper;                     /* FADDR of an import */
    acc += h(500);                              /* 1001 */
    acc += lookup("nothing") == 0;              /* 1 */
    int (*d)(const char *) = delete;
    acc += d("second") == 0 ? 11 : 0;           /* 11 */
    acc += lookup("twice") == 0;                /* 1 */
    return acc - 1 + 1;
}

// expect-error: KP_TRAP_UNLINKED
// expect-message: line 11:
int create(const char *name, const char *source);
int delete(const char *name);
int helper(int x);
int main(void)
{
    create("second", "int helper(int x) { return x; }");
    int a = helper(1);
    delete("second");
    return a + helper(2);
}

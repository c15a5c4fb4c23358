/* expect-trap: KP_TRAP_BAD_CALL */
/* A void function called as returning long: the caller would read a result
 * that was never produced. */
static int hits;
void touch(int x) { hits += x; }
int main(void)
{
    long (*f)(int) = (long (*)(int))touch;
    return (int)f(1);
}

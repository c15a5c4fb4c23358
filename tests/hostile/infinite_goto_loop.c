/* expect-trap: KP_TRAP_TIMEOUT */
/* timeout: 300 */
int main(void)
{
    int n = 0;
again:
    n++;
    goto again;
    return n;
}

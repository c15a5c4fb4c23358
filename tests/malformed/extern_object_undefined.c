/* expect-error: extern|undefined|not defined|never defined */
extern int host_counter;
int main(void)
{
    return host_counter;
}

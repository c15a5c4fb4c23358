/* expect-error: 4: void|incomplete */
int main(void)
{
    void v;
    return 0;
}

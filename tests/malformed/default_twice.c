/* expect-error: 6: default|duplicate|multiple */
int main(int x)
{
    switch (x) {
    default: return 1;
    default: return 2;
    }
}

/* expect-error: 6: duplicate case|duplicate */
int main(int x)
{
    switch (x) {
    case 1: return 1;
    case 1: return 2;
    }
    return 0;
}

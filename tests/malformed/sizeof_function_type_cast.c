/* expect-error: 4: cast|scalar|convert */
struct s { int a; };
int main(void) {
    struct s v = (struct s)1;
    return v.a;
}

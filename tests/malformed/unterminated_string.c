/* expect-error: 3: unterminated string */
int main(void) {
    const char *s = "never closed;
    return 0;
}

/* expect-exit: 3 */
/* expect-stdout:
numbers 2 words 3 strings 1 symbols 3
*/
#include <stdio.h>

enum state { START, IN_NUMBER, IN_WORD, IN_STRING, DONE };

int main(void)
{
    const char *input = "let x = 42 + \"str ing\" * 7 end";
    enum state st = START;
    int numbers = 0, words = 0, strings = 0, symbols = 0;
    const char *p = input;
    while (st != DONE) {
        char c = *p;
        switch (st) {
        case START:
            if (c == 0) st = DONE;
            else if (c >= '0' && c <= '9') { st = IN_NUMBER; numbers++; }
            else if (c >= 'a' && c <= 'z') { st = IN_WORD; words++; }
            else if (c == '"') { st = IN_STRING; strings++; p++; }
            else { if (c != ' ') symbols++; p++; }
            break;
        case IN_NUMBER:
            if (c >= '0' && c <= '9') p++;
            else st = START;
            break;
        case IN_WORD:
            if (c >= 'a' && c <= 'z') p++;
            else st = START;
            break;
        case IN_STRING:
            if (c == '"') st = START;
            else if (c == 0) st = DONE;
            p++;
            break;
        case DONE:
            break;
        }
    }
    printf("numbers %d words %d strings %d symbols %d\n", numbers, words, strings, symbols);
    return words;
}

/* expect-error: 4: undeclared|not declared|PING|PONG */
#define PING PONG
#define PONG PING
int x = PING;

#!/bin/bash
# tests/httpd/test_httpd.sh — kplug-httpd end to end: starts the real server
# on 127.0.0.1 (a free port), talks to it with curl and wrk, stops it with
# SIGTERM. Prints one line per check: "ok NAME", "FAIL NAME: why" or
# "SKIP NAME: why" (tests/run_tests.sh counts them).
#
#   tests/httpd/test_httpd.sh [SERVER [ENGINE [LOAD [SIGNAL]]]]
#
# SERVER defaults to $BUILD/kplug-httpd, ENGINE to the server's default,
# LOAD=0 skips the wrk load test (the sanitizer pass), SIGNAL (TERM or
# INT, default TERM) is how the server is stopped at the end. The plugins of
# tests/httpd/plugins/ carry their expectations:
#   /* expect-upload: 400 */     status of PUT /plugins/NAME (default 201)
#   /* expect-status: 500 */     status of GET /files/sample.ppm?plugin=NAME
#   /* expect-body: TEXT */      text the response body must contain
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
BUILD=${BUILD:-build}
KPLUG=${KPLUG:-$BUILD/kplug}
SERVER=${1:-$BUILD/kplug-httpd}
ENGINE=${2:-}
LOAD=${3:-1}
SIG=${4:-TERM}
LABEL=$(basename "$SERVER")${ENGINE:+ $ENGINE}
T=$(mktemp -d)
PID=
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok   $LABEL: $*"; }
bad() { echo "FAIL $LABEL: $*"; }
skip() { echo "SKIP $LABEL: $*"; }

# ---- what the suite needs, from Debian's packages ----
need() { # COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "httpd tests: installing $2" >&2
    { apt-get install -y "$2" || { apt-get update && apt-get install -y "$2"; }; } >/dev/null 2>&1
    command -v "$1" >/dev/null 2>&1
}
if [ ! -x "$SERVER" ]; then
    skip "server not built ($SERVER; libmicrohttpd-dev missing?)"
    exit 0
fi
if ! need curl curl; then
    skip "curl is not installed and could not be installed"
    exit 0
fi

# ---- the served directory and the server ----
mkdir -p "$T/www/sub"
cp examples/images/sample.ppm examples/images/sample.pgm "$T/www/"
cp examples/images/sample.ppm "$T/www/sub/nested.ppm"
"$BUILD/httpd/mkimage" 600 600 >"$T/www/img-1m.ppm" 2>/dev/null ||
    head -c 1100000 /dev/zero >"$T/www/img-1m.ppm"
echo "plain text, not an image" >"$T/www/notes.txt"
"$BUILD/httpd/mkimage" 300 300 >"$T/www/img-270k.ppm" 2>/dev/null ||
    cp examples/images/sample.ppm "$T/www/img-270k.ppm"
echo "secret outside the root" >"$T/secret.txt"

start_server() {
    rm -f "$T/port"
    "$SERVER" --port 0 --port-file "$T/port" --root "$T/www" \
        --client alice --client bob --plugins examples/httpd/plugins \
        --admin-key root-key --timeout 1000 --mem 64 --max-source 64 --threads 4 \
        ${ENGINE:+--engine "$ENGINE"} >"$T/server.out" 2>"$T/server.err" &
    PID=$!
    for _ in $(seq 100); do
        [ -s "$T/port" ] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$T/port" ] && U=http://127.0.0.1:$(cat "$T/port")
}
if ! start_server; then
    bad "server start: $(head -c 300 "$T/server.err")"
    exit 0
fi
ok "server starts on a free port"

# req STATUS-VAR BODY-FILE CURL-ARGS...: status code into $CODE, headers in $T/hdr
req() {
    CODE=$(curl -s --path-as-is -o "$2" -D "$T/hdr" -w '%{http_code}' "${@:3}")
}
expect() { # NAME WANT-STATUS BODY-FILE CURL-ARGS...
    local name=$1 want=$2
    req CODE "${@:3}"
    if [ "$CODE" = "$want" ]; then ok "$name"
    else bad "$name: status $CODE, expected $want: $(head -c 200 "$3" | tr '\n' ' ')"; fi
}
same() { # NAME FILE1 FILE2
    if cmp -s "$2" "$3"; then ok "$1"; else bad "$1: bytes differ ($(wc -c <"$2") vs $(wc -c <"$3"))"; fi
}
A=(-H "X-API-Key: alice")
B=(-H "X-API-Key: bob")

# ---- plain files, paths, keys ----
expect "plain file" 200 "$T/b" "$U/files/sample.ppm"
same "plain file bytes" "$T/b" examples/images/sample.ppm
grep -qi '^X-Service-Time-Us: [0-9]' "$T/hdr" && ok "service time header" ||
    bad "service time header missing"
expect "nested path" 200 "$T/b" "$U/files/sub/nested.ppm"
expect "missing file 404" 404 "$T/b" "$U/files/nope.ppm"
expect "path traversal 404" 404 "$T/b" "$U/files/../secret.txt"
expect "encoded path traversal 404" 404 "$T/b" "$U/files/%2e%2e/secret.txt"
expect "directory 404" 404 "$T/b" "$U/files/sub"
expect "files are read-only" 405 "$T/b" -X DELETE "$U/files/sample.ppm"
expect "no key 401" 401 "$T/b" "$U/plugins"
expect "unknown key 403" 403 "$T/b" -H "X-API-Key: mallory" "$U/plugins"
expect "upload without key 401" 401 "$T/b" -X PUT --data-binary @examples/gray.c "$U/plugins/x"
expect "upload with unknown key 403" 403 "$T/b" -H "X-API-Key: mallory" -X PUT --data-binary @examples/gray.c "$U/plugins/x"
expect "filter without key 401" 401 "$T/b" "$U/files/sample.ppm?plugin=gray"
expect "index" 200 "$T/b" "$U/"

# ---- the sample plugins, byte-compared with kplug filter / native ----
expect "list" 200 "$T/b" "${A[@]}" "$U/plugins"
[ "$(tr '\n' ' ' <"$T/b")" = "adjust crop downsample gray png " ] && ok "list content" ||
    bad "list content: $(tr '\n' ' ' <"$T/b")"
expect "gray" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=gray"
same "gray = the natively compiled plugin's output" "$T/b" examples/images/sample.pgm
grep -qi '^Content-Type: image/x-portable-graymap' "$T/hdr" && ok "gray content type" ||
    bad "gray content type"
expect "native gray" 200 "$T/n" "$U/files/sample.ppm?native=gray"
same "native gray = plugin gray" "$T/n" "$T/b"
expect "native unknown 404" 404 "$T/b" "$U/files/sample.ppm?native=sepia"
for p in gray downsample crop adjust png; do
    "$KPLUG" filter "examples/httpd/plugins/$p.c" <"$T/www/img-270k.ppm" >"$T/want.$p" 2>"$T/err" ||
        bad "kplug filter $p: $(head -c 200 "$T/err")"
    expect "$p on 270k" 200 "$T/b" "${A[@]}" "$U/files/img-270k.ppm?plugin=$p"
    same "$p = kplug filter $p" "$T/b" "$T/want.$p"
done
# Explicit parameters equal to the plugins' defaults give the same bytes:
# the parameters reach the plugin through the query_param built-in.
expect "downsample factor=2" 200 "$T/b" "${A[@]}" "$U/files/img-270k.ppm?plugin=downsample&factor=2"
same "downsample factor=2 = default" "$T/b" "$T/want.downsample"
expect "crop explicit" 200 "$T/b" "${A[@]}" "$U/files/img-270k.ppm?plugin=crop&x=75&y=75&w=150&h=150"
same "crop explicit = default" "$T/b" "$T/want.crop"
expect "adjust explicit" 200 "$T/b" "${A[@]}" "$U/files/img-270k.ppm?plugin=adjust&brightness=30&contrast=120"
same "adjust explicit = default" "$T/b" "$T/want.adjust"
expect "downsample factor=4" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=downsample&factor=4"
[ "$(head -c 13 "$T/b" | tr "\n" " ")" = "P6 40 30 255 " ] && [ "$(wc -c <"$T/b")" = $((13 + 40 * 30 * 3)) ] &&
    ok "downsample factor=4 size" || bad "downsample factor=4: $(head -c 14 "$T/b" | tr '\n' ' ')"
expect "crop clipped" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=crop&x=150&y=100&w=100&h=100"
[ "$(head -c 13 "$T/b" | tr '\n' ' ')" = "P6 10 20 255 " ] && ok "crop clipped size" ||
    bad "crop clipped: $(head -c 13 "$T/b" | tr '\n' ' ')"
expect "bad parameter 422" 422 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=downsample&factor=x"
expect "not an image 422" 422 "$T/b" "${A[@]}" "$U/files/notes.txt?plugin=gray"
expect "png" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=png"
grep -qi '^Content-Type: image/png' "$T/hdr" && ok "png content type" || bad "png content type"
if command -v python3 >/dev/null 2>&1; then
    if python3 tests/httpd/pngcheck.py "$T/www/sample.ppm" "$T/b" >"$T/err" 2>&1; then
        ok "png decodes to the image's pixels"
    else bad "png check: $(head -c 200 "$T/err")"; fi
else
    skip "png pixel check: python3 not installed"
fi
"$KPLUG" filter examples/httpd/plugins/png.c <"$T/www/img-270k.ppm" >"$T/big.png" 2>/dev/null
[ "$(wc -c <"$T/big.png")" -lt $((270000 / 4)) ] && ok "png compresses 270k below a quarter" ||
    bad "png size $(wc -c <"$T/big.png") for 270 KB"

# ---- upload, fetch, replace, delete ----
expect "upload" 201 "$T/b" "${A[@]}" -X PUT --data-binary @examples/invert.c "$U/plugins/invert"
expect "fetch source" 200 "$T/b" "${A[@]}" "$U/plugins/invert"
same "fetched source = uploaded" "$T/b" examples/invert.c
expect "invert" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=invert"
same "invert = expected" "$T/b" examples/images/sample-inverted.ppm
expect "replace" 200 "$T/b" "${A[@]}" -X PUT --data-binary @examples/gray.c "$U/plugins/invert"
expect "replaced plugin runs" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=invert"
same "replaced plugin = gray" "$T/b" examples/images/sample.pgm
expect "replace with a broken source" 400 "$T/b" "${A[@]}" -X PUT --data-binary @tests/httpd/plugins/compile_error.c "$U/plugins/invert"
expect "old version kept" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=invert"
same "old version kept = gray" "$T/b" examples/images/sample.pgm
expect "delete" 204 "$T/b" "${A[@]}" -X DELETE "$U/plugins/invert"
expect "deleted: source 404" 404 "$T/b" "${A[@]}" "$U/plugins/invert"
expect "deleted: filter 404" 404 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=invert"
expect "delete again 404" 404 "$T/b" "${A[@]}" -X DELETE "$U/plugins/invert"
expect "bad plugin name" 400 "$T/b" "${A[@]}" -X PUT --data-binary @examples/gray.c "$U/plugins/a.b"
printf 'int filter(const unsigned char *i, int n, unsigned char *o, int c) { return 0; }\nint shared_helper(void) { return 1; }\n' >"$T/h1.c"
expect "exported helper" 201 "$T/b" "${A[@]}" -X PUT --data-binary @"$T/h1.c" "$U/plugins/h1"
expect "exported name clash 409" 409 "$T/b" "${A[@]}" -X PUT --data-binary @"$T/h1.c" "$U/plugins/h2"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big.c"
expect "source too large 413" 413 "$T/b" "${A[@]}" -X PUT --data-binary @"$T/big.c" "$U/plugins/big"
expect "chunked source too large 413" 413 "$T/b" "${A[@]}" -H "Transfer-Encoding: chunked" -X PUT --data-binary @"$T/big.c" "$U/plugins/big"
expect "chunked upload" 201 "$T/b" "${A[@]}" -H "Transfer-Encoding: chunked" -X PUT --data-binary @examples/gray.c "$U/plugins/chunked"

# ---- hostile and feature plugins with their expectations ----
for f in tests/httpd/plugins/*.c; do
    n=$(basename "$f" .c)
    up=$(directive expect-upload "$f")
    want=$(directive expect-status "$f")
    text=$(directive expect-body "$f")
    expect "upload $n" "${up:-201}" "$T/b" "${A[@]}" -X PUT --data-binary @"$f" "$U/plugins/$n"
    if [ -n "$want" ]; then
        expect "$n" "$want" "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=$n"
    fi
    if [ -n "$text" ]; then
        grep -qF -- "$text" "$T/b" && ok "$n message" || bad "$n message: $(head -c 200 "$T/b" | tr '\n' ' ')"
    fi
done
# The compile error's position is kplug check's, though the server renames
# the filter with a line of its own.
pos=$("$KPLUG" check tests/httpd/plugins/compile_error.c 2>&1 | sed -n 's/^[^:]*:\([0-9]*:[0-9]*\): error.*/\1/p' | head -n 1)
req CODE "$T/b" "${A[@]}" -X PUT --data-binary @tests/httpd/plugins/compile_error.c "$U/plugins/compile_error"
grep -q "^compile_error:$pos: error" "$T/b" && ok "diagnostic position = kplug check ($pos)" ||
    bad "diagnostic position: kplug check $pos, server: $(head -n 1 "$T/b")"
grep -q "function 'filter', line 7:" <(curl -s "${A[@]}" "$U/files/sample.ppm?plugin=loop") &&
    ok "trap names filter at its own line" || bad "trap position"
expect "echo_header" 200 "$T/b" "${A[@]}" -H "X-Echo: hello header" "$U/files/sample.ppm?plugin=echo_header"
[ "$(cat "$T/b")" = "hello header" ] && ok "request_header value" || bad "request_header value: $(head -c 100 "$T/b")"
expect "echo_query" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=echo_query&msg=logged%20line"
[ "$(cat "$T/b")" = "logged line" ] && ok "query_param value" || bad "query_param value: $(head -c 100 "$T/b")"
grep -q "plugin echo_query\] logged line" "$T/server.err" && ok "log_msg line" || bad "log_msg line not in the log"

# ---- after all that: the server serves, and bob never noticed ----
expect "alice still served" 200 "$T/b" "${A[@]}" "$U/files/sample.ppm?plugin=gray"
same "alice gray after hostile plugins" "$T/b" examples/images/sample.pgm
expect "bob's gray" 200 "$T/b" "${B[@]}" "$U/files/img-270k.ppm?plugin=gray"
same "bob's gray unaffected" "$T/b" "$T/want.gray"
expect "bob cannot use alice's plugins" 404 "$T/b" "${B[@]}" "$U/files/sample.ppm?plugin=echo_query"
expect "bob's list" 200 "$T/b" "${B[@]}" "$U/plugins"
[ "$(tr '\n' ' ' <"$T/b")" = "adjust crop downsample gray png " ] && ok "bob's list unchanged" ||
    bad "bob's list: $(tr '\n' ' ' <"$T/b")"

# ---- clients created over HTTP, and their limits ----
# 2 MB: a plugin stack (256 KB), the sample image and its output buffer
# fit; a 1 MB image (3.3 MB with its output buffer) does not.
expect "new client needs the admin key" 401 "$T/b" -X POST "$U/clients"
expect "wrong admin key" 403 "$T/b" -X POST -H "X-Admin-Key: guess" "$U/clients"
expect "new client" 201 "$T/b" -X POST -H "X-Admin-Key: root-key" "$U/clients?mem_mb=2&max_plugins=2&max_inflight=1"
NEWKEY=$(cat "$T/b")
C=(-H "X-API-Key: $NEWKEY")
expect "new client's plugin" 201 "$T/b" "${C[@]}" -X PUT --data-binary @examples/gray.c "$U/plugins/g"
expect "new client's filter" 200 "$T/b" "${C[@]}" "$U/files/sample.ppm?plugin=g"
same "new client's gray" "$T/b" examples/images/sample.pgm
expect "file beyond the client's memory 413" 413 "$T/b" "${C[@]}" "$U/files/img-1m.ppm?plugin=g"
expect "second plugin" 201 "$T/b" "${C[@]}" -X PUT --data-binary @tests/httpd/plugins/loop.c "$U/plugins/loop"
expect "too many plugins 429" 429 "$T/b" "${C[@]}" -X PUT --data-binary @examples/gray.c "$U/plugins/g3"
# While the runaway call holds the client's one slot (1 s), another call
# is refused; ask until it is (the runaway may take a moment to start).
curl -s -o /dev/null "${C[@]}" "$U/files/sample.ppm?plugin=loop" &
slow=$!
for _ in $(seq 20); do
    sleep 0.05
    req CODE "$T/b" "${C[@]}" "$U/files/sample.ppm?plugin=g"
    [ "$CODE" = 429 ] && break
    kill -0 "$slow" 2>/dev/null || break
done
[ "$CODE" = 429 ] && ok "too many calls in flight 429" ||
    bad "too many calls in flight: status $CODE, expected 429"
wait "$slow"
expect "in-flight slot freed" 200 "$T/b" "${C[@]}" "$U/files/sample.ppm?plugin=g"
expect "remove client" 204 "$T/b" -X DELETE -H "X-Admin-Key: root-key" "$U/clients/$NEWKEY"
expect "removed client 403" 403 "$T/b" "${C[@]}" "$U/plugins"

# ---- concurrent clients ----
jobs=()
for i in 1 2 3 4; do
    curl -s -o "$T/par.a$i" "${A[@]}" "$U/files/img-270k.ppm?plugin=gray" &
    jobs+=($!)
    curl -s -o "$T/par.b$i" "${B[@]}" "$U/files/img-270k.ppm?plugin=png" &
    jobs+=($!)
    curl -s -o "$T/par.l$i" "${A[@]}" "$U/files/sample.ppm?plugin=loop" &
    jobs+=($!)
done
wait "${jobs[@]}"  # not the server
wrong=
for i in 1 2 3 4; do
    cmp -s "$T/par.a$i" "$T/want.gray" || wrong="$wrong gray:$(head -c 80 "$T/par.a$i" | tr '\n' ' ')"
    cmp -s "$T/par.b$i" "$T/want.png" || wrong="$wrong png:$(head -c 80 "$T/par.b$i" | tr '\n' ' ')"
    grep -q KP_TRAP_TIMEOUT "$T/par.l$i" || wrong="$wrong loop:$(head -c 80 "$T/par.l$i")"
done
[ -z "$wrong" ] && ok "12 concurrent requests, two clients, runaway plugins among them" ||
    bad "concurrent requests:$wrong"

# ---- load: no failed or non-2xx request ----
if [ "$LOAD" = 1 ]; then
    if need wrk wrk; then
        for what in "plain:$U/files/sample.ppm" "gray:$U/files/sample.ppm?plugin=gray"; do
            wrk -t2 -c64 -d2s -H "X-API-Key: alice" "${what#*:}" >"$T/wrk" 2>&1
            reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$T/wrk")
            if [ -n "$reqs" ] && [ "$reqs" -gt 0 ] && ! grep -q -e "Non-2xx" -e "Socket errors" "$T/wrk"; then
                ok "wrk ${what%%:*}: $reqs requests, none failed"
            else
                bad "wrk ${what%%:*}: $(tr '\n' ' ' <"$T/wrk" | cut -c 1-300)"
            fi
        done
    else
        skip "load test: wrk is not installed and could not be installed"
    fi
fi

# ---- clean shutdown ----
kill -"$SIG" "$PID"
st=
for _ in $(seq 100); do
    if ! kill -0 "$PID" 2>/dev/null; then
        wait "$PID"
        st=$?
        break
    fi
    sleep 0.1
done
if [ "$st" = 0 ] && grep -q "SIG$SIG, stopping" "$T/server.out"; then ok "SIG$SIG stops the server, exit 0"
else bad "SIG$SIG: exit ${st:-still running}: $(tail -c 300 "$T/server.err")"; fi
PID=
if grep -q -e "AddressSanitizer" -e "runtime error" -e "LeakSanitizer" "$T/server.err"; then
    bad "sanitizer report: $(grep -m 3 -e "ERROR" -e "runtime error" "$T/server.err" | tr '\n' ' ' | cut -c 1-300)"
else
    ok "no sanitizer report in the server's log"
fi
exit 0

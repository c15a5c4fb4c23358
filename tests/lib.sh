# tests/lib.sh — helpers shared by the test scripts (sourced, not run).
# Reading the expectations embedded in test files; see tests/README.md.

# The value of a one-line directive `/* NAME: VALUE */`, or empty.
directive() { # NAME FILE
    sed -n "s|^/\* $1: *\(.*[^ ]\) *\*/\$|\1|p" "$2" | head -n 1
}

has_directive() { # NAME FILE
    grep -q "^/\* $1: *\(.*\)\*/\$" "$2"
}

# The body of the block `/* expect-stdout:` ... `*/` (each line newline-
# terminated), or nothing if the file has no such block.
expect_stdout() { # FILE
    awk 'st == 0 && $0 == "/* expect-stdout:" { st = 1; next }
         st == 1 && $0 == "*/" { exit }
         st == 1 { print }' "$1"
}

has_stdout_block() { # FILE
    grep -qx '/\* expect-stdout:' "$1"
}

# Counters: every script prints its own "N passed, N failed" at the end.
PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $*"; return 0; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
summary() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }

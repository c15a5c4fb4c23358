#!/bin/sh
# Differential fuzzing of the lowering: gen_fuzz.py programs, gcc -fwrapv
# against kplug's interpreter (through test_lower --run).
#   fuzz.sh TEST_LOWER_BIN FIRST_SEED COUNT     (ENGINE=jit for the native engine)
bin=$1; seed=$2; n=$3
mode=--run
[ "${ENGINE:-}" = jit ] && mode=--run-jit
dir=$(dirname "$0"); tmp=${TMPDIR:-/tmp}/kplug_fuzz.$$
mkdir -p "$tmp"
printf '#include <stdio.h>\nint test_main(void);\nint main(void){printf("%%d\\n",test_main());return 0;}\n' > "$tmp/m.c"
fails=0
i=0
while [ $i -lt "$n" ]; do
    s=$((seed + i))
    python3 "$dir/gen_fuzz.py" $s > "$tmp/p.c"
    if gcc -w -O0 -fwrapv -Dmain=test_main -o "$tmp/ref" "$tmp/p.c" "$tmp/m.c" 2>/dev/null; then
        want=$("$tmp/ref")
        got=$("$bin" $mode "$tmp/p.c" 2>&1)
        if [ "$want" != "$got" ]; then
            echo "seed $s: gcc $want, kplug $got"
            cp "$tmp/p.c" "$tmp/../kplug_fuzz_fail_$s.c"
            fails=$((fails + 1))
        fi
    fi
    i=$((i + 1))
done
rm -rf "$tmp"
echo "fuzz: $n programs, $fails mismatches"
[ $fails -eq 0 ]

#!/bin/bash
# tests/kplugfs/run.sh — the kplugfs suite (docs/kplugfs.md), for `make test`.
#
# 1. The on-disk format and the codec without FUSE (test_store.c): round
#    trips, every changed byte and every truncation refused, plugin name
#    and version rules, malformed and hostile plugin pairs.
# 2. The sample compression plugins outside FUSE: `kplug filter --entry
#    compress/decompress` round-trips on every engine over several inputs,
#    the engines' outputs compared, compression ratios where they must
#    compress, and garbage fed to decompress.
# 3. Real mounts, where /dev/fuse and fusermount3 work: the file semantics
#    with every sample plugin (compared against the same operations on a
#    plain directory), persistence across remounts, files kplugfs did not
#    write, damaged backing files, a mount with the wrong plugin, and a
#    hostile plugin pair (traps, endless loops under a deadline, bad
#    lengths, data that does not round-trip) on every engine.
#
# Prints one line per check: "ok NAME", "FAIL NAME: why" or "skip NAME:
# why" (skipped checks are neither passed nor failed). Environment: KPLUG,
# KPLUGFS (default $BUILD/kplugfs), BUILD, CC, CFLAGS, ENGINES.
set -u
cd "$(dirname "$0")/../.."
KPLUG=${KPLUG:-./kplug}
BUILD=${BUILD:-build}
KPLUGFS=${KPLUGFS:-$BUILD/kplugfs}
CC=${CC:-cc}
if [ -z "${ENGINES:-}" ]; then
    ENGINES=$("$KPLUG" version 2>/dev/null | sed -n 's/^engines: *//p')
    [ -z "$ENGINES" ] && ENGINES=interp
fi
PLUGINS="rle delta lzss"
PDIR=examples/kplugfs/plugins
HOSTILE=tests/kplugfs/hostile.c
T=$(mktemp -d /tmp/kplugfs-test.XXXXXX)
MOUNTS=()

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; }
skip() { echo "skip $*"; }

# Unmount whatever is still mounted, even when a check failed half-way.
cleanup() {
    local m
    for m in "${MOUNTS[@]}"; do
        mountpoint -q "$m" 2>/dev/null || continue
        fusermount3 -u "$m" 2>/dev/null || fusermount3 -u -z "$m" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP

# A guard on every command that could hang on a broken mount.
g() { timeout -k 5 60 "$@"; }

if ! $CC -O2 -o "$T/kpfs_io" tests/kplugfs/kpfs_io.c 2>"$T/cc.err"; then
    bad "kpfs_io: does not build: $(head -n 1 "$T/cc.err")"
    exit 1
fi
IO=$T/kpfs_io

# ---- 1. the format and the codec (tests/kplugfs/test_store.c) ---------------
# shellcheck disable=SC2086 # CFLAGS: must match the flags of $BUILD (sanitizers)
if ! $CC -std=gnu11 ${CFLAGS:--O2 -g} -Iinclude -Iexamples/kplugfs -o "$T/test_store" \
    tests/kplugfs/test_store.c examples/kplugfs/codec.c examples/kplugfs/store.c \
    "$BUILD/libkplug.a" -lpthread -lm 2>"$T/cc.err"; then
    bad "test_store.c: does not build: $(grep -m 1 error "$T/cc.err")"
else
    # shellcheck disable=SC2086
    g "$T/test_store" "$PDIR" "$HOSTILE" $ENGINES 2>"$T/err"
    st=$?
    [ $st -gt 1 ] && bad "test_store: exit $st: $(head -n 1 "$T/err")"
fi

# ---- 2. the plugins through `kplug filter` ---------------------------------
mkdir -p "$T/in"
: >"$T/in/empty"
printf 'x' >"$T/in/one"
"$IO" gen text 200000 1 >"$T/in/text"
"$IO" gen random 100000 2 >"$T/in/random"
"$IO" gen zeros 1000000 3 >"$T/in/zeros"
"$IO" gen ramp 300000 4 >"$T/in/ramp"
"$IO" gen mixed 1000000 5 >"$T/in/mixed"
cp examples/images/sample.ppm "$T/in/ppm"

size() { stat -c %s "$1"; }

for p in $PLUGINS; do
    for e in $ENGINES; do
        for f in "$T"/in/*; do
            n=${f##*/}
            name="filter/$p/$n [$e]"
            if ! g "$KPLUG" filter "$PDIR/$p.c" --entry compress --engine "$e" <"$f" >"$T/c.$e" 2>"$T/err"; then
                bad "$name: compress failed: $(head -n 1 "$T/err")"
                continue
            fi
            if ! g "$KPLUG" filter "$PDIR/$p.c" --entry decompress --engine "$e" --out-cap "$(size "$f")" \
                <"$T/c.$e" >"$T/d" 2>"$T/err"; then
                bad "$name: decompress failed: $(head -n 1 "$T/err")"
            elif ! cmp -s "$T/d" "$f"; then
                bad "$name: round trip differs"
            else
                ok "$name ($(size "$f") -> $(size "$T/c.$e") bytes)"
            fi
            cp "$T/c.$e" "$T/c.$p.$n.$e"
        done
    done
    # Same plugin, same input: the engines must produce the same bytes.
    set -- $ENGINES
    if [ $# -gt 1 ]; then
        for f in "$T"/in/*; do
            n=${f##*/}
            if cmp -s "$T/c.$p.$n.$1" "$T/c.$p.$n.$2"; then ok "filter/$p/$n: $1 and $2 agree"
            else bad "filter/$p/$n: $1 and $2 compress differently"; fi
        done
    fi
    # Compression has to happen where each scheme is meant to work.
    e=${ENGINES%% *}
    ratio_check() { # INPUT MAX_PERCENT
        local c=$T/c.$p.$1.$e s
        s=$(size "$T/in/$1")
        if [ "$(size "$c")" -le $((s * $2 / 100)) ]; then ok "filter/$p/$1 compresses to <= $2%"
        else bad "filter/$p/$1: $(size "$c") bytes from $s, expected <= $2%"; fi
    }
    ratio_check zeros 2
    case $p in
        delta) ratio_check ramp 5 ;;
        lzss) ratio_check text 50; ratio_check ramp 10 ;;
    esac
    # Garbage and truncated streams: decompress refuses or decodes, never traps.
    for e in $ENGINES; do
        for n in random mixed; do
            for cut in all half; do
                if [ $cut = all ]; then cp "$T/in/$n" "$T/g"; else head -c $(($(size "$T/c.$p.$n.$e") / 2)) "$T/c.$p.$n.$e" >"$T/g"; fi
                g "$KPLUG" filter "$PDIR/$p.c" --entry decompress --engine "$e" --out-cap 2000000 <"$T/g" >/dev/null 2>"$T/err"
                st=$?
                if [ $st = 0 ] || [ $st = 103 ]; then ok "filter/$p/decompress-garbage-$n-$cut [$e]"
                else bad "filter/$p/decompress-garbage-$n-$cut [$e]: exit $st: $(head -n 1 "$T/err")"; fi
            done
        done
    done
done

# ---- 3. mounts ---------------------------------------------------------------
if [ ! -x "$KPLUGFS" ]; then
    bad "kplugfs: $KPLUGFS not built (make kplugfs)"
    exit 1
fi
# Mounting needs the FUSE device and fusermount3; without them the mount
# checks cannot run here (a container without /dev/fuse): say so.
if [ ! -c /dev/fuse ]; then
    skip "kplugfs mounts: skipped: /dev/fuse does not exist"
    exit 0
fi
if ! command -v fusermount3 >/dev/null; then
    skip "kplugfs mounts: skipped: fusermount3 not installed (Debian: fuse3)"
    exit 0
fi

LOG=$T/kplugfs.log
# mount_fs BACKING MNT PLUGIN [OPTIONS...]: returns kplugfs's status.
mount_fs() {
    local b=$1 m=$2 p=$3
    shift 3
    mkdir -p "$b" "$m"
    g "$KPLUGFS" "$b" "$m" --plugin "$p" --log "$LOG" "$@" 2>"$T/mount.err"
    local st=$?
    [ $st = 0 ] && MOUNTS+=("$m")
    return $st
}
umount_fs() {
    g fusermount3 -u "$1" 2>"$T/umount.err" || { sleep 1; g fusermount3 -u "$1" 2>>"$T/umount.err"; }
}

if ! mount_fs "$T/probe-b" "$T/probe-m" "$PDIR/rle.c"; then
    if grep -qiE 'fuse: |fusermount|permission denied|not permitted|device' "$T/mount.err"; then
        skip "kplugfs mounts: skipped: cannot mount here: $(head -n 1 "$T/mount.err")"
        exit 0
    fi
    bad "kplugfs: first mount failed: $(head -n 1 "$T/mount.err")"
    exit 1
fi
umount_fs "$T/probe-m"

# check NAME CMD...: the command must succeed.
check() {
    local name=$1
    shift
    if "$@" >"$T/out" 2>"$T/err"; then ok "$name"
    else bad "$name: $(head -n 1 "$T/err" "$T/out" 2>/dev/null | grep -v '^==>' | grep . | head -n 1)"; fi
}
# same NAME A B: files A and B have the same bytes.
same() {
    if g cmp "$2" "$3" >"$T/err" 2>&1; then ok "$1"
    else bad "$1: $(head -n 1 "$T/err")"; fi
}
# eio NAME CMD...: the command must fail with "Input/output error".
eio() {
    local name=$1
    shift
    if "$@" >"$T/out" 2>"$T/err"; then bad "$name: succeeded, expected EIO"
    elif grep -q 'Input/output error' "$T/err"; then ok "$name"
    else bad "$name: expected EIO: $(head -n 1 "$T/err")"; fi
}
no_temp_files() { # NAME BACKING
    local left
    left=$(find "$2" -name '.kplugfs-tmp.*' | head -n 3)
    if [ -z "$left" ]; then ok "$1"; else bad "$1: temporary files left: $left"; fi
}
# The mount answers and the daemon is alive.
alive() { # NAME MNT
    if mountpoint -q "$2" && g "$IO" write "$2/alive" <<<"still here" && [ "$(g cat "$2/alive")" = "still here" ]
    then ok "$1"; else bad "$1: the mount does not answer"; fi
}

# The semantics, done on the mount M and on a plain directory R alike.
semantics() { # TAG PLUGIN ENGINE
    local tag=$1 p=$2 e=$3 B=$T/$1-b M=$T/$1-m R=$T/$1-r f
    rm -rf "$R"
    mkdir -p "$R"
    if ! mount_fs "$B" "$M" "$PDIR/$p.c" --engine "$e"; then
        bad "$tag: mount failed: $(head -n 1 "$T/mount.err")"
        return
    fi
    # Whole files of every kind, written with cp.
    "$IO" gen random 3000000 11 >"$R/random"
    "$IO" gen text 500000 12 >"$R/text"
    "$IO" gen zeros 2000000 13 >"$R/zeros"
    "$IO" gen mixed 8000000 14 >"$R/large"
    cp examples/images/sample.ppm "$R/image.ppm"
    for f in random text zeros large image.ppm; do
        check "$tag/write-$f" g cp "$R/$f" "$M/$f"
        same "$tag/read-$f" "$R/$f" "$M/$f"
        if [ "$(stat -c %s "$M/$f")" = "$(size "$R/$f")" ]; then ok "$tag/st_size-$f"
        else bad "$tag/st_size-$f: $(stat -c %s "$M/$f"), expected $(size "$R/$f")"; fi
    done
    if [ "$(head -c 8 "$B/random" | od -An -c | tr -d ' ')" = "KPLUGFS001" ]; then ok "$tag/backing-header"
    else bad "$tag/backing-header: no KPLUGFS magic in the backing file"; fi
    if [ "$(size "$B/zeros")" -lt 100000 ]; then ok "$tag/backing-compressed ($(size "$B/zeros") bytes for 2 MB of zeros)"
    else bad "$tag/backing-compressed: $(size "$B/zeros") bytes for 2 MB of zeros"; fi
    # Empty files: created by a redirection, and by truncating.
    : >"$M/empty"
    : >"$R/empty"
    if [ -f "$M/empty" ] && [ "$(stat -c %s "$M/empty")" = 0 ] && [ -z "$(cat "$M/empty")" ] &&
        [ "$(size "$B/empty")" = 96 ]; then ok "$tag/empty-file"
    else bad "$tag/empty-file: size $(stat -c %s "$M/empty" 2>&1), backing $(size "$B/empty" 2>&1)"; fi
    # Partial writes at offsets: inside, across the end, past the end (a hole).
    "$IO" gen random 10000 15 >"$T/patch"
    for d in "$R" "$M"; do
        cp "$R/text" "$d/edit" 2>/dev/null
        g dd if="$T/patch" of="$d/edit" bs=4096 seek=12345 oflag=seek_bytes conv=notrunc status=none
        g dd if="$T/patch" of="$d/edit" bs=1000 seek=495000 oflag=seek_bytes conv=notrunc status=none
        g dd if="$T/patch" of="$d/edit" bs=777 seek=600000 oflag=seek_bytes conv=notrunc status=none
    done
    same "$tag/overwrite-at-offsets" "$R/edit" "$M/edit"
    # Appends, one open each.
    for i in 1 2 3; do
        head -c $((i * 3000)) "$T/patch" >>"$R/edit"
        head -c $((i * 3000)) "$T/patch" >>"$M/edit"
    done
    same "$tag/append" "$R/edit" "$M/edit"
    # Many small writes in one open, with seeks back (one dd, 1-byte blocks).
    for d in "$R" "$M"; do g dd if="$T/patch" of="$d/edit" bs=1 count=3000 seek=100 conv=notrunc status=none; done
    same "$tag/small-writes" "$R/edit" "$M/edit"
    # Truncate: shrink, extend with zeros, to zero, then write again.
    for s in 1000 50000 0; do
        truncate -s $s "$R/edit"
        g truncate -s $s "$M/edit"
        same "$tag/truncate-$s" "$R/edit" "$M/edit"
    done
    cat "$T/patch" >>"$R/edit"
    cat "$T/patch" >>"$M/edit"
    same "$tag/write-after-truncate" "$R/edit" "$M/edit"
    # fsync: through dd and through kpfs_io.
    cp "$R/text" "$R/synced"
    check "$tag/fsync-dd" g dd if="$R/text" of="$M/synced" bs=65536 conv=fsync status=none
    same "$tag/fsync-read" "$R/text" "$M/synced"
    check "$tag/fsync-kpfs_io" g "$IO" fsync "$M/synced2" <"$R/image.ppm"
    # Directories, rename, unlink, readdir.
    check "$tag/mkdir" mkdir -p "$M/a/b/c"
    check "$tag/write-in-subdir" g cp "$R/text" "$M/a/b/c/t"
    check "$tag/rename-file" mv "$M/a/b/c/t" "$M/a/b/t2"
    same "$tag/renamed-file" "$R/text" "$M/a/b/t2"
    check "$tag/rename-dir" mv "$M/a/b" "$M/a/z"
    same "$tag/renamed-dir" "$R/text" "$M/a/z/t2"
    if [ ! -e "$M/a/b" ] && [ ! -e "$B/a/b" ]; then ok "$tag/rename-dir-old-gone"; else bad "$tag/rename-dir-old-gone"; fi
    cp "$R/zeros" "$M/replaced"
    cp "$R/text" "$R/replaced"
    check "$tag/rename-over" mv "$M/a/z/t2" "$M/replaced"
    same "$tag/renamed-over" "$R/text" "$M/replaced"
    if rmdir "$M/a/z" 2>/dev/null; then bad "$tag/rmdir-nonempty: succeeded"; else ok "$tag/rmdir-nonempty"; fi
    check "$tag/rmdir" rmdir "$M/a/z/c" "$M/a/z"
    check "$tag/unlink" rm "$M/synced2"
    if [ ! -e "$M/synced2" ] && [ ! -e "$B/synced2" ]; then ok "$tag/unlinked-gone"; else bad "$tag/unlinked-gone"; fi
    local want got
    want="a empty image.ppm large random replaced synced text zeros"
    got=$(ls "$M" | grep -v '^edit$' | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then ok "$tag/readdir"; else bad "$tag/readdir: '$got', expected '$want'"; fi
    # Mode and times survive rewrites.
    chmod 600 "$M/text"
    cat "$T/patch" >>"$M/text"
    cat "$T/patch" >>"$R/text"
    if [ "$(stat -c %a "$M/text")" = 600 ]; then ok "$tag/mode-kept"; else bad "$tag/mode-kept: $(stat -c %a "$M/text")"; fi
    touch -d '2001-02-03 04:05:06' "$M/text"
    if [ "$(stat -c %Y "$M/text")" = "$(date -d '2001-02-03 04:05:06' +%s)" ]; then ok "$tag/utimens"
    else bad "$tag/utimens: mtime $(stat -c %y "$M/text")"; fi
    # Writers in parallel on different files, readers alongside.
    local pids=() i
    for i in 1 2 3 4 5 6; do
        "$IO" gen mixed $((i * 300000)) $((20 + i)) >"$R/par$i"
    done
    for i in 1 2 3 4 5 6; do
        g cp "$R/par$i" "$M/par$i" &
        pids+=($!)
    done
    for i in 1 2 3; do
        g cat "$M/large" >"$T/rd$i" &
        pids+=($!)
    done
    local failed=0
    for i in "${pids[@]}"; do wait "$i" || failed=1; done
    for i in 1 2 3 4 5 6; do cmp -s "$R/par$i" "$M/par$i" || failed=1; done
    for i in 1 2 3; do cmp -s "$R/large" "$T/rd$i" || failed=1; done
    if [ $failed = 0 ]; then ok "$tag/parallel-writers-readers"; else bad "$tag/parallel-writers-readers"; fi
    # Writers in parallel into one file, each its own region and handle.
    "$IO" gen random 1048576 30 >"$R/regions"
    cp "$R/regions" "$M/regions"
    pids=()
    for i in 0 1 2 3 4 5 6 7; do
        "$IO" gen text 131072 $((40 + i)) >"$T/region$i"
        dd if="$T/region$i" of="$R/regions" bs=131072 seek=$i conv=notrunc status=none
        g dd if="$T/region$i" of="$M/regions" bs=4096 seek=$((i * 32)) conv=notrunc status=none &
        pids+=($!)
    done
    failed=0
    for i in "${pids[@]}"; do wait "$i" || failed=1; done
    if [ $failed = 0 ] && cmp -s "$R/regions" "$M/regions"; then ok "$tag/parallel-writers-one-file"
    else bad "$tag/parallel-writers-one-file"; fi
    # Two handles on one file see one content.
    exec 7<>"$M/shared"
    printf 'first ' >&7
    printf 'second' >>"$M/shared"
    exec 7>&-
    if [ "$(cat "$M/shared")" = "first second" ]; then ok "$tag/shared-open"; else bad "$tag/shared-open: '$(cat "$M/shared")'"; fi
    # A file unlinked while open stays readable through the handle.
    exec 7<"$M/shared"
    rm "$M/shared"
    got=$(cat <&7)
    exec 7<&-
    # The hidden name goes at the release, which the kernel sends after close.
    for i in 1 2 3 4 5 6 7 8 9 10; do ls -A "$B" | grep -q fuse_hidden || break; sleep 0.5; done
    if [ "$got" = "first second" ] && [ ! -e "$M/shared" ] && [ -z "$(ls -A "$B" | grep fuse_hidden)" ]
    then ok "$tag/unlinked-while-open"; else bad "$tag/unlinked-while-open: '$got' $(ls -A "$B" | grep fuse_hidden)"; fi
    no_temp_files "$tag/no-temp-files" "$B"
    # Everything again after a remount: it is all in the backing files.
    umount_fs "$M"
    if ! mount_fs "$B" "$M" "$PDIR/$p.c" --engine "$e"; then
        bad "$tag: remount failed: $(head -n 1 "$T/mount.err")"
        return
    fi
    failed=""
    for f in random text zeros large image.ppm edit synced replaced par1 par6; do
        cmp -s "$R/$f" "$M/$f" || failed="$failed $f"
        [ "$(stat -c %s "$M/$f")" = "$(size "$R/$f")" ] || failed="$failed $f(size)"
    done
    if [ -z "$failed" ]; then ok "$tag/persistent"; else bad "$tag/persistent:$failed"; fi
    # A file kplugfs did not write: listed, EIO on read, replaced by O_TRUNC.
    printf 'plain text, no header\n' >"$B/foreign"
    if ls "$M" | grep -qx foreign; then ok "$tag/foreign-listed"; else bad "$tag/foreign-listed"; fi
    eio "$tag/foreign-read-eio" g cat "$M/foreign"
    echo replaced >"$M/foreign"
    if [ "$(cat "$M/foreign")" = replaced ]; then ok "$tag/foreign-overwritten"; else bad "$tag/foreign-overwritten"; fi
    # A damaged backing file: EIO for it, the others still read.
    cp "$B/text" "$T/text.saved"
    printf '\x55\xaa' | dd of="$B/text" bs=1 seek=5000 conv=notrunc status=none
    eio "$tag/damaged-eio" g cat "$M/text"
    same "$tag/damaged-others-fine" "$R/random" "$M/random"
    cp "$T/text.saved" "$B/text"
    same "$tag/repaired" "$R/text" "$M/text"
    # A truncated backing file.
    head -c 1000 "$B/random" >"$B/cut"
    eio "$tag/truncated-backing-eio" g cat "$M/cut"
    umount_fs "$M"
    if mountpoint -q "$M"; then bad "$tag/unmount"; else ok "$tag/unmount"; fi
}

for p in $PLUGINS; do
    semantics "fs-$p" "$p" "${ENGINES%% *}"
done
# The whole semantics once more on the other engine(s), with the LZ77 plugin.
for e in ${ENGINES#* }; do
    [ "$e" = "${ENGINES%% *}" ] && continue
    semantics "fs-lzss-$e" lzss "$e"
done

# A backing directory written with one plugin, mounted with another.
if mount_fs "$T/fs-lzss-b" "$T/wrong-m" "$PDIR/rle.c"; then
    eio "fs/wrong-plugin-eio" g cat "$T/wrong-m/random"
    if grep -q "written with plugin 'lzss', this mount uses 'rle'" "$LOG"; then ok "fs/wrong-plugin-logged"
    else bad "fs/wrong-plugin-logged"; fi
    umount_fs "$T/wrong-m"
else
    bad "fs/wrong-plugin: mount failed: $(head -n 1 "$T/mount.err")"
fi

# Plugins that cannot serve: no mount, a clear message.
printf 'int compress(const unsigned char *in, int n, unsigned char *out, int cap) { return 0; }\n' >"$T/half.c"
printf 'int compress(int x) { return x }\n' >"$T/broken.c"
for f in half broken; do
    mkdir -p "$T/none-m"
    "$KPLUGFS" "$T/fs-rle-b" "$T/none-m" --plugin "$T/$f.c" >"$T/out" 2>"$T/err"
    st=$?
    if [ $st = 101 ] && ! mountpoint -q "$T/none-m"; then ok "fs/refused-plugin-$f"
    else bad "fs/refused-plugin-$f: exit $st: $(head -n 1 "$T/err")"; mountpoint -q "$T/none-m" && MOUNTS+=("$T/none-m"); fi
done

# ---- hostile pair: every failure is EIO for that file only -------------------
hostile() { # ENGINE
    local e=$1 tag=hostile-$1 B=$T/hostile-$1-b M=$T/hostile-$1-m
    if ! mount_fs "$B" "$M" "$HOSTILE" --engine "$e" --timeout 300; then
        bad "$tag: mount failed: $(head -n 1 "$T/mount.err")"
        return
    fi
    check "$tag/good-write" g "$IO" write "$M/good" <<<"good data"
    check "$tag/victim-write" g "$IO" write "$M/victim" <<<"version 1"
    cp "$B/victim" "$T/victim.backing"
    local t
    for t in C-TRAP C-LOOP C-BADLEN C-NEG D-LIE; do
        eio "$tag/$t-write-eio" g "$IO" write "$M/victim" <<<"$t and more data"
        if cmp -s "$B/victim" "$T/victim.backing" && [ "$(g cat "$M/victim")" = "version 1" ]
        then ok "$tag/$t-old-version-intact"
        else bad "$tag/$t-old-version-intact: $(g cat "$M/victim" 2>&1 | head -c 80)"; fi
    done
    head -c 4321 /dev/zero >"$T/4321"
    eio "$tag/bound-too-big-eio" g "$IO" write "$M/bound" <"$T/4321"
    if grep -q 'KP_TRAP_MEMORY' "$LOG" && grep -q 'KP_TRAP_TIMEOUT' "$LOG"; then ok "$tag/traps-logged"
    else bad "$tag/traps-logged: no KP_TRAP_MEMORY / KP_TRAP_TIMEOUT in the log"; fi
    same "$tag/others-fine" <(echo "good data") "$M/good"
    no_temp_files "$tag/no-temp-files" "$B"
    alive "$tag/alive" "$M"
    umount_fs "$M"
    # Without write verification, the decompress failures reach the disk
    # and must show at read time.
    if ! mount_fs "$B" "$M" "$HOSTILE" --engine "$e" --timeout 300 --no-verify; then
        bad "$tag: remount failed: $(head -n 1 "$T/mount.err")"
        return
    fi
    for t in D-TRAP D-LOOP D-LIE D-SHORT; do
        check "$tag/$t-write-unverified" g "$IO" write "$M/$t" <<<"$t data"
        eio "$tag/$t-read-eio" g cat "$M/$t"
    done
    grep -q 'KP_TRAP_DIV' "$LOG" && ok "$tag/div-trap-logged" || bad "$tag/div-trap-logged"
    same "$tag/others-fine-after" <(echo "good data") "$M/good"
    alive "$tag/alive-after" "$M"
    umount_fs "$M"
}
for e in $ENGINES; do
    : >"$LOG"
    hostile "$e"
done

# A plugin stuck in a loop holds up its own file only: another file reads
# while the loop still runs (deadline 5 s).
B=$T/stuck-b M=$T/stuck-m
if mount_fs "$B" "$M" "$HOSTILE" --timeout 5000; then
    "$IO" write "$M/other" <<<"other file"
    start=$(date +%s)
    g "$IO" write "$M/stuck" <<<"C-LOOP forever" 2>"$T/stuck.err" &
    pid=$!
    sleep 0.5
    got=$(g cat "$M/other")
    if [ "$got" = "other file" ] && kill -0 $pid 2>/dev/null; then ok "fs/stuck-plugin-other-file-reads"
    else bad "fs/stuck-plugin-other-file-reads: '$got', writer running: $(kill -0 $pid 2>/dev/null && echo yes || echo no)"; fi
    wait $pid
    st=$?
    if [ $st != 0 ] && grep -q 'Input/output error' "$T/stuck.err"; then ok "fs/stuck-plugin-eio-after-deadline ($(($(date +%s) - start)) s)"
    else bad "fs/stuck-plugin-eio-after-deadline: exit $st: $(head -n 1 "$T/stuck.err")"; fi
    umount_fs "$M"
else
    bad "fs/stuck: mount failed: $(head -n 1 "$T/mount.err")"
fi
exit 0

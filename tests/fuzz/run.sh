#!/usr/bin/env bash
# tests/fuzz/run.sh [TARGET...] - `make fuzz`: builds the libFuzzer targets into build/fuzz/ and
# runs each for FUZZ_SECONDS (default 60) seconds.
#
# Targets (tests/fuzz/fuzz_*.c, the work is in harness.c): layout (file reader and layout
# detection), check (parse + replay + rules + reports), unpack (the parse-tree decoders, and
# the readers that stand in for PostgreSQL's scanner).
# The library is built with clang -fsanitize=fuzzer-no-link,address,undefined through the
# Makefile (OUT=build/fuzz), so rebuilding is incremental.
#
# Seeds: every .sql of tests/cases/*/*/migrations and examples/, shaped for each target, plus the
# small hand-written seeds of tests/fuzz/seeds/<target>/. The growing corpus stays in
# build/fuzz/corpus/<target>/ (never committed). A crash leaves its input in
# build/fuzz/artifacts/; turn it into a regression test by copying it to
# tests/fuzz/regressions/<target>/ (the unit tests replay those) and fixing the bug.
#
#   FUZZ_SECONDS=N   time per target (default 60)
#   FUZZ_CC=clang    the compiler (clang 14 from Debian; apt-get install clang)
#
# Prints, per target, the executions, the corpus size and the crashes; exits 1 when any target
# crashed, 2 when the targets cannot be built.
set -u
cd "$(dirname "$0")/../.." || exit 2
CC=${FUZZ_CC:-clang}
SECS=${FUZZ_SECONDS:-60}
OUT=build/fuzz
SEP=$'\n--8<--\n'
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(layout check unpack)

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC is missing; install it (apt-get install clang) or set FUZZ_CC" >&2
    exit 2
fi

# ---------------------------------------------------------------- build
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
FLAGS="-g -O1 -fno-omit-frame-pointer $SAN -std=c17 -D_GNU_SOURCE"
mkdir -p "$OUT"
if ! make --no-print-directory CC="$CC" OUT="$OUT" \
    CFLAGS="$FLAGS -fsanitize=fuzzer-no-link -Wall -Wno-unused-command-line-argument" \
    "$OUT/librollsafe.a" > "$OUT/build.log" 2>&1; then
    tail -n 20 "$OUT/build.log" >&2
    echo "fuzz: building the library with $CC failed" >&2
    exit 2
fi
PQ=$(pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
for t in "${TARGETS[@]}"; do
    src=tests/fuzz/fuzz_$t.c
    [ -f "$src" ] || { echo "fuzz: no target $t ($src)" >&2; exit 2; }
    bin=$OUT/fuzz_$t
    if [ ! -x "$bin" ] || [ -n "$(find "$src" tests/fuzz/harness.c "$OUT/librollsafe.a" \
        -newer "$bin" 2>/dev/null)" ]; then
        # shellcheck disable=SC2086
        if ! "$CC" $FLAGS -fsanitize=fuzzer -Iinclude -Ilib $PQ -o "$bin" "$src" \
            tests/fuzz/harness.c "$OUT/librollsafe.a" -lpg_query -ljansson -lyaml -lm -ldl; then
            echo "fuzz: linking $bin failed" >&2
            exit 2
        fi
    fi
done

# ---------------------------------------------------------------- seeds
# One seed per .sql file, and one per migrations directory (its files joined with the
# separator, which the check and layout targets split on).
seed_dir() { # target
    local t=$1 dir=$OUT/seeds/$t i=0
    rm -rf "$dir"
    mkdir -p "$dir"
    [ -d "tests/fuzz/seeds/$t" ] && cp tests/fuzz/seeds/"$t"/* "$dir"/ 2>/dev/null
    local prefix=""
    [ "$t" = layout ] && prefix=$'\x00\x00' # plain layout, no special files
    while IFS= read -r -d '' m; do
        local joined="" f
        for f in "$m"/*.sql; do
            [ -f "$f" ] || continue
            i=$((i + 1))
            { printf '%s' "$prefix"; cat "$f"; } > "$dir/file-$i"
            joined+="$(cat "$f")$SEP"
        done
        [ -n "$joined" ] && printf '%s%s' "$prefix" "${joined%"$SEP"}" > "$dir/dir-$i"
    done < <(find tests/cases examples -type d -name migrations -print0 | sort -z)
}

# ---------------------------------------------------------------- run
# libpg_query's own one-byte leak (see tests/lsan.supp) is not a finding.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
status=0
summary=()
mkdir -p "$OUT/artifacts"
for t in "${TARGETS[@]}"; do
    seed_dir "$t"
    corpus=$OUT/corpus/$t
    mkdir -p "$corpus"
    log=$OUT/fuzz_$t.log
    before=$(find "$OUT/artifacts" -name "$t-*" 2>/dev/null | wc -l)
    echo "fuzz: $t for ${SECS}s (log: $log)"
    "$OUT/fuzz_$t" -max_total_time="$SECS" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" \
        -dict=tests/fuzz/sql.dict "$corpus" "$OUT/seeds/$t" > "$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    after=$(find "$OUT/artifacts" -name "$t-*" 2>/dev/null | wc -l)
    crashes=$((after - before))
    line="$t: ${runs:-?} executions in ${SECS}s, corpus $(find "$corpus" -type f | wc -l) inputs, $crashes new crash(es)"
    summary+=("$line")
    if [ $rc -ne 0 ] || [ $crashes -gt 0 ]; then
        status=1
        grep -m 5 -E 'ERROR|runtime error|invariant failed|SUMMARY' "$log" | sed 's/^/  /'
    fi
done
echo
printf '%s\n' "${summary[@]}"
[ $status -eq 0 ] || echo "fuzz: crashes are in $OUT/artifacts/; add each to tests/fuzz/regressions/<target>/"
exit $status

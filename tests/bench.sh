#!/usr/bin/env bash
# tests/bench.sh BIN PARSEFLOOR - `make bench`: rollsafe check against the parser floor.
#
# For each migrations directory of the shared corpora, times `rollsafe check --format json`
# (full history replay, every migration reported) and the parser floor (PARSEFLOOR parses the
# same scripts with libpg_query and does nothing else), best of BENCH_RUNS runs each, with the
# floor tool's own timer (clock_gettime, and wait4's CPU times and peak RSS), so nothing needs
# installing. Two floors: the tree in libpg_query's packed form (pg_query_parse_protobuf, the
# floor the target was set against) and in its JSON form (pg_query_parse, cheaper with
# libpg_query 15, and what rollsafe now decodes). Prints one line per corpus, the totals, the
# ratio of wall-clock times to each floor (target: at most 1.3x), the ratio of the medians of
# the check and the JSON-form floor (on a busy machine the best run of a one-thread floor can
# be a lucky one that a two-thread check, needing both CPUs at once, rarely gets), the ratio of
# CPU times (what
# the machine spends, helper thread included: a check with --jobs 2 parses on two CPUs), and
# the peak memory (target: under 64 MiB). The text format is timed too: it must not be much
# slower than JSON.
#
#   BENCH_RUNS=N      runs per measurement (default 10; the best one counts)
#   BENCH_STRICT=1    exit 1 when a target is missed
#   CORPORA=DIR       where the corpora are (default ../shared/corpora, relative to the root)
#
# Skips, with a message and exit 0, when the corpora are absent.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-build/rollsafe}
FLOOR=${2:-build/parse-floor}
RUNS=${BENCH_RUNS:-10}
CORPORA=${CORPORA:-../shared/corpora}
TARGET_RATIO=1.30
TARGET_MIB=64

DIRS=(
    lemmy/migrations
    vaultwarden/migrations/postgresql
    authelia/internal/storage/migrations/postgres
    rallly/packages/database/prisma/migrations
    supabase-storage/migrations/tenant
    supabase-storage/migrations/multitenant
)

if [ ! -d "$CORPORA" ]; then
    echo "bench: skipped: $CORPORA is absent (the corpora are the benchmark input)"
    exit 0
fi
for tool in "$BIN" "$FLOOR"; do
    [ -x "$tool" ] || { echo "bench: $tool is missing; run make bench" >&2; exit 2; }
done

# best (lowest) of two "wall cpu rss_kib" lines, field by field (rss: the highest)
best_of() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "") { print b; exit }
        split(a, x, " "); split(b, y, " ")
        printf "%s %s %s\n", (y[1] < x[1] ? y[1] : x[1]), (y[2] < x[2] ? y[2] : x[2]),
            (y[3] > x[3] ? y[3] : x[3]) }'
}

# the median of the numbers given as arguments
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-46s %5s %6s %9s %9s %9s %6s %6s %9s %8s\n' corpus files stmts floor_ms jfloor_ms \
    json_ms ratio jratio text_ms peak_MiB
tot_files=0 tot_stmts=0 tot_floor=0 tot_jfloor=0 tot_json=0 tot_text=0 peak_kib=0 cpu_floor=0
cpu_json=0 tot_med_jfloor=0 tot_med_json=0
for d in "${DIRS[@]}"; do
    dir="$CORPORA/$d"
    if [ ! -d "$dir" ]; then
        echo "bench: skipped $d: not in $CORPORA"
        continue
    fi
    # The floor parses what check parses: the down scripts too once check verifies downs.
    floor_args=()
    if "$BIN" check --format json "$dir" 2>/dev/null | grep -q '"down_check": {'; then
        floor_args=(--down)
    fi
    read -r _ files _ stmts _ _ < <("$FLOOR" --count "${floor_args[@]}" "$dir")
    # The four commands take turns, run after run: a machine whose load changes during the
    # bench then slows all of them alike, not one of them.
    fb="" gb="" jb="" tb="" gall="" jall=""
    for ((run = 0; run < RUNS; run++)); do
        f=$("$FLOOR" --time 1 -- "$FLOOR" "${floor_args[@]}" "$dir") || exit 2
        g=$("$FLOOR" --time 1 -- "$FLOOR" --json "${floor_args[@]}" "$dir") || exit 2
        j=$("$FLOOR" --time 1 -- "$BIN" check --format json "$dir") || exit 2
        t=$("$FLOOR" --time 1 -- "$BIN" check --format text "$dir") || exit 2
        fb=$(best_of "$fb" "$f") gb=$(best_of "$gb" "$g") jb=$(best_of "$jb" "$j")
        tb=$(best_of "$tb" "$t")
        gall="$gall ${g%% *}" jall="$jall ${j%% *}"
    done
    med_jfloor=$(awk -v a="$tot_med_jfloor" -v m="$(median $gall)" 'BEGIN { print a + m }')
    med_json=$(awk -v a="$tot_med_json" -v m="$(median $jall)" 'BEGIN { print a + m }')
    tot_med_jfloor=$med_jfloor tot_med_json=$med_json
    read -r floor_s floor_c floor_kib <<< "$fb"
    read -r jfloor_s _ _ <<< "$gb"
    read -r json_s json_c json_kib <<< "$jb"
    read -r text_s _ text_kib <<< "$tb"
    [ -n "${json_s:-}" ] && [ -n "${text_s:-}" ] && [ -n "${floor_s:-}" ] ||
        { echo "bench: timing $d failed" >&2; exit 2; }
    for k in "$json_kib" "$text_kib"; do
        [ "$k" -gt "$peak_kib" ] && peak_kib=$k
    done
    awk -v d="$d" -v f="$files" -v s="$stmts" -v fl="$floor_s" -v g="$jfloor_s" -v j="$json_s" \
        -v t="$text_s" -v kj="$json_kib" -v kt="$text_kib" 'BEGIN {
            k = kj > kt ? kj : kt
            printf "%-46s %5d %6d %9.1f %9.1f %9.1f %5.2fx %5.2fx %9.1f %8.1f\n", d, f, s,
                fl * 1000, g * 1000, j * 1000, j / fl, j / g, t * 1000, k / 1024 }'
    tot_files=$((tot_files + files))
    tot_stmts=$((tot_stmts + stmts))
    tot_floor=$(awk -v a="$tot_floor" -v b="$floor_s" 'BEGIN { print a + b }')
    tot_jfloor=$(awk -v a="$tot_jfloor" -v b="$jfloor_s" 'BEGIN { print a + b }')
    tot_json=$(awk -v a="$tot_json" -v b="$json_s" 'BEGIN { print a + b }')
    tot_text=$(awk -v a="$tot_text" -v b="$text_s" 'BEGIN { print a + b }')
    cpu_floor=$(awk -v a="$cpu_floor" -v b="$floor_c" 'BEGIN { print a + b }')
    cpu_json=$(awk -v a="$cpu_json" -v b="$json_c" 'BEGIN { print a + b }')
done

[ "$tot_files" -gt 0 ] || { echo "bench: skipped: no corpus directory found"; exit 0; }
awk -v f="$tot_files" -v s="$tot_stmts" -v fl="$tot_floor" -v g="$tot_jfloor" -v j="$tot_json" \
    -v t="$tot_text" -v k="$peak_kib" -v runs="$RUNS" -v tr="$TARGET_RATIO" -v tm="$TARGET_MIB" \
    -v cf="$cpu_floor" -v cj="$cpu_json" -v mg="$tot_med_jfloor" -v mj="$tot_med_json" 'BEGIN {
    printf "%-46s %5d %6d %9.1f %9.1f %9.1f %5.2fx %5.2fx %9.1f %8.1f\n", "total", f, s,
        fl * 1000, g * 1000, j * 1000, j / fl, j / g, t * 1000, k / 1024
    printf "\nbest of %d runs per measurement\n", runs
    printf "parser floor: %.1f ms (%.0f files/s, %.0f statements/s)\n", fl * 1000, f / fl, s / fl
    printf "parser floor, JSON form: %.1f ms (%.2fx faster)\n", g * 1000, fl / g
    printf "check (json): %.1f ms (%.0f files/s, %.0f statements/s)\n", j * 1000, f / j, s / j
    printf "check (text): %.1f ms (%.2fx json)\n", t * 1000, t / j
    printf "ratio: %.2fx the parser floor (target: at most %.2fx) %s\n", j / fl, tr,
        j / fl <= tr ? "ok" : "MISSED"
    printf "ratio: %.2fx the JSON-form parser floor (target: at most %.2fx) %s\n", j / g, tr,
        j / g <= tr ? "ok" : "MISSED"
    printf "medians: check %.1f ms, JSON-form floor %.1f ms: %.2fx", mj * 1000, mg * 1000, mj / mg
    printf " (steadier than the best runs on a busy machine)\n"
    printf "cpu time: check %.1f ms, floor %.1f ms: %.2fx\n", cj * 1000, cf * 1000, cj / cf
    printf "peak memory: %.1f MiB (target: under %d MiB) %s\n", k / 1024, tm,
        k / 1024 < tm ? "ok" : "MISSED"
    exit !(j / fl <= tr && k / 1024 < tm)
}'
met=$?
if [ $met -ne 0 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
    exit 1
fi
exit 0

#!/usr/bin/env bash
# Every corpus of ../shared/corpora is read without a crash (the suite runs under ASan and
# UBSan): exit 0 or 1, valid JSON, one verdict per migration, the same report with one process
# and with two. Skips when the corpora are absent.
set -u
BIN=${BIN:?BIN must name the rollsafe binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
C="$ROOT/../shared/corpora"
if [ ! -d "$C" ]; then
    echo "skip corpora: ../shared/corpora is absent"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for dir in lemmy/migrations vaultwarden/migrations/postgresql \
    authelia/internal/storage/migrations/postgres rallly/packages/database/prisma/migrations \
    supabase-storage/migrations/tenant supabase-storage/migrations/multitenant \
    supabase-storage/migrations/vector_store; do
    name="corpus ${dir%%/*} (${dir##*/})"
    if [ ! -d "$C/$dir" ]; then
        echo "skip $name: not in this copy of the corpora"
        continue
    fi
    ${RUNNER:-} "$BIN" check "$C/$dir" --format json > "$T/out.json" 2> "$T/err.txt"
    rc=$?
    if [ $rc -gt 1 ]; then
        echo "not ok $name: exit $rc: $(head -c 400 "$T/err.txt")"
    elif ! grep -q '"verdict": "' "$T/out.json" || ! grep -q '^  "summary": {' "$T/out.json" ||
        [ "$(tail -c 2 "$T/out.json")" != "}" ]; then
        echo "not ok $name: output is not the JSON report"
    else
        echo "ok $name"
    fi
    # The parse-ahead helper and the check split between two threads (the default, --jobs 2)
    # change nothing: the report is byte for byte that of a single thread.
    ${RUNNER:-} "$BIN" check "$C/$dir" --format json --jobs 1 > "$T/one.json" 2> /dev/null
    if cmp -s "$T/out.json" "$T/one.json"; then
        echo "ok $name: --jobs 2 writes what --jobs 1 writes"
    else
        echo "not ok $name: --jobs 2 and --jobs 1 differ: $(diff "$T/one.json" "$T/out.json" | head -5)"
    fi
    # The text report over the same input must not crash either.
    ${RUNNER:-} "$BIN" check "$C/$dir" > /dev/null 2>&1
    rc=$?
    [ $rc -le 1 ] && echo "ok $name text" || echo "not ok $name text: exit $rc"
done

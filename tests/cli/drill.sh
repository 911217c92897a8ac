#!/usr/bin/env bash
# Command-line behaviour of `rollsafe drill`: options, exit codes, the JSON contract, the Markdown
# report, and that the embedded server and its directory are gone after a run and after SIGINT.
# Prints "ok NAME" / "not ok NAME: why" / "skip NAME: why" lines for tests/run.
#
# The verdicts themselves are tested in tests/unit/drill_test.c; this file starts a few servers
# only (each run of the drill starts its own).
set -u
BIN=${BIN:?BIN must name the rollsafe binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 711 "$T"

# shellcheck source=common.bash
. "$(dirname "$0")/common.bash"

# Servers live here (on tmpfs when there is one): the tests check it is empty afterwards.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    SRV=$(mktemp -d /dev/shm/rollsafe-drill-cli-XXXXXX)
    trap 'rm -rf "$T" "$SRV"' EXIT
else
    SRV="$T/srv"
    mkdir "$SRV"
fi
chmod 711 "$SRV"
CACHE="$T/cache"

mkdir -p "$T/safe" "$T/lossy" "$T/slow"
printf 'CREATE TABLE t (id serial PRIMARY KEY, amount numeric(12,4) NOT NULL, note text);\n' \
    > "$T/safe/0001_init.up.sql"
printf 'DROP TABLE t;\n' > "$T/safe/0001_init.down.sql"
printf 'ALTER TABLE t ADD COLUMN phone text;\n' > "$T/safe/0002_phone.up.sql"
printf 'ALTER TABLE t DROP COLUMN phone;\n' > "$T/safe/0002_phone.down.sql"
cp "$T/safe/0001_init.up.sql" "$T/safe/0001_init.down.sql" "$T/lossy/"
printf 'ALTER TABLE t ALTER COLUMN amount TYPE numeric(12,2);\n' > "$T/lossy/0002_scale.up.sql"
printf 'ALTER TABLE t ALTER COLUMN amount TYPE numeric(12,4);\n' > "$T/lossy/0002_scale.down.sql"
cp "$T/safe/0001_init.up.sql" "$T/slow/"
printf 'SELECT pg_sleep(60);\n' > "$T/slow/0002_slow.up.sql"

drill() { "$BIN" drill --tmp-dir "$SRV" "$@"; }
export XDG_CACHE_HOME="$CACHE"

# ---------------------------------------------------------------- options (no server needed)
expect "drill help" 0 "usage: rollsafe drill" "$BIN" drill --help
expect "drill unknown option" 2 "unknown option '--frobnicate'" "$BIN" drill --frobnicate "$T/safe"
expect "drill bad rows" 2 "--rows needs a number" "$BIN" drill --rows 0 "$T/safe"
expect "drill bad crash-at" 2 "--crash-at needs a statement number" "$BIN" drill --crash-at x "$T/safe"
expect "drill bad format" 2 "--format must be text or json" "$BIN" drill --format sarif "$T/safe"
expect "drill seed and rows" 2 "--seed and --rows cannot be combined" \
    "$BIN" drill --seed x.sql --rows 3 "$T/safe"
expect "drill database and pg-bin" 2 "--pg-bin and --tmp-dir are for the embedded server" \
    "$BIN" drill --database postgresql://x/y --pg-bin /usr/bin "$T/safe"
expect "drill missing path" 2 "nope" "$BIN" drill "$T/nope"
expect "drill since unknown id" 2 "--since 9999: no migration has that id" \
    "$BIN" drill --since 9999 "$T/safe"
expect "drill bad pg-bin" 2 "initdb" "$BIN" drill --pg-bin "$T" "$T/safe"
expect "drill unreachable database" 2 "cannot connect" \
    "$BIN" drill --database "host=$T/nosocket dbname=x connect_timeout=2" "$T/safe"
# libpq is dlopen'ed when drill needs it: ROLLSAFE_LIBPQ names the file, and a library that does
# not load is an error naming it and what to do, before anything starts.
expect "drill libpq missing" 2 \
    "cannot load libpq \\(/nonexistent/libpq\\.so\\.5\\): .*No such file.*ROLLSAFE_LIBPQ" \
    env ROLLSAFE_LIBPQ=/nonexistent/libpq.so.5 "$BIN" drill "$T/safe"
expect "drill libpq not libpq" 2 "cannot load libpq \\(libm\\.so\\.6\\): no PQ[a-zA-Z]+ in it" \
    env ROLLSAFE_LIBPQ=libm.so.6 "$BIN" drill "$T/safe"
expect "drill libpq named" 2 "cannot connect" env ROLLSAFE_LIBPQ=libpq.so.5 \
    "$BIN" drill --database "host=$T/nosocket dbname=x connect_timeout=2" "$T/safe"

# ---------------------------------------------------------------- with a server
probe=$(drill --format json "$T/safe" 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf '%s' "$probe" | grep -q "initdb"; then
    for n in "drill safe exit 0" "drill json contract" "drill lossy exit 1" "drill report" \
        "drill fail-on never" "drill leaves nothing" "drill signal cleanup"; do
        echo "skip $n: no PostgreSQL server programs (initdb, postgres) installed"
    done
    exit 0
fi
if [ $rc -eq 0 ]; then echo "ok drill safe exit 0"; else
    echo "not ok drill safe exit 0: exit $rc: $(printf '%s' "$probe" | tail -c 400)"; fi

if command -v python3 > /dev/null; then
    if why=$(printf '%s' "$probe" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("tool", "server_version", "migrations"):
    assert k in d, "top-level " + k
assert d["tool"] == "rollsafe"
m = d["migrations"][1]
for k in ("id", "name", "up", "previous_queries", "down", "reapply", "locks", "rewrites", "verdict"):
    assert k in m, "migration " + k
for k in ("ok", "ms", "error"):
    assert k in m["up"], "up." + k
for k in ("ok", "ms", "error", "schema_restored", "schema_diff", "data_restored", "data_diff"):
    assert k in m["down"], "down." + k
for k in ("ok", "error"):
    assert k in m["reapply"], "reapply." + k
assert m["id"] == "0002" and m["name"] == "phone", m["id"]
assert m["verdict"] == "safe", m["verdict"]
assert m["down"]["schema_restored"] and m["down"]["data_restored"]
assert m["previous_queries"] is None
assert {"statement": 1, "relation": "t", "mode": "AccessExclusiveLock", "kind": "table"} in m["locks"], m["locks"]
' 2>&1); then echo "ok drill json contract"; else echo "not ok drill json contract: $why"; fi
else
    echo "skip drill json contract: python3 is not installed"
fi

expect "drill lossy exit 1" 1 "irreversible" drill "$T/lossy"
expect "drill fail-on never" 0 "irreversible" drill --fail-on never "$T/lossy"
expect "drill lossy data named" 1 "t.amount: values changed" drill "$T/lossy"

rm -f "$T/report.md"
drill --report "$T/report.md" "$T/lossy" > /dev/null 2>&1
if grep -q "^# Migration drill: evidence report" "$T/report.md" 2> /dev/null &&
    grep -q "PostgreSQL [0-9]" "$T/report.md" && grep -q "| t | amount |" "$T/report.md"; then
    echo "ok drill report"
else
    echo "not ok drill report: $(head -c 300 "$T/report.md" 2> /dev/null)"
fi

left=$(find "$SRV" -mindepth 1 -maxdepth 1 | head -n 3)
procs=$(pgrep -f -- "$SRV" | head -n 3)
if [ -z "$left" ] && [ -z "$procs" ]; then echo "ok drill leaves nothing"; else
    echo "not ok drill leaves nothing: left: $left; processes: $procs"; fi

# SIGTERM while a migration runs: the server is killed and its directory removed, and rollsafe
# dies of the signal. (A background job of a script ignores SIGINT, so SIGTERM stands in for
# Ctrl-C: both go through the same handler.)
"$BIN" drill --tmp-dir "$SRV" "$T/slow" > "$T/slow.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
    [ -n "$(find "$SRV" -mindepth 1 -maxdepth 1 2> /dev/null)" ] && break
    sleep 0.1
done
sleep 2 # the drill reaches the pg_sleep
kill -TERM "$pid"
wait "$pid"
rc=$?
sleep 0.5
left=$(find "$SRV" -mindepth 1 -maxdepth 1 | head -n 3)
procs=$(pgrep -f -- "$SRV" | head -n 3)
if [ $rc -eq 143 ] && [ -z "$left" ] && [ -z "$procs" ]; then echo "ok drill signal cleanup"; else
    echo "not ok drill signal cleanup: exit $rc, left: $left; processes: $procs; $(tail -c 300 "$T/slow.out")"
fi

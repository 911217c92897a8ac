#!/usr/bin/env bash
# The helper thread (parse-ahead and the second part of the check, --jobs 2, the default on two
# CPUs) changes nothing: on a generated history big enough for the helper to start (over 32 KiB
# of SQL), the report, the exit code and the errors are those of --jobs 1. Findings of every
# kind land on both sides of the split: dropped and renamed columns, downs that do not undo
# their up, statements in a newer grammar, approvals used and unused, and malformed approvals,
# which are errors of the run (exit 2) wherever they are.
set -u
BIN=${BIN:?BIN must name the rollsafe binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# A golang-migrate history of n migrations; a malformed approval in migration $2 if given.
history() {
    local dir=$1 bad=${2:-0} n=160 i
    mkdir -p "$dir"
    for ((i = 1; i <= n; i++)); do
        local up="$dir/$(printf %04d "$i")_step_$i.up.sql" down="$dir/$(printf %04d "$i")_step_$i.down.sql"
        {
            echo "-- Step $i of the generated history: a table, an index and a column on the table before."
            echo "CREATE TABLE t_$i (id bigint PRIMARY KEY, name text NOT NULL, note varchar(40),"
            echo "    created_at timestamptz NOT NULL DEFAULT now());"
            echo "CREATE INDEX t_${i}_name ON t_$i (name);"
            if ((i > 1)); then
                echo "ALTER TABLE t_$((i - 1)) ADD COLUMN c_$i integer;"
            fi
            if ((i % 10 == 0)); then
                ((i % 20 == 0)) && echo "-- rollsafe:approve drop-column reason=\"t_$((i - 5)).name is unused since step $((i - 6))\""
                echo "ALTER TABLE t_$((i - 5)) DROP COLUMN name;"
            fi
            if ((i % 15 == 0)); then
                echo "ALTER TABLE t_$((i - 3)) RENAME COLUMN note TO remark;"
                echo "ALTER TABLE t_$((i - 3)) ALTER COLUMN remark TYPE varchar(20);"
            fi
            if ((i % 25 == 0)); then
                echo "ALTER TABLE t_$i ADD COLUMN twice bigint GENERATED ALWAYS AS (id * 2) VIRTUAL;"
            fi
            if ((i % 33 == 0)); then
                echo "-- rollsafe:approve rename-column reason=\"nothing is renamed here\""
                echo "UPDATE t_$((i - 1)) SET name = upper(name);"
            fi
            if ((i == bad)); then
                echo "-- rollsafe:approve drop-column"
                echo "ALTER TABLE t_$((i - 2)) DROP COLUMN note;"
            fi
        } > "$up"
        {
            echo "DROP INDEX t_${i}_name;"
            # Every seventh down forgets the table the up made.
            ((i % 7 == 0)) || echo "DROP TABLE t_$i;"
            if ((i > 1)); then
                echo "ALTER TABLE t_$((i - 1)) DROP COLUMN c_$i;"
            fi
        } > "$down"
    done
}

# The helper renders its part of the report (JSON, text with and without info findings and
# colours) as it checks it: the report must be the serial one all the same.
compare() {
    local name=$1 dir=$2 want_rc=$3 fmt
    for fmt in json text "text -v --color always"; do
        # shellcheck disable=SC2086 # fmt holds options
        ${RUNNER:-} "$BIN" check "$dir" --format $fmt --jobs 1 > "$T/one.out" 2> "$T/one.err"
        local rc1=$?
        # shellcheck disable=SC2086
        ${RUNNER:-} "$BIN" check "$dir" --format $fmt --jobs 2 > "$T/two.out" 2> "$T/two.err"
        local rc2=$?
        if [ "$rc1" != "$want_rc" ]; then
            echo "not ok $name ($fmt): --jobs 1 exit $rc1, expected $want_rc: $(head -c 300 "$T/one.err")"
        elif [ "$rc2" != "$rc1" ]; then
            echo "not ok $name ($fmt): --jobs 2 exit $rc2, --jobs 1 exit $rc1"
        elif ! cmp -s "$T/one.out" "$T/two.out"; then
            echo "not ok $name ($fmt): the reports differ: $(diff "$T/one.out" "$T/two.out" | head -5)"
        elif ! cmp -s "$T/one.err" "$T/two.err"; then
            echo "not ok $name ($fmt): the errors differ: $(diff "$T/one.err" "$T/two.err" | head -5)"
        else
            echo "ok $name ($fmt): --jobs 2 gives what --jobs 1 gives"
        fi
    done
}

history "$T/good"
size=$(cat "$T"/good/*.sql | wc -c)
if [ "$size" -lt 40000 ]; then
    echo "not ok jobs: the generated history has $size bytes, too few for the helper to start"
fi
"$BIN" check "$T/good" --format json --jobs 1 > "$T/good.json" 2> /dev/null
kinds=0
for rule in '"drop-column"' '"rename-column"' '"syntax-error"' '"unused-approval"' '"down-mismatch"'; do
    grep -q "\"rule\": $rule" "$T/good.json" && kinds=$((kinds + 1))
done
if [ "$kinds" -lt 4 ]; then
    echo "not ok jobs: the generated history gives too few kinds of findings ($kinds)"
fi
compare "jobs: a long history" "$T/good" 1
# Malformed approvals early (checked by the engine) and late (by the helper, after the split).
history "$T/bad-early" 12
compare "jobs: a malformed approval early in the history" "$T/bad-early" 2
history "$T/bad-late" 150
compare "jobs: a malformed approval late in the history" "$T/bad-late" 2
# Files that cannot be read, early and late in the history. With a helper thread the files are
# read as they are parsed, in both threads; the errors must be those of --jobs 1, where the
# layout reads every file first, in the same order: a NUL byte, invalid UTF-8, a FIFO, UTF-16,
# and a migration whose up and down are both unreadable (only the up is reported, as the
# layout leaves the migration out).
history "$T/unreadable"
printf 'CREATE TABLE nul_here (id int);\n\0\n' > "$T/unreadable/0005_step_5.up.sql"
printf 'DROP TABLE t_140; -- caf\xe9\n' > "$T/unreadable/0140_step_140.down.sql"
rm "$T/unreadable/0100_step_100.up.sql" && mkfifo "$T/unreadable/0100_step_100.up.sql"
printf '\xff\xfeD\0R\0O\0P\0' > "$T/unreadable/0060_step_60.down.sql"
printf '\xff\xfe' > "$T/unreadable/0150_step_150.up.sql"
printf '\0' > "$T/unreadable/0150_step_150.down.sql"
compare "jobs: unreadable files early and late in the history" "$T/unreadable" 2
"$BIN" check "$T/unreadable" --jobs 2 > /dev/null 2> "$T/unreadable.err"
errors=$(grep -c 'unreadable/0' "$T/unreadable.err")
if [ "$errors" != 5 ] || grep -q '0150_step_150.down' "$T/unreadable.err"; then
    echo "not ok jobs: the unreadable files give $errors errors, not the 5 expected: $(cat "$T/unreadable.err")"
else
    echo "ok jobs: each unreadable file is reported once, the down of a left-out migration not"
fi

# The same history as Diesel directories. Their up.sql and down.sql are not looked up ahead:
# the open that reads each one, in whichever thread parses it, tells whether it is there, and
# the report must be that of --jobs 1, where the layout reads them first. Downs missing early
# and late, a down.sql that is a directory and one that is a broken symbolic link: each is a
# migration without a down, as a look-up finds; then a directory without up.sql, an error.
diesel() {
    local from=$1 dir=$2 f name
    mkdir -p "$dir/00000000000000_diesel_initial_setup"
    echo "SELECT 1;" > "$dir/00000000000000_diesel_initial_setup/up.sql"
    for f in "$from"/*.up.sql; do
        name=$(basename "$f" .up.sql)
        mkdir -p "$dir/2020-01-01-00${name%%_*}_${name#*_}"
        cp "$f" "$dir/2020-01-01-00${name%%_*}_${name#*_}/up.sql"
        cp "${f%.up.sql}.down.sql" "$dir/2020-01-01-00${name%%_*}_${name#*_}/down.sql"
    done
}
diesel "$T/good" "$T/diesel"
rm "$T"/diesel/2020-01-01-000003_step_3/down.sql "$T"/diesel/2020-01-01-000130_step_130/down.sql
rm "$T"/diesel/2020-01-01-000070_step_70/down.sql
mkdir "$T"/diesel/2020-01-01-000070_step_70/down.sql
rm "$T"/diesel/2020-01-01-000090_step_90/down.sql
ln -s nowhere.sql "$T"/diesel/2020-01-01-000090_step_90/down.sql
compare "jobs: a Diesel history with downs missing" "$T/diesel" 1
"$BIN" check "$T/diesel" --format json --jobs 2 > "$T/diesel.json" 2> /dev/null
missing=$(grep -c '"rule": "down-missing"' "$T/diesel.json")
nulls=$(grep -c '"down_path": null' "$T/diesel.json")
if [ "$missing" != 4 ] || [ "$nulls" != 5 ]; then
    echo "not ok jobs: the Diesel history has $missing down-missing findings (4 expected) and" \
        "$nulls migrations without a down path (5: the four and the initial setup)"
else
    echo "ok jobs: each Diesel migration without down.sql has no down, found as it is read"
fi
# Downs that are not checked are only read, before the run: one that is not there is none.
"$BIN" check "$T/diesel" --no-down-check --format json --jobs 1 > "$T/nd1.out" 2>&1
"$BIN" check "$T/diesel" --no-down-check --format json --jobs 2 > "$T/nd2.out" 2>&1
if ! cmp -s "$T/nd1.out" "$T/nd2.out" || [ "$(grep -c '"down_path": null' "$T/nd2.out")" != 5 ]; then
    echo "not ok jobs: --no-down-check on the Diesel history: $(diff "$T/nd1.out" "$T/nd2.out" | head -5)"
else
    echo "ok jobs: --no-down-check on the Diesel history: the same report, the same downs missing"
fi
# A directory without up.sql, and a down.sql that is a socket: errors, each reported once.
rm "$T"/diesel/2020-01-01-000120_step_120/up.sql "$T"/diesel/2020-01-01-000150_step_150/down.sql
python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" \
    "$T"/diesel/2020-01-01-000150_step_150/down.sql
compare "jobs: a Diesel directory without up.sql" "$T/diesel" 2
"$BIN" check "$T/diesel" --jobs 2 > /dev/null 2> "$T/diesel.err"
if ! grep -q '2020-01-01-000120_step_120: error: migration directory without up.sql' "$T/diesel.err" ||
    ! grep -q '000150_step_150/down.sql: error: cannot read: it is a socket' "$T/diesel.err" ||
    [ "$(grep -c 'error' "$T/diesel.err")" != 2 ]; then
    echo "not ok jobs: the directory without up.sql and the socket are not the two errors:" \
        "$(cat "$T/diesel.err")"
else
    echo "ok jobs: a Diesel directory without up.sql and a down.sql that is a socket are" \
        "reported once each, where they are"
fi

# The ups of the history as Prisma directories: migration.sql is not looked up ahead either.
mkdir -p "$T/prisma"
printf 'provider = "postgresql"\n' > "$T/prisma/migration_lock.toml"
for f in "$T"/good/*.up.sql; do
    name=$(basename "$f" .up.sql)
    mkdir -p "$T/prisma/2020010100${name%%_*}_${name#*_}"
    cp "$f" "$T/prisma/2020010100${name%%_*}_${name#*_}/migration.sql"
done
compare "jobs: a Prisma history" "$T/prisma" 1
rm "$T"/prisma/20200101000140_step_140/migration.sql
compare "jobs: a Prisma directory without migration.sql" "$T/prisma" 2
"$BIN" check "$T/prisma" --jobs 2 > /dev/null 2> "$T/prisma.err"
if ! grep -q '20200101000140_step_140: error: migration directory without migration.sql' \
    "$T/prisma.err" || [ "$(grep -c 'error' "$T/prisma.err")" != 1 ]; then
    echo "not ok jobs: the directory without migration.sql is not the one error: $(cat "$T/prisma.err")"
else
    echo "ok jobs: a Prisma directory without migration.sql is reported once, where it is"
fi

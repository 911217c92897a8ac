#!/usr/bin/env bash
# Bad input never crashes or hangs `rollsafe check`: every case ends with exit 2 and an error
# naming the file, the position and what to do, or (SQL that does not parse) exit 1 and a
# syntax-error finding. The suite runs this under ASan + UBSan (make check) and valgrind
# (make valgrind; the biggest inputs are skipped there). Prints "ok NAME" / "not ok NAME: why" /
# "skip NAME: why" lines for tests/run. docs/robustness.md describes each behaviour.
set -u
BIN=${BIN:?BIN must name the rollsafe binary}
read -r -a RUN <<< "${RUNNER:-}"
T=$(mktemp -d)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
LIMIT=${BAD_INPUT_TIMEOUT:-120}

# shellcheck source=common.bash
. "$(dirname "$0")/common.bash"

# rollsafe check with a time limit: a hang is a failure (expect reports timeout's exit 124).
rollsafe_check() {
    timeout "$LIMIT" "${RUN[@]}" "$BIN" check "$@"
}

# Like expect, but only requires that rollsafe answers (exit 0, 1 or 2) without a crash.
survives() {
    local name=$1
    shift
    local out rc
    out=$(cd "$T" && rollsafe_check "$@" 2>&1)
    rc=$?
    if [ $rc -le 2 ]; then
        echo "ok $name"
    elif [ $rc -eq 124 ]; then
        echo "not ok $name: no answer within ${LIMIT}s"
    else
        echo "not ok $name: exit $rc: $(printf '%s' "$out" | tail -c 300)"
    fi
}

heavy() { # inputs too slow for valgrind
    if [ -n "${RUNNER:-}" ]; then
        echo "skip $1: too slow under ${RUNNER%% *}"
        return 1
    fi
}

have_python() {
    command -v python3 > /dev/null 2>&1 || { echo "skip $1: needs python3 to build the input"; return 1; }
}

cd "$T" || exit 2
mkdir d

# ---------------------------------------------------------------- not text, not UTF-8
head -c 2048 /dev/urandom > d/random.bin
printf 'PK\003\004\000\000binary' | cat - d/random.bin > binary.sql
expect "binary file" 2 "binary.sql:1:[0-9]+: error: file contains a NUL byte" rollsafe_check binary.sql
expect "binary file hint" 2 "hint: this looks like a binary file" rollsafe_check binary.sql

printf 'SELECT 1;\nSELECT 2;\000SELECT 3;\n' > nul.sql
expect "NUL byte position" 2 "nul.sql:2:10: error: file contains a NUL byte" rollsafe_check nul.sql

printf "CREATE TABLE caf\351 (id int);\n" > latin1.sql
expect "Latin-1 file" 2 "latin1.sql:1:17: error: invalid UTF-8 \\(byte 0xE9\\)" rollsafe_check latin1.sql
expect "Latin-1 hint" 2 "iconv -f LATIN1 -t UTF-8" rollsafe_check latin1.sql

printf 'SELECT 1;\n-- \300\257 overlong\n' > overlong.sql
expect "overlong UTF-8" 2 "overlong.sql:2:4: error: invalid UTF-8 \\(byte 0xC0\\)" rollsafe_check overlong.sql
printf 'SELECT 1; -- \355\240\200 surrogate\n' > surrogate.sql
expect "UTF-8 surrogate" 2 "surrogate.sql:1:14: error: invalid UTF-8" rollsafe_check surrogate.sql
printf 'SELECT 1; -- cut \342\202' > truncated.sql
expect "UTF-8 cut at the end" 2 "truncated.sql:1:18: error: invalid UTF-8" rollsafe_check truncated.sql

printf '\377\376S\000E\000L\000E\000C\000T\000 \0001\000;\000' > utf16.sql
expect "UTF-16 with BOM" 2 "utf16.sql:1:1: error: file is UTF-16 text" rollsafe_check utf16.sql
expect "UTF-16 hint" 2 "iconv -f UTF-16 -t UTF-8" rollsafe_check utf16.sql
printf '\376\377\000S\000E\000L' > utf16be.sql
expect "UTF-16 big-endian with BOM" 2 "utf16be.sql:1:1: error: file is UTF-16 text" rollsafe_check utf16be.sql
printf 'S\000E\000L\000E\000C\000T\000' > utf16nobom.sql
expect "UTF-16 without BOM" 2 "utf16nobom.sql:1:2: error: file contains a NUL byte.*|UTF-16" rollsafe_check utf16nobom.sql

printf '\357\273\277CREATE TABLE t (id int);\n' > bom.sql
expect "UTF-8 BOM is accepted" 0 "1 migration checked" rollsafe_check bom.sql
printf 'CREATE TABLE t (id int);\r\nALTER TABLE t ADD COLUMN c int;\r\n' > crlf.sql
expect "CRLF line endings" 0 "1 migration checked" rollsafe_check crlf.sql

# ---------------------------------------------------------------- SQL that does not end
printf "CREATE TABLE t (id int);\nINSERT INTO t VALUES ('never closed);\n" > string.sql
expect "unterminated string" 1 "string.sql:2:23: error\\[syntax-error\\]: unterminated quoted string" rollsafe_check string.sql
{ printf "SELECT '"; head -c 200000 /dev/zero | tr '\0' 'x'; printf '\n\n\n'; } > longstring.sql
expect "unterminated string: message stays short" 1 'at or near "'"'"'x{39}\.\.\."' rollsafe_check longstring.sql
printf 'CREATE TABLE t (id int);\n/* never closed\nALTER TABLE t DROP COLUMN id;\n' > comment.sql
expect "unterminated comment" 1 "comment.sql:2:1: error\\[syntax-error\\]: unterminated /\\* comment" rollsafe_check comment.sql
printf 'SELECT 1;\n/* outer /* inner */ still open\n' > nested.sql
expect "unterminated nested comment" 1 "unterminated /\\* comment" rollsafe_check nested.sql
printf 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n' > dollar.sql
expect "unterminated dollar quote" 1 "unterminated dollar-quoted string" rollsafe_check dollar.sql
printf 'CREATE TABLE t (id int\n' > paren.sql
expect "unclosed parenthesis" 1 "paren.sql:[0-9]+:[0-9]+: error\\[syntax-error\\]" rollsafe_check paren.sql
printf 'SELECT 1;\nCREATE TABLE t (id int;\nSELECT 2;\n' > paren2.sql
expect "unclosed parenthesis mid-file" 1 "paren2.sql:2:[0-9]+: error\\[syntax-error\\]" rollsafe_check paren2.sql

# ---------------------------------------------------------------- not plain SQL
mkdir psql && printf 'CREATE TABLE t (id int, c int, d int);\n' > psql/0001_a.sql
printf '\\set ON_ERROR_STOP on\nALTER TABLE t DROP COLUMN d;\n\\i other.sql\nALTER TABLE t DROP COLUMN c;\n' > psql/0002_b.sql
expect "psql meta-command \\set" 1 "0002_b.sql:1:1: error\\[syntax-error\\]: psql meta-command \\\\set is not SQL" rollsafe_check psql
expect "psql meta-command \\i" 1 "0002_b.sql:3:1: error\\[syntax-error\\]: psql meta-command \\\\i is not SQL" rollsafe_check psql
expect "SQL after a meta-command is still checked" 1 "0002_b.sql:2:1: error\\[drop-column\\]" rollsafe_check psql
expect "SQL after a second meta-command too" 1 "0002_b.sql:4:1: error\\[drop-column\\]" rollsafe_check psql

printf 'CREATE TABLE {{ .Schema }}.users (id int);\n' > tmpl.sql
expect "Go template" 1 "tmpl.sql:1:14: error\\[syntax-error\\]: templated SQL: \"\\{\\{\" is not SQL" rollsafe_check tmpl.sql
printf 'CREATE TABLE t (id int);\n{%% if x %%}ALTER TABLE t ADD COLUMN c int;{%% endif %%}\n' > jinja.sql
expect "Jinja template" 1 "jinja.sql:2:1: error\\[syntax-error\\]: templated SQL: \"\\{%\"" rollsafe_check jinja.sql
printf 'CREATE TABLE ${SCHEMA}.users (id int);\n' > envsubst.sql
expect "envsubst variable" 1 "templated SQL: \"\\\$\\{\"" rollsafe_check envsubst.sql

mkdir lq && printf -- '--liquibase formatted sql\n--changeset a:1 x\ry\fz\nCREATE TABLE t (id int);\n' > lq/changelog.sql
expect "carriage return inside a Liquibase changeset line" 0 "1 migration checked \\(liquibase" rollsafe_check lq

# ---------------------------------------------------------------- deep nesting
if have_python "deep nesting"; then
    python3 -c "print('SELECT ' + '(' * 100000 + '1' + ')' * 100000 + ';')" > parens.sql
    expect "100k nested parentheses" 1 "parens.sql:1:[0-9]+: error\\[syntax-error\\]: the statement nests too deeply" rollsafe_check parens.sql
    n=4900
    python3 -c "print('CREATE TABLE t (id int, c int);'); print('UPDATE t SET c = ' + 'ARRAY[' * $n + '1' + ']' * $n + ';')" > arrays.sql
    survives "expression nested $n levels (ARRAY)" arrays.sql
    python3 -c "print('CREATE TABLE t (id int, c int);'); print('ALTER TABLE t ADD CONSTRAINT k CHECK (' + '-(' * $n + 'c' + ')' * $n + ' > 0);')" > minus.sql
    survives "CHECK nested $n levels" minus.sql
    python3 -c "print('CREATE TABLE t (id int, c int);'); print('ALTER TABLE t ALTER COLUMN c SET DEFAULT ' + 'abs(' * $n + '1' + ')' * $n + ';')" > calls.sql
    survives "DEFAULT nested $n calls" calls.sql
    python3 -c "print('CREATE TABLE t (id int);'); print('CREATE VIEW v AS SELECT ' + '(SELECT ' * 3000 + 'id FROM t' + ')' * 3000 + ' AS x;')" > subq.sql
    survives "view with 3000 nested subqueries" subq.sql
    if heavy "20000 concatenations"; then
        python3 -c "print('CREATE TABLE t (id int, c text);'); print('UPDATE t SET c = ' + ' || '.join(['c'] * 20000) + ';')" > concat.sql
        expect "20000 concatenations" 1 "concat.sql:2:1: error\\[syntax-error\\]: the statement nests too deeply for rollsafe" rollsafe_check concat.sql
    fi
fi

# ---------------------------------------------------------------- size
mkdir -p big wide
printf 'CREATE TABLE t (id int, note text, c int);\n' | tee big/0001_a.sql > wide/0001_a.sql
if heavy "20 MB migration" && have_python "20 MB migration"; then
    python3 - <<'EOF'
out = []
n, i = 0, 0
while n < 20 * 1024 * 1024:
    line = "INSERT INTO t VALUES (%d, 'row %d of a seed migration');" % (i, i)
    out.append(line)
    n += len(line) + 1
    i += 1
out.append('ALTER TABLE t DROP COLUMN note;')
open('big/0002_b.sql', 'w').write('\n'.join(out) + '\n')
EOF
    expect "20 MB migration" 1 "0002_b.sql:[0-9]+:1: error\\[drop-column\\]" rollsafe_check big
fi
if heavy "1 MB line" && have_python "1 MB line"; then
    python3 -c "print('/* ' + 'x' * 1000000 + ' */ ALTER TABLE t DROP COLUMN c;')" > wide/0002_b.sql
    expect "1 MB line" 1 "0002_b.sql:1:[0-9]+: error\\[drop-column\\]" rollsafe_check wide
    out=$(cd "$T" && "$BIN" check wide 2>&1 | wc -c)
    [ "$out" -lt 20000 ] && echo "ok 1 MB line: excerpt is cut" ||
        echo "not ok 1 MB line: excerpt is cut: the report is $out bytes"
fi
python3 -c "print('SELECT 1;\n' * 20000)" > many.sql 2>/dev/null || printf 'SELECT 1;\n' > many.sql
expect "many statements" 0 "1 migration checked" rollsafe_check many.sql

# ---------------------------------------------------------------- empty
mkdir empty
expect "empty directory" 0 "^0 migrations checked" rollsafe_check empty
: > empty.sql
expect "empty file" 0 "1 migration checked.*0 findings" rollsafe_check empty.sql
printf -- '-- nothing yet\n/* still nothing */\n\n' > comments.sql
expect "comment-only file" 0 "1 migration checked.*0 findings" rollsafe_check comments.sql
printf ';;;\n' > semicolons.sql
expect "only semicolons" 0 "1 migration checked" rollsafe_check semicolons.sql

# ---------------------------------------------------------------- what is not a regular file
mkdir links && ln -s b.sql links/a.sql && ln -s a.sql links/b.sql
expect "symbolic-link loop" 2 "links/a.sql: error: symbolic-link loop" rollsafe_check links
expect "symbolic-link loop hint" 2 "hint: remove the symbolic-link loop" rollsafe_check links
mkdir tree && printf 'SELECT 1;\n' > tree/0001_a.sql && ln -s .. tree/up && ln -s . tree/self
survives "directory link loops" tree
mkdir dangling && ln -s nowhere.sql dangling/0001_a.sql
expect "dangling link" 2 "dangling/0001_a.sql: error: broken symbolic link" rollsafe_check dangling
mkdir fifo && mkfifo fifo/0001_a.sql
expect "FIFO in the directory" 2 "fifo/0001_a.sql: error: cannot read: it is a FIFO" rollsafe_check fifo
expect "FIFO as the path" 2 "fifo/0001_a.sql: error: cannot read: it is a FIFO" rollsafe_check fifo/0001_a.sql
expect "FIFO as --schema" 2 "fifo/0001_a.sql: error: cannot read: it is a FIFO" rollsafe_check --schema fifo/0001_a.sql empty
expect "device as the path" 2 "/dev/null: error: cannot read: it is a device" rollsafe_check /dev/null
if command -v python3 > /dev/null 2>&1; then
    mkdir sock && python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind('sock/0001_a.sql')"
    expect "socket in the directory" 2 "sock/0001_a.sql: error: cannot read: it is a socket" rollsafe_check sock
fi
mkdir dirfile && mkdir dirfile/0002_b.sql && printf 'SELECT 1;\n' > dirfile/0001_a.sql
survives "directory named like a migration" dirfile

# ---------------------------------------------------------------- paths
expect "path that does not exist" 2 "nope/migrations: error: cannot open: No such file or directory" rollsafe_check nope/migrations
expect "path that does not exist: hint" 2 "hint: check the path" rollsafe_check nope/migrations
expect "--schema that does not exist" 2 "nope.sql: error: cannot open: No such file or directory" rollsafe_check --schema nope.sql empty
printf 'SELECT 1;\n' > plain.sql
expect "a file used as a directory" 2 "error: cannot open: Not a directory" rollsafe_check plain.sql/x

# Unreadable: root reads everything, so the check runs as an unprivileged user when it can.
mkdir -p perm && printf 'SELECT 1;\n' > perm/0001_a.sql && chmod 000 perm/0001_a.sql
chmod 755 "$T" perm
if [ "$(id -u)" != 0 ]; then
    expect "unreadable file" 2 "perm/0001_a.sql: error: cannot open: Permission denied" rollsafe_check perm
elif command -v setpriv > /dev/null 2>&1 &&
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BIN" 2> /dev/null &&
    [ -z "${RUNNER:-}" ]; then
    out=$(cd "$T" && setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" check perm 2>&1)
    rc=$?
    if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q "perm/0001_a.sql: error: cannot open: Permission denied" &&
        printf '%s' "$out" | grep -q "hint: make the file readable"; then
        echo "ok unreadable file (as nobody)"
    else
        echo "not ok unreadable file (as nobody): exit $rc: $(printf '%s' "$out" | head -c 300)"
    fi
else
    echo "skip unreadable file: running as root, and cannot switch to an unprivileged user here"
fi

# ---------------------------------------------------------------- output
# A report that cannot be written (a full disk) is an error, in every format, whether it is
# written whole or a piece at a time as it is rendered (the JSON and text reports of a long
# history: this one is half a megabyte of JSON).
mkdir -p long
printf 'CREATE TABLE t (id int PRIMARY KEY%s);\n' "$(seq -f ', c%g text' 1 400 | tr -d '\n')" > long/0000_t.sql
for i in $(seq 1 400); do
    printf 'ALTER TABLE t DROP COLUMN c%d;\nALTER TABLE t ALTER COLUMN id TYPE bigint;\n' "$i" > "long/$(printf %04d "$i")_m.sql"
done
if [ -w /dev/full ]; then
    for fmt in json text sarif markdown github; do
        expect "report to a full disk ($fmt)" 2 "cannot write the report: No space left on device" \
            sh -c '"$@" > /dev/full' sh "${RUN[@]}" "$BIN" check --format "$fmt" long
    done
else
    echo "skip report to a full disk: no writable /dev/full"
fi

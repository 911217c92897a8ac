#!/usr/bin/env bash
# Command-line behaviour of `rollsafe check` and `rollsafe explain`: exit codes, error messages
# with positions, option validation. Prints "ok NAME" / "not ok NAME: why" lines for tests/run.
set -u
BIN=${BIN:?BIN must name the rollsafe binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# shellcheck source=common.bash
. "$(dirname "$0")/common.bash"

mkdir -p "$T/m"
printf 'CREATE TABLE t (id int, note text);\n' > "$T/m/0001_init.sql"
printf 'ALTER TABLE t DROP COLUMN note;\n' > "$T/m/0002_drop.sql"

expect "no arguments" 2 "usage: rollsafe" "$BIN"
expect "unknown command" 2 "unknown command 'chek'" "$BIN" chek
expect "version" 0 "^rollsafe [0-9]" "$BIN" --version
expect "missing path" 2 "nope: error: cannot open: No such file or directory" "$BIN" check "$T/nope"
expect "missing path hint" 2 "hint: check the path" "$BIN" check "$T/nope"
expect "unknown option" 2 "unknown option '--frobnicate'" "$BIN" check --frobnicate "$T/m"
expect "bad pg-version" 2 "--pg-version must be 11 to 18" "$BIN" check --pg-version 9 "$T/m"
expect "bad fail-on" 2 "--fail-on must be" "$BIN" check --fail-on sometimes "$T/m"
expect "bad format" 2 "--format must be" "$BIN" check --format xml "$T/m"
expect "unknown layout" 2 "layout" "$BIN" check --layout nosuch "$T/m"
expect "since unknown id" 2 "--since 9999: no migration has that id" "$BIN" check --since 9999 "$T/m"
expect "unknown rule in --disable" 2 "unknown rule or class \"bogus\"" "$BIN" check --disable bogus "$T/m"
expect "findings fail the run" 1 "drop-column" "$BIN" check "$T/m"
expect "fail-on irreversible still fails on a drop" 1 "" "$BIN" check --fail-on irreversible "$T/m"
expect "fail-on never passes" 0 "" "$BIN" check --fail-on never "$T/m"
expect "disable the rule passes" 0 "" "$BIN" check --disable drop-column "$T/m"
expect "last 1 reports one migration" 1 "^1 migration checked" "$BIN" check --last 1 "$T/m"
expect "json is valid" 1 "\"verdict\": \"irreversible\"" "$BIN" check --format json "$T/m"
expect "github annotations" 1 "^::error file=.*0002_drop.sql,line=1,col=1,title=rollsafe drop-column::" "$BIN" check --format github "$T/m"
expect "sarif" 1 "\"ruleId\": \"drop-column\"" "$BIN" check --format sarif "$T/m"
expect "markdown" 1 "\\| migration \\| verdict" "$BIN" check --format markdown "$T/m"

# Approvals: a reason is mandatory; an unknown rule is an error with its position.
mkdir -p "$T/a1" "$T/a2" "$T/a3"
cp "$T/m/0001_init.sql" "$T/a1/"; cp "$T/m/0001_init.sql" "$T/a2/"; cp "$T/m/0001_init.sql" "$T/a3/"
printf -- '-- rollsafe:approve drop-column\nALTER TABLE t DROP COLUMN note;\n' > "$T/a1/0002_drop.sql"
printf -- '-- rollsafe:approve drop-colum reason="typo"\nALTER TABLE t DROP COLUMN note;\n' > "$T/a2/0002_drop.sql"
printf -- '-- rollsafe:approve drop-column reason="backup in OPS-1"\nALTER TABLE t DROP COLUMN note;\n' > "$T/a3/0002_drop.sql"
expect "approval without reason" 2 "0002_drop.sql:1:[0-9]+: error: approval of drop-column has no reason" "$BIN" check "$T/a1"
expect "approval of unknown rule" 2 "0002_drop.sql:1:21: error: approval names unknown rule \"drop-colum\"" "$BIN" check "$T/a2"
expect "approval passes the run" 0 "approved: backup in OPS-1" "$BIN" check "$T/a3"

# Single file, empty file, comment-only file.
printf '' > "$T/empty.sql"
printf -- '-- nothing\n/* still nothing */\n' > "$T/comments.sql"
expect "single file" 1 "drop-column" "$BIN" check "$T/m/0002_drop.sql"
expect "empty file is a valid migration" 0 "1 safe" "$BIN" check "$T/empty.sql"
expect "comment-only file is a valid migration" 0 "1 safe" "$BIN" check "$T/comments.sql"

expect "explain a rule" 0 "Safe alternative" "$BIN" explain drop-column
expect "explain --list" 0 "drop-column +irreversible" "$BIN" explain --list
expect "explain unknown rule" 2 "unknown rule 'nope'" "$BIN" explain nope

# tests/cli/common.bash - sourced by the command-line test scripts (not a test itself).

# expect NAME EXIT PATTERN COMMAND...: runs the command and prints "ok NAME", or "not ok NAME: why"
# when its exit code differs or its stdout + stderr lacks the extended regular expression
# PATTERN (empty: any output). Exit 124 is timeout(1)'s: a command run under a time limit hung.
expect() {
    local name=$1 want=$2 pattern=$3
    shift 3
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" = 124 ] && [ "$want" != 124 ]; then
        echo "not ok $name: no answer within its time limit"
    elif [ "$rc" != "$want" ]; then
        echo "not ok $name: exit $rc, expected $want; output: $(printf '%s' "$out" | tail -c 400)"
    elif [ -n "$pattern" ] && ! printf '%s' "$out" | grep -qE -- "$pattern"; then
        echo "not ok $name: output lacks /$pattern/: $(printf '%s' "$out" | tail -c 400)"
    else
        echo "ok $name"
    fi
}

# The shell tests' one check harness (the shell side of tests/unit/check.h):
# sourced by tests/integration/lib.sh and tests/system/*.sh, not run. POSIX
# sh, for the system tests run by /bin/sh. Every check prints one line, "ok:"
# or "FAILED:"; summary prints "N passed, N failed", the line ctest's logs
# and CI read, and is the test's last word.

PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok: $1"; }

# fail DESCRIPTION [DETAIL...]: each DETAIL (one line or several) follows, indented.
fail() {
	FAILED=$((FAILED + 1))
	echo "FAILED: $1"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/    /'
}

# check DESCRIPTION COMMAND...: passes if the command succeeds.
check() {
	_check_what=$1
	shift
	if "$@"; then pass "$_check_what"; else fail "$_check_what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL: a value of one line is shown inline,
# one of several (a ruleset, say) below the description when they differ.
check_eq() {
	case $2$3 in
	*'
'*)
		if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected:" "$2" "actual:" "$3"; fi ;;
	*)
		if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi ;;
	esac
}

# skip REASON: the test cannot run here (ctest's SKIP_RETURN_CODE 77).
skip() {
	echo "SKIP: $*"
	exit 77
}

# summary: "N passed, N failed"; true if nothing failed.
summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

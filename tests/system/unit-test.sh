#!/bin/sh
# unit-test.sh: systemd/mssclampd.service
#   - systemd-analyze verify: no warning at all (it exits 0 on unknown keys,
#     so any output fails the test);
#   - systemd-analyze security --offline=true: overall exposure <= 1.5 ("OK");
#   - the directives the daemon's contract with systemd rests on.
# verify wants ExecStart= to name an executable: the unit is checked from a
# temporary copy whose ExecStart= names the built daemon ($BUILD/src/mssclampd)
# or, before there is one, a placeholder. --man=no: the man pages named in
# Documentation= are not installed in a build tree.
set -u

. "$(dirname "$0")/../lib/check.sh"
src=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
unit="$src/systemd/mssclampd.service"
max_exposure=1.5

command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
[ -r "$unit" ] || { echo "no unit at $unit"; exit 1; }

tmp=$(mktemp -d /tmp/mssclampd-unit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# The unit's own lines (comments and blanks dropped), for the checks below.
grep -v -e '^#' -e '^$' "$unit" >"$tmp/directives"

# has LINE: the unit has exactly this directive line
has() {
	if grep -qxF -- "$1" "$tmp/directives"; then
		pass "unit has $1"
	else
		fail "unit lacks $1"
	fi
}

has "Type=notify"
has "NotifyAccess=main"
has "ExecStart=/usr/sbin/mssclampd"
has "ExecReload=/bin/kill -HUP \$MAINPID"
has "Restart=on-failure"
has "RestartPreventExitStatus=78"
has "CapabilityBoundingSet=CAP_NET_ADMIN"
has "AmbientCapabilities=CAP_NET_ADMIN"
has "LogsDirectory=mssclampd"
has "RuntimeDirectory=mssclampd"
has "NoNewPrivileges=yes"
has "ProtectSystem=strict"
has "RestrictAddressFamilies=AF_NETLINK AF_UNIX"
has "MemoryDenyWriteExecute=yes"
has "RestrictRealtime=yes"
# @resources denied, but for the one call queue = cpu needs: pinning a worker thread
has "SystemCallFilter=~@privileged @resources"
has "SystemCallFilter=sched_setaffinity"
if grep -qE '^WatchdogSec=[1-9][0-9]*s?$' "$tmp/directives"; then
	pass "unit has a WatchdogSec="
else
	fail "unit lacks WatchdogSec="
fi
if grep -qE '^ExecStart=' "$tmp/directives" && [ "$(grep -c '^ExecStart=' "$tmp/directives")" = 1 ]; then
	pass "unit has one ExecStart="
else
	fail "unit has no ExecStart=, or several"
fi

# verify
if [ -x "${BUILD:-/nonexistent}/src/mssclampd" ]; then
	daemon="$BUILD/src/mssclampd"
else
	daemon="$tmp/mssclampd"
	printf '#!/bin/sh\nexit 0\n' >"$daemon"
	chmod +x "$daemon"
	echo "note: no built daemon yet, verifying with a placeholder ExecStart"
fi
mkdir "$tmp/unit"
sed "s|^ExecStart=/usr/sbin/mssclampd\$|ExecStart=$daemon|" "$unit" >"$tmp/unit/mssclampd.service"
systemd-analyze verify --man=no "$tmp/unit/mssclampd.service" >"$tmp/verify" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/verify" ]; then
	pass "systemd-analyze verify: clean"
else
	fail "systemd-analyze verify: exit $rc" "$(cat "$tmp/verify")"
fi

# security --offline: the unit file as written (the offline check does not
# need the executable)
systemd-analyze security --offline=true --no-pager "$unit" >"$tmp/security" 2>&1
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for mssclampd\.service: \([0-9][0-9]*\.[0-9]\).*/\1/p' "$tmp/security")
if [ $rc -ne 0 ] || [ -z "$exposure" ]; then
	fail "systemd-analyze security: exit $rc, no exposure level" "$(cat "$tmp/security")"
elif awk -v e="$exposure" -v max="$max_exposure" 'BEGIN { exit !(e <= max) }'; then
	pass "systemd-analyze security: exposure $exposure <= $max_exposure"
	grep -q "Overall exposure level for mssclampd.service: $exposure OK" "$tmp/security" &&
		pass "systemd-analyze security: rated OK" ||
		fail "systemd-analyze security: not rated OK" "$(tail -n 1 "$tmp/security")"
else
	fail "systemd-analyze security: exposure $exposure > $max_exposure" \
		"$(grep '✗' "$tmp/security")"
fi
# what is still exposed, for the log
grep '✗' "$tmp/security" | sed 's/^/    /'

summary

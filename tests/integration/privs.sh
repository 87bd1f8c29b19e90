#!/bin/bash
# The daemon started as root without systemd, and the files it writes:
#   - with user = nobody the stats log is created by nobody, after the
#     switch, so nobody can reopen it at a reload (a file root made before
#     the switch would lock it out);
#   - a log directory owned by someone else: a symbolic link planted as
#     stats.log is not followed, the file it names stays untouched;
#   - iptables-legacy with user =: refused at start, exit 78, with the
#     reason, nothing installed (its tools could not remove the rules once
#     the daemon is nobody: root's /run/xtables.lock).
. "$(dirname "$0")/lib.sh"
need_root ip iptables ip6tables
getent passwd nobody >/dev/null || skip "no user nobody"
topology

logdir=$TMP/log
mkdir "$logdir"
chown nobody "$logdir"
chmod 755 "$TMP"

# --- user = nobody: the stats log is nobody's, and survives a reload --------
cat >"$TMP/user.conf" <<EOF
[global]
queue = 7
user = nobody
stats_log = $logdir/stats.log
stats_interval = 3600
[interface wan0]
overhead = 8
EOF
start_daemon "$TMP/user.conf" || exit 1
check "user = nobody: the daemon switched" grep -q "running as user nobody" "$DAEMON_LOG"
stats_now "$logdir/stats.log"
check_eq "the stats log was created by nobody" nobody "$(stat -c %U "$logdir/stats.log" 2>&1)"
# a reload reopens the same file: nobody, not root, must be able to
reload_daemon reloaded
stats_now "$logdir/stats.log"
check_eq "after a reload the next record lands in the same file" 2 "$(stats_records "$logdir/stats.log")"
# logrotate: rename, reload, the next record goes into a new file
mv "$logdir/stats.log" "$logdir/stats.log.1"
reload_daemon reloaded
stats_now "$logdir/stats.log"
check_eq "after a rotation and a reload nobody writes a new stats log" 1 "$(stats_records "$logdir/stats.log")"
check "no warning about the stats log" bash -c "! grep -q 'stats log' '$DAEMON_LOG'"
stop_daemon TERM
check_eq "user = nobody: SIGTERM, exit status" 0 "$?"

# --- a symbolic link in a directory another user owns -----------------------
rm -f "$logdir"/stats.log*
echo precious >"$TMP/victim"
chmod 600 "$TMP/victim"
ln -s "$TMP/victim" "$logdir/stats.log"
chown -h nobody "$logdir/stats.log"
sed '/^user =/d' "$TMP/user.conf" >"$TMP/root.conf"
start_daemon "$TMP/root.conf" || exit 1
kill -USR1 "$DAEMON_PID"
wait_for 5 grep -q "stats log $logdir/stats.log: refused: a symbolic link" "$DAEMON_LOG"
reload_daemon reloaded
kill -USR1 "$DAEMON_PID"
sleep 0.5
check_eq "a stats.log symlinked to root's file: that file is untouched" precious "$(cat "$TMP/victim")"
check "the daemon says why it writes no stats" \
	grep -q "stats log $logdir/stats.log: refused: a symbolic link" "$DAEMON_LOG"
stop_daemon TERM

# --- iptables-legacy and user = ---------------------------------------------
if command -v iptables-legacy >/dev/null && command -v ip6tables-legacy >/dev/null; then
	mkdir "$TMP/legacy"
	ln -s "$(command -v iptables-legacy)" "$TMP/legacy/iptables"
	ln -s "$(command -v ip6tables-legacy)" "$TMP/legacy/ip6tables"
	R timeout 30 env PATH="$TMP/legacy:$PATH" "$MSSCLAMPD" -c "$TMP/user.conf" >"$TMP/legacy.out" 2>&1
	check_eq "iptables-legacy with user = nobody: exit status 78" 78 "$?"
	check "the refusal names iptables-legacy, the lock and the user" \
		grep -q "iptables-legacy, whose lock /run/xtables.lock only root can take; it cannot run as user nobody" \
		"$TMP/legacy.out"
	check_eq "no rules installed (legacy and nft, both families)" 0 \
		"$( (R iptables-legacy-save -t mangle; R ip6tables-legacy-save -t mangle;
		     R iptables-nft-save -t mangle; R ip6tables-nft-save -t mangle) 2>/dev/null | grep -c MSSCLAMPD)"
	check_eq "queue 7 unbound again" 0 "$(R awk '$1 == 7' /proc/net/netfilter/nfnetlink_queue | wc -l)"
	remove_leftover_rules
else
	echo "note: no iptables-legacy: the refusal is not tried"
fi

summary

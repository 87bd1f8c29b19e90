#!/bin/bash
# An event loop that never waits on a child (issue 11). The firewall tools
# are slowed to 20 s each (a PATH shim, slow once the daemon is up), and a
# removed jump sets the helper thread checking with them. Meanwhile: wan0
# is deleted and made again with a new ifindex, and the very next SYN
# through it is clamped to the new link's ceiling; WATCHDOG=1 keeps coming
# (the NOTIFY_SOCKET listener of notify.sh); a stats record (counts read
# over netlink) and `mssclampd status` answer at once; and a stop is quick,
# killing the tool that still sleeps.
. "$(dirname "$0")/lib.sh"
need_root
topology

SOCK=$TMP/notify.sock
# one line per datagram: its arrival (ms since the epoch), then its text
/usr/bin/python3 "$SRC/tests/lib/notify_listener.py" "$SOCK" "$TMP/notify.log" 90 --times &
LISTENER=$!
wait_for 5 test -S "$SOCK"

FLAG=$TMP/slow.flag
mkdir "$TMP/slow"
for tool in iptables ip6tables; do
	printf '#!/bin/sh\n[ -e %s ] && sleep 20\nexec %s "$@"\n' "$FLAG" "$(command -v $tool)" >"$TMP/slow/$tool"
	chmod +x "$TMP/slow/$tool"
done
printf '[global]\nstats_log = %s\nstats_interval = 3600\n[interface wan0]\noverhead = 8\n' \
	"$TMP/stats.log" >"$TMP/mssclampd.conf"
PATH=$TMP/slow:$PATH NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 start_daemon "$TMP/mssclampd.conf" || exit 1
wait_for 5 grep -q "READY=1" "$TMP/notify.log"
sleep 0.5 # the helper thread's first check, with the tools still quick
touch "$FLAG"

ms_now() { date +%s%3N; }
slow_tools() { ip netns pids "$NS_R" | xargs -r ps -o args= -p 2>/dev/null | grep -c '^sleep 20$'; }

# the helper thread notices a removed jump and checks: with a tool that sleeps 20 s
R iptables -t mangle -D OUTPUT -p tcp --tcp-flags SYN,RST SYN -j MSSCLAMPD
check "a removed jump: the helper thread runs a slow tool" wait_for 3 more_than 0 slow_tools
t0=$(ms_now)

old=$(R cat /sys/class/net/wan0/ifindex)
wan_link 1492 # a PPPoE redial: deleted, made again
new=$(R cat /sys/class/net/wan0/ifindex)
check "wan0 made again with a new ifindex ($old -> $new)" test "$new" != "$old"
capture "$NS_S" s0 "$TMP/s.pcap"
fetch "$NS_C" "$NS_S" 10.2.0.2 7501 1000 >/dev/null
fetch "$NS_C" "$NS_S" fd02::2 7502 1000 >/dev/null
stop_capture
check_eq "the very next IPv4 SYN over the new wan0: clamped (1444)" 1444 "$(syn_mss "$TMP/s.pcap" S 7501)"
check_eq "the very next IPv6 SYN: clamped (1424)" 1424 "$(syn_mss "$TMP/s.pcap" S 7502)"

t=$(ms_now)
R "$MSSCLAMPD" status --socket "$TMP/control" >"$TMP/status.out"
took=$(($(ms_now) - t))
check "status answers at once ($took ms) while the tool sleeps" test "$took" -lt 1000
check_eq "status: the new wan0 and its ceilings" "wan0 $new veth 1492 1492 8 - 1444 1424" \
	"$(awk '$1 == "wan0" { print $1, $2, $3, $4, $5, $6, $7, $8, $9; exit }' "$TMP/status.out" | tr -s ' ')"

t=$(ms_now)
stats_now "$TMP/stats.log"
took=$(($(ms_now) - t))
check "SIGUSR1: a record at once ($took ms)" test "$took" -lt 1000
check_eq "... with the rules' counts, read over netlink: bypassed=0" 0 "$(stats_field "$TMP/stats.log" all bypassed)"
check_eq "... counting the two connections (SYN and SYN-ACK each) against wan0" 4 \
	"$(stats_field "$TMP/stats.log" wan0 clamped)"

sleep 4
t1=$(ms_now)
watchdogs=$(awk -v t0="$t0" '$1 >= t0 && $2 == "WATCHDOG=1"' "$TMP/notify.log" | wc -l)
gap=$(awk -v t0="$t0" '$1 >= t0 && $2 == "WATCHDOG=1" { if (last && $1 - last > max) max = $1 - last; last = $1 }
	END { print max + 0 }' "$TMP/notify.log")
echo "$((t1 - t0)) ms with the tool asleep: $watchdogs WATCHDOG=1, the longest gap $gap ms"
check "WATCHDOG=1 kept coming (every second): $watchdogs in $((t1 - t0)) ms" \
	test "$watchdogs" -ge $(((t1 - t0) / 1000 - 1))
check "... never 2 s apart (the watchdog's interval)" test "$gap" -lt 2000
check "the tool still sleeps: all that happened while the helper waited for it" more_than 0 slow_tools

rm -f "$FLAG"
t=$(ms_now)
stop_daemon TERM
status=$?
took=$(($(ms_now) - t))
check_eq "SIGTERM: exit status" 0 "$status"
check "SIGTERM: quick ($took ms): the sleeping tool was killed, not waited for" test "$took" -lt 5000
check_eq "SIGTERM: no tool left asleep" 0 "$(slow_tools)"
check_eq "SIGTERM: our rules removed" 0 "$( (R iptables-save -t mangle; R ip6tables-save -t mangle) | grep -c MSSCLAMPD)"
kill "$LISTENER" 2>/dev/null
wait "$LISTENER" 2>/dev/null
summary

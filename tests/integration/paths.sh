#!/bin/bash
# The MTUs of a path beyond the interface MTU, live, with exact MSS values:
# IPv6's own MTU on wan0 (lowered by sysctl, then by a real router
# advertisement with an MTU option), in force within 2 s and for IPv6
# alone; and a route with an MTU metric to one server address, towards it
# and back from it, but not to the other. Each change is undone and the
# MSS goes back. Data crosses where only the clamp lets it (the router sends
# no "too big"), and without the route MTU it would not.
. "$(dirname "$0")/lib.sh"
need_root
need_scapy

topology
# a second server address on the same link: fd02::3 and 10.2.0.3
S ip addr add 10.2.0.3/24 dev s0
S ip addr add fd02::3/64 dev s0 nodad
C ping -c1 -W2 10.2.0.3 >/dev/null 2>&1
C ping -c1 -W2 fd02::3 >/dev/null 2>&1

cat >"$TMP/mssclampd.conf" <<EOF
[global]
stats_log = $TMP/stats.log
stats_interval = 3600
EOF
start_daemon "$TMP/mssclampd.conf" || exit 1

# synack_at_client PORT ADDR: the same, the MSS the client saw in the SYN-ACK.
synack_at_client() {
	capture "$NS_C" c0 "$TMP/c.$1.pcap"
	fetch "$NS_C" "$NS_S" "$2" "$1" 1000 >/dev/null
	stop_capture
	syn_mss "$TMP/c.$1.pcap" S. "$1"
}

# upload ADDR PORT BYTES: the client sends BYTES to a listener at ADDR on the
# server; prints how many arrived. The client's segments are as big as the
# server's SYN-ACK allows.
upload() {
	local addr=$1 port=$2 bytes=$3 out=$TMP/uploaded.$2 listener
	rm -f "$out"
	S timeout 20 socat -u "TCP6-LISTEN:$port,reuseaddr,ipv6only=0" "OPEN:$out,creat,trunc" \
		2>/dev/null &
	listener=$!
	wait_for 5 listening "$NS_S" "$port"
	head -c "$bytes" /dev/zero >"$TMP/upload.$port"
	case $addr in *:*) addr="[$addr]" ;; esac
	C timeout 15 socat -u "OPEN:$TMP/upload.$port" "TCP:$addr:$port,connect-timeout=5" 2>/dev/null
	wait_for 5 test ! -d "/proc/$listener"
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
	stat -c %s "$out" 2>/dev/null || echo 0
}

mtu6() { R sysctl -n net.ipv6.conf.wan0.mtu; }

check_eq "start: IPv4 MSS from wan0's 1492" 1452 "$(syn_at_server 8001 10.2.0.2)"
check_eq "start: IPv6 MSS from wan0's 1492" 1432 "$(syn_at_server 8002 fd02::2)"

# ---- IPv6's own MTU, by sysctl: no event tells of it ----
capture "$NS_S" s0 "$TMP/sysctl.pcap"
R sysctl -qw net.ipv6.conf.wan0.mtu=1400
sleep 2 # the daemon reads every IPv6 MTU once a second: in force within 2 s
fetch "$NS_C" "$NS_S" fd02::2 8003 1000 >/dev/null
stop_capture
check_eq "sysctl IPv6 MTU 1400: IPv6 MSS 1340, 2 s later" 1340 "$(syn_mss "$TMP/sysctl.pcap" S 8003)"
check_eq "sysctl IPv6 MTU 1400: IPv4 keeps the link MTU's 1452" 1452 "$(syn_at_server 8004 10.2.0.2)"
check_eq "sysctl IPv6 MTU 1400: the SYN-ACK too" 1340 "$(synack_at_client 8005 fd02::2)"
# the router now forwards no IPv6 packet above 1400 to wan0 and says nothing:
# the client's segments fit only because the SYN-ACK said 1340
check_eq "sysctl IPv6 MTU 1400: 1 MB from the client crosses" 1048576 "$(upload fd02::2 8006 1048576)"
check_eq "sysctl IPv6 MTU 1400: 1 MB to the client crosses" 1048576 \
	"$(fetch "$NS_C" "$NS_S" fd02::2 8007 1048576)"
stats_now "$TMP/stats.log"
check_eq "stats: wan0 shows the IPv6 ceiling" 1340 "$(stats_field "$TMP/stats.log" wan0 mss6)"
check_eq "stats: and the IPv4 one" 1452 "$(stats_field "$TMP/stats.log" wan0 mss4)"

R sysctl -qw net.ipv6.conf.wan0.mtu=1492
sleep 2
check_eq "sysctl IPv6 MTU back to 1492: IPv6 MSS 1432" 1432 "$(syn_at_server 8008 fd02::2)"

# ---- IPv6's own MTU, by a router advertisement on the WAN link ----
R sysctl -qw net.ipv6.conf.wan0.accept_ra=2   # a forwarding router takes RAs only with 2
SERVER_LL=$(S ip -6 -o addr show dev s0 scope link | sed -n 's/.* inet6 \(fe80::[0-9a-f:]*\)\/.*/\1/p')
S "$PY" -c "
from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptMTU, sendp
ra = Ether(dst='33:33:00:00:00:01') / IPv6(src='$SERVER_LL', dst='ff02::1', hlim=255) / \
     ICMPv6ND_RA(routerlifetime=0) / ICMPv6NDOptMTU(mtu=1400)
sendp(ra, iface='s0', verbose=False)
"
wait_for 5 output_is 1400 mtu6
check_eq "the router took the RA's MTU (net.ipv6.conf.wan0.mtu)" 1400 "$(mtu6)"
check_eq "the link MTU stays" 1492 "$(R cat /sys/class/net/wan0/mtu)"
capture "$NS_S" s0 "$TMP/ra.pcap"
sleep 2
fetch "$NS_C" "$NS_S" fd02::2 8009 1000 >/dev/null
stop_capture
check_eq "RA MTU 1400: IPv6 MSS 1340, 2 s later" 1340 "$(syn_mss "$TMP/ra.pcap" S 8009)"
check_eq "RA MTU 1400: IPv4 MSS 1452" 1452 "$(syn_at_server 8010 10.2.0.2)"
check_eq "RA MTU 1400: 1 MB from the client crosses" 1048576 "$(upload fd02::2 8011 1048576)"
R sysctl -qw net.ipv6.conf.wan0.mtu=1492
sleep 2
check_eq "IPv6 MTU back to 1492: IPv6 MSS 1432" 1432 "$(syn_at_server 8012 fd02::2)"

# ---- a route with an MTU metric to one server address ----
R ip route add 10.2.0.3/32 dev wan0 mtu 1400
R ip -6 route add fd02::3/128 dev wan0 mtu 1400
check_eq "route mtu 1400: IPv4 MSS 1360 towards 10.2.0.3" 1360 "$(syn_at_server 8101 10.2.0.3)"
check_eq "route mtu 1400: IPv4 MSS 1452 towards 10.2.0.2" 1452 "$(syn_at_server 8102 10.2.0.2)"
check_eq "route mtu 1400: IPv6 MSS 1340 towards fd02::3" 1340 "$(syn_at_server 8103 fd02::3)"
check_eq "route mtu 1400: IPv6 MSS 1432 towards fd02::2" 1432 "$(syn_at_server 8104 fd02::2)"
# back from the source: the SYN-ACK from 10.2.0.3 came in by the route's device
check_eq "route mtu 1400: the SYN-ACK from 10.2.0.3 reaches the client at 1360" 1360 \
	"$(synack_at_client 8105 10.2.0.3)"
check_eq "route mtu 1400: the SYN-ACK from fd02::3 reaches the client at 1340" 1340 \
	"$(synack_at_client 8106 fd02::3)"
check_eq "route mtu 1400: the SYN-ACK from 10.2.0.2 reaches the client at 1452" 1452 \
	"$(synack_at_client 8107 10.2.0.2)"
# the router forwards nothing above 1400 to 10.2.0.3 and says nothing about it
check_eq "route mtu 1400: 1 MB from the client to 10.2.0.3 crosses" 1048576 \
	"$(upload 10.2.0.3 8108 1048576)"
check_eq "route mtu 1400: 1 MB from the client to fd02::3 crosses" 1048576 \
	"$(upload fd02::3 8109 1048576)"

# a route that changes and goes: the next connection follows
R ip route change 10.2.0.3/32 dev wan0 mtu lock 1300
check_eq "route mtu lock 1300: IPv4 MSS 1260" 1260 "$(syn_at_server 8110 10.2.0.3)"
R ip route del 10.2.0.3/32
R ip -6 route del fd02::3/128
check_eq "route deleted: IPv4 MSS back to 1452 towards 10.2.0.3" 1452 "$(syn_at_server 8111 10.2.0.3)"
check_eq "route deleted: IPv6 MSS back to 1432 towards fd02::3" 1432 "$(syn_at_server 8112 fd02::3)"

# a more specific route without an MTU inside one with it, there first: the
# daemon passed it over (no MTU route held it) and must read it again
R ip route add 10.2.0.3/32 dev wan0
R ip route add 10.2.0.0/25 dev wan0 mtu 1400
check_eq "route inside an MTU route: its own answer, 1452" 1452 "$(syn_at_server 8113 10.2.0.3)"
check_eq "the MTU route around it: 1360" 1360 "$(syn_at_server 8114 10.2.0.2)"
R ip route del 10.2.0.3/32
R ip route del 10.2.0.0/25

# Control, and the documented limit: a route of another table, chosen by a
# policy rule, is not read. The kernel enforces its MTU all the same: the
# SYN-ACK says 1452 and the upload falls into the hole the route makes.
R ip route add 10.2.0.3/32 dev wan0 mtu 1400 table 100
R ip rule add to 10.2.0.3 table 100 priority 100
check_eq "policy routing: table 100's route MTU is not read (1452, not 1360)" 1452 \
	"$(synack_at_client 8115 10.2.0.3)"
got=$(upload 10.2.0.3 8116 1048576)
check "control: past a route MTU the daemon does not know, 1 MB does not cross (got $got bytes)" \
	test "$got" -lt 1048576
R ip rule del to 10.2.0.3 table 100 priority 100

check "the daemon is still running" kill -0 "$DAEMON_PID"
stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
summary

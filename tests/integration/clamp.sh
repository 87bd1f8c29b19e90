#!/bin/bash
# Real TCP through a router running mssclampd, IPv4 and IPv6, both directions,
# across a path MTU black hole: the MSS each end sees equals the arithmetic,
# 1 MB crosses, the stats log counts every SYN; without the daemon the same
# transfer stalls (so the test can fail).
. "$(dirname "$0")/lib.sh"
need_root
topology

# wan0: kernel MTU 1492, plus 20 bytes the kernel cannot see (an ISP's IP-in-IP, say)
# effective MTU 1472: MSS 1432 for IPv4, 1412 for IPv6.
cat >"$TMP/mssclampd.conf" <<EOF
[global]
queue = 3
firewall = iptables
stats_log = $TMP/stats.log
stats_interval = 3600

[interface wan0]
overhead = ipip
EOF
start_daemon "$TMP/mssclampd.conf" || exit 1

capture "$NS_S" s0 "$TMP/server.pcap"
SERVER_CAPTURE=$CAPTURE_PID
capture "$NS_C" c0 "$TMP/client.pcap"

# client -> server (the usual way out through a PPPoE router), then server -> client
check_eq "IPv4 client->server: 1 MB from the server crosses" 1048576 "$(fetch "$NS_C" "$NS_S" 10.2.0.2 5001 1048576)"
check_eq "IPv6 client->server: 1 MB from the server crosses" 1048576 "$(fetch "$NS_C" "$NS_S" fd02::2 5002 1048576)"
check_eq "IPv4 server->client: 1 MB from the client crosses" 1048576 "$(fetch "$NS_S" "$NS_C" 10.1.0.2 5003 1048576)"
check_eq "IPv6 server->client: 1 MB from the client crosses" 1048576 "$(fetch "$NS_S" "$NS_C" fd01::2 5004 1048576)"

stop_capture
CAPTURE_PID=$SERVER_CAPTURE
stop_capture

# What each end sent, and what the other end received
check_eq "IPv4 SYN leaves the client with MSS 1460" 1460 "$(syn_mss "$TMP/client.pcap" S 5001)"
check_eq "IPv4 SYN reaches the server clamped" 1432 "$(syn_mss "$TMP/server.pcap" S 5001)"
check_eq "IPv4 SYN-ACK leaves the server with MSS 1460" 1460 "$(syn_mss "$TMP/server.pcap" S. 5001)"
check_eq "IPv4 SYN-ACK reaches the client clamped" 1432 "$(syn_mss "$TMP/client.pcap" S. 5001)"
check_eq "IPv6 SYN leaves the client with MSS 1440" 1440 "$(syn_mss "$TMP/client.pcap" S 5002)"
check_eq "IPv6 SYN reaches the server clamped" 1412 "$(syn_mss "$TMP/server.pcap" S 5002)"
check_eq "IPv6 SYN-ACK reaches the client clamped" 1412 "$(syn_mss "$TMP/client.pcap" S. 5002)"
check_eq "IPv4 SYN entering through the WAN reaches the client clamped" 1432 "$(syn_mss "$TMP/client.pcap" S 5003)"
check_eq "IPv4 SYN-ACK to the WAN reaches the server clamped" 1432 "$(syn_mss "$TMP/server.pcap" S. 5003)"
check_eq "IPv6 SYN entering through the WAN reaches the client clamped" 1412 "$(syn_mss "$TMP/client.pcap" S 5004)"
check_eq "IPv6 SYN-ACK to the WAN reaches the server clamped" 1412 "$(syn_mss "$TMP/server.pcap" S. 5004)"

# The stats log: 4 connections, a SYN and a SYN-ACK each, all on wan0 (the limiting interface)
kill -USR1 "$DAEMON_PID"
wait_for 5 grep -q "iface=all" "$TMP/stats.log"
check_eq "stats: wan0 seen" 8 "$(stats_field "$TMP/stats.log" wan0 seen)"
check_eq "stats: wan0 clamped" 8 "$(stats_field "$TMP/stats.log" wan0 clamped)"
check_eq "stats: wan0 ipv4" 4 "$(stats_field "$TMP/stats.log" wan0 ipv4)"
check_eq "stats: wan0 ipv6" 4 "$(stats_field "$TMP/stats.log" wan0 ipv6)"
check_eq "stats: wan0 ceiling shown" 1432 "$(stats_field "$TMP/stats.log" wan0 mss4)"
check_eq "stats: all seen" 8 "$(stats_field "$TMP/stats.log" all seen)"
check_eq "stats: all malformed" 0 "$(stats_field "$TMP/stats.log" all malformed)"
check "stats: lines start with an RFC 3339 UTC time" \
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z iface=' "$TMP/stats.log"

# A clean stop: exit 0, our rules gone, the operator's own rule still there
stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
check "SIGTERM: no rule of ours left (IPv4)" bash -c "! ip netns exec $NS_R iptables-save | grep -q MSSCLAMPD"
check "SIGTERM: no rule of ours left (IPv6)" bash -c "! ip netns exec $NS_R ip6tables-save | grep -q MSSCLAMPD"
check "SIGTERM: the operator's own rules stay" bash -c "ip netns exec $NS_R iptables-save | grep -q \"icmp-type 3/4\""

# Control: without clamping the black hole swallows the same transfer
got=$(fetch "$NS_C" "$NS_S" 10.2.0.2 5005 1048576 4)
check "control: without mssclampd 1 MB does not cross the black hole (got $got bytes)" test "$got" -lt 1048576

summary

#!/bin/bash
# Signed SYNs through the router. A real Linux TCP-MD5 connection (both ends
# set TCP_MD5SIG): the daemon lowers the MSS in place, the digest still
# verifies, the connection comes up with exactly the clamped MSS and 1 MB
# crosses the path MTU black hole. TCP-AO, which this kernel lacks, crafted
# with scapy: it passes byte-identical, however large its MSS; a TCP-MD5 SYN
# without MSS gets none inserted. The stats count each with its note.
. "$(dirname "$0")/lib.sh"
need_root
need_scapy
MD5=$SRC/tests/integration/md5.py
KEY=mssclampd-test-key

topology

cat >"$TMP/mssclampd.conf" <<EOF
[global]
stats_log = $TMP/stats.log
stats_json = $TMP/stats.json
stats_interval = 3600
EOF
start_daemon "$TMP/mssclampd.conf" || exit 1

# md5_fetch FAMILY_ADDR_SERVER CLIENT_ADDR PORT: a TCP-MD5 connection from the
# client to the server, which sends 1 MB; prints the bytes that arrived.
md5_fetch() {
	local server=$1 client=$2 port=$3 listener got
	S "$PY" "$MD5" serve "$server" "$port" "$client" "$KEY" 1048576 >"$TMP/served.$port" 2>&1 &
	listener=$!
	wait_for 5 listening "$NS_S" "$port"
	got=$(C "$PY" "$MD5" fetch "$server" "$port" "$KEY")
	wait "$listener" 2>/dev/null
	echo "$got"
}

capture "$NS_S" s0 "$TMP/server.pcap"
SERVER_CAPTURE=$CAPTURE_PID
capture "$NS_C" c0 "$TMP/client.pcap"
check_eq "TCP-MD5, IPv4: 1 MB crosses the black hole" 1048576 "$(md5_fetch 10.2.0.2 10.1.0.2 7001)"
check_eq "TCP-MD5, IPv6: 1 MB crosses the black hole" 1048576 "$(md5_fetch fd02::2 fd01::2 7002)"
stop_capture
CAPTURE_PID=$SERVER_CAPTURE
stop_capture

# tcpdump names the option "md5" (it cannot check the digest without the key)
md5_syns() { tcpdump -nn -v -r "$1" "tcp port $3" 2>/dev/null | grep -F "Flags [$2]" | grep -c md5; }
check_eq "IPv4 TCP-MD5 SYN leaves the client with MSS 1460" 1460 "$(syn_mss "$TMP/client.pcap" S 7001)"
check_eq "IPv4 TCP-MD5 SYN reaches the server clamped, in place" 1452 "$(syn_mss "$TMP/server.pcap" S 7001)"
check_eq "IPv4 TCP-MD5 SYN reaches the server signed" 1 "$(md5_syns "$TMP/server.pcap" S 7001)"
check_eq "IPv4 TCP-MD5 SYN-ACK reaches the client clamped" 1452 "$(syn_mss "$TMP/client.pcap" S. 7001)"
check_eq "IPv6 TCP-MD5 SYN reaches the server clamped, in place" 1432 "$(syn_mss "$TMP/server.pcap" S 7002)"
check_eq "IPv6 TCP-MD5 SYN-ACK reaches the client clamped" 1432 "$(syn_mss "$TMP/client.pcap" S. 7002)"
check_eq "IPv6 TCP-MD5 SYN-ACK reaches the client signed" 1 "$(md5_syns "$TMP/client.pcap" S. 7002)"
# the kernel counts segments whose digest failed (TCPMD5Failure): none
check_eq "the server's kernel found no bad digest" 0 \
	"$(S nstat -asz TcpExtTCPMD5Failure | awk '/TcpExtTCPMD5Failure/ { print $2 }')"

# Crafted: TCP-AO with MSS 9000 (never touched), TCP-MD5 with MSS 1460
# (clamped in place) and without MSS (nothing inserted), both families.
R_MAC=$(R cat /sys/class/net/lan0/address)
"$PY" "$CRAFT" build --log "$TMP/craft.log" --mss4 1452 --mss6 1432 \
	v4-tcp-ao=3 v6-tcp-ao=3 v4-tcp-md5=3 v6-tcp-md5=3 v4-tcp-md5-nomss=3 v6-tcp-md5-nomss=3 \
	>/dev/null || fail "craft.py build"
capture_ip "$NS_S" s0 "$TMP/crafted.pcap"
C "$PY" "$CRAFT" send --iface c0 --dmac "$R_MAC" --log "$TMP/craft.log" --pps 200 >/dev/null
wait_for 5 more_than 17 "$PY" "$CRAFT" arrived --pcap "$TMP/crafted.pcap"
stop_capture
"$PY" "$CRAFT" verify --log "$TMP/craft.log" --pcap "$TMP/crafted.pcap" >"$TMP/verify" 2>"$TMP/verify.err"
for kind in v4-tcp-ao v6-tcp-ao v4-tcp-md5 v6-tcp-md5 v4-tcp-md5-nomss v6-tcp-md5-nomss; do
	check_eq "$kind: every one arrives as it must (byte for byte, TTL aside)" 3 \
		"$(tr ' ' '\n' <"$TMP/verify" | sed -n "s/^$kind\.identical=//p")"
done
check_eq "crafted: nothing arrived changed" 0 "$(sed -n 's/^mismatched=//p' "$TMP/verify")"
[ -s "$TMP/verify.err" ] && sed 's/^/	| /' "$TMP/verify.err"

# The stats: one note per signed SYN left as it was
stats_now "$TMP/stats.json"
check_eq "stats: notes.tcp_ao (the crafted ones, 3 per family)" 6 "$(stats_json_field "$TMP/stats.json" all notes.tcp_ao)"
check_eq "stats: notes.tcp_md5 (the crafted ones without MSS, 3 per family)" 6 \
	"$(stats_json_field "$TMP/stats.json" all notes.tcp_md5)"
check_eq "stats: wan0 ipv4 clamped (2 real TCP-MD5 + 3 crafted)" 5 \
	"$(stats_json_field "$TMP/stats.json" wan0 ipv4.clamped)"
check_eq "stats: wan0 ipv4 unchanged (3 TCP-AO + 3 TCP-MD5 without MSS)" 6 \
	"$(stats_json_field "$TMP/stats.json" wan0 ipv4.unchanged)"

stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"

# Control: without the daemon the same TCP-MD5 transfer falls into the black hole
got=$(md5_fetch 10.2.0.2 10.1.0.2 7003)
check "control: without mssclampd 1 MB of TCP-MD5 does not cross (got $got bytes)" test "$got" -lt 1048576

summary

#!/bin/bash
# `mssclampd status` and the control socket (issue 11).
#   - the known topology, exactly: wan0 at 1492 with overhead = 8 (1444 /
#     1424), lan0, lo: one row per interface the kernel has, in text and in
#     JSON (read by python3's json module), before and after traffic and an
#     MTU change;
#   - exit statuses: 0 answered, 2 usage, 3 nothing listens, 4 no socket,
#     5 permission denied; the socket's mode (0600, or 0660 and a group);
#   - hostile clients while SYNs keep being clamped: garbage, a NUL, an
#     oversized request, idle and half-sent requests (dropped after the
#     timeout), more clients than the daemon serves (told busy), and a
#     client that does not read a long answer (the loop goes on, other
#     clients are answered, it is dropped); no fd is left behind.
. "$(dirname "$0")/lib.sh"
need_root ip iptables ip6tables tcpdump socat ethtool ping setpriv
id nobody >/dev/null 2>&1 || skip "no user nobody"
topology

CONF=$TMP/mssclampd.conf
SOCK=$TMP/control
PY_JSON=/usr/bin/python3
# nobody must reach the socket to be refused by its mode, not by $TMP's
chmod o+x "$TMP"
write_conf() { # write_conf [GROUP]
	cat >"$CONF" <<-EOF
	[global]
	stats_log = $TMP/stats.log
	stats_interval = 3600
	control_socket = $SOCK
	control_group = ${1:-}
	[interface wan0]
	overhead = 8
	EOF
}
status() { R "$MSSCLAMPD" status --socket "$SOCK" "$@"; }
ifindex() { R cat "/sys/class/net/$1/ifindex"; }
# row TEXT NAME TABLE: interface NAME's row in the first (1) or second (2) table, blanks squeezed
row() { printf '%s\n' "$1" | awk -v n="$2" -v t="$3" '/^interface/ { table++ } table == t && $1 == n' | tr -s ' '; }
# json_fields: the fields the test knows, one per line, from status --json on stdin
json_fields() {
	"$PY_JSON" -c '
import json, sys
s = json.load(sys.stdin)
print("version=%s mode=%s queues=%d+%d/%s config=%s" % (s["version"], s["mode"], s["queues"]["first"],
      s["queues"]["count"], s["queues"]["fanout"], s["config"]))
f = s["firewall"]
print("firewall=%s/%s rules=%s healing=%s restored=%d last=%s" % (f["backend"], f["flavour"], f["rules"],
      f["healing"], f["rules_restored"], f["last_restored"]))
p = s["packets"]
print("seen=%d gaps=%d bypassed=%s verdict_errors=%d" % (p["seen"], p["gaps"], p["bypassed"], p["verdict_errors"]))
print("interfaces=" + ",".join(i["name"] for i in s["interfaces"]))
for i in s["interfaces"]:
    sec = i["section"]
    print("%s: ifindex=%d kind=%s mtu=%d mtu6=%s clamp=%s section=%s overhead=%d mtu_override=%s "
          "mss_cap=%s mss=%s/%s seen=%d clamped=%d unchanged=%d inserted=%d malformed=%d mss_seen=%s/%s" % (
          i["name"], i["ifindex"], i["kind"], i["mtu"], i["mtu6"], i["clamp"],
          "%s@%s:%d" % (sec["pattern"], sec["file"], sec["line"]) if sec else None,
          i["overhead"], i["mtu_override"], i["mss_cap"], i["mss4"], i["mss6"],
          i["seen"], i["clamped"], i["unchanged"], i["inserted"], i["malformed"],
          ",".join("%s:%d" % kv for kv in i["mss_seen"]["ipv4"].items()) or "-",
          ",".join("%s:%d" % kv for kv in i["mss_seen"]["ipv6"].items()) or "-"))'
}

write_conf
start_daemon "$CONF" || exit 1
LAN=$(ifindex lan0)
WAN=$(ifindex wan0)

echo "== the known topology =="
text=$(status)
check_eq "status: exit 0" 0 "$?"
printf '%s\n' "$text" | sed 's/^/	| /'
check "line 1: version, mode, queues ($(default_queues_text)), uptime" \
	grep -qE "^mssclampd [0-9.]+: clamping on $(default_queues_text), up [0-9]+s\$" <<<"$(printf '%s\n' "$text" | sed -n 1p)"
check_eq "config line" "config:    $CONF" "$(printf '%s\n' "$text" | sed -n 2p)"
check "firewall line: iptables (nf_tables), rules in place since a time" \
	grep -qE '^firewall:  iptables \(nf_tables\), rules in place since [0-9-]+T[0-9:]+Z$' <<<"$(printf '%s\n' "$text" | sed -n 3p)"
check_eq "healing line" "healing:   on, rules_restored 0" "$(printf '%s\n' "$text" | sed -n 4p)"
check_eq "packets line: no record yet, so bypassed unknown" \
	"packets:   seen 0, gaps 0, bypassed -, verdict_errors 0" "$(printf '%s\n' "$text" | sed -n 5p)"
check_eq "wan0: 1492 - 8 = 1484: 1444 / 1424, its section and FILE:LINE" \
	"wan0 $WAN veth 1492 1492 8 - 1444 1424 wan0 ($CONF:6)" "$(row "$text" wan0 1)"
check_eq "lan0: no section, 1460 / 1440" "lan0 $LAN veth 1500 1500 0 - 1460 1440 -" "$(row "$text" lan0 1)"
check_eq "lo: a row too, though it has no traffic" "lo 1 - 65536 65536 0 - 65495 65475 -" "$(row "$text" lo 1)"
check_eq "wan0's counters: none yet" "wan0 0 0 0 0 0 -" "$(row "$text" wan0 2)"
check_eq "every interface the kernel has, one row each" \
	"$(R ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | LC_ALL=C sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$text" | awk '/^interface/ { t++; next } t == 1 && NF { print $1 }' | tr '\n' ' ')"

# one IPv4 and one IPv6 connection: a SYN and a SYN-ACK each, all counted against wan0, all clamped
fetch "$NS_C" "$NS_S" 10.2.0.2 7301 1000 >/dev/null
fetch "$NS_C" "$NS_S" fd02::2 7302 1000 >/dev/null
stats_now "$TMP/stats.log"
text=$(status)
check_eq "after two connections: wan0 saw 4, clamped 4, each family's MSS as sent" "wan0 4 4 0 0 0 1460:2 / 1440:2" "$(row "$text" wan0 2)"
check_eq "after a record: bypassed known" "packets:   seen 4, gaps 0, bypassed 0, verdict_errors 0" \
	"$(printf '%s\n' "$text" | sed -n 5p)"
json=$(status --json)
check_eq "status --json: exit 0" 0 "$?"
check_eq "JSON: the same, field by field" "$(cat <<EOF
version=$("$MSSCLAMPD" -V | cut -d' ' -f2) mode=clamp queues=0+$(cpu_queues)/cpu config=$CONF
firewall=iptables/nf_tables rules=in_place healing=True restored=0 last=None
seen=4 gaps=0 bypassed=0 verdict_errors=0
interfaces=lan0,lo,wan0
lan0: ifindex=$LAN kind=veth mtu=1500 mtu6=1500 clamp=True section=None overhead=0 mtu_override=None mss_cap=None mss=1460/1440 seen=0 clamped=0 unchanged=0 inserted=0 malformed=0 mss_seen=-/-
lo: ifindex=1 kind= mtu=65536 mtu6=65536 clamp=True section=None overhead=0 mtu_override=None mss_cap=None mss=65495/65475 seen=0 clamped=0 unchanged=0 inserted=0 malformed=0 mss_seen=-/-
wan0: ifindex=$WAN kind=veth mtu=1492 mtu6=1492 clamp=True section=wan0@$CONF:6 overhead=8 mtu_override=None mss_cap=None mss=1444/1424 seen=4 clamped=4 unchanged=0 inserted=0 malformed=0 mss_seen=1460:2/1440:2
EOF
)" "$(printf '%s\n' "$json" | json_fields)"

R ip link set wan0 mtu 1400
# the IPv6 MTU follows the link's; the daemon reads it within a second
wan_row() { row "$(status)" wan0 1; }
wait_for 3 output_is "wan0 $WAN veth 1400 1400 8 - 1352 1332 wan0 ($CONF:6)" wan_row
text=$(status)
check_eq "MTU 1400: 1400 - 8 = 1392: 1352 / 1332" \
	"wan0 $WAN veth 1400 1400 8 - 1352 1332 wan0 ($CONF:6)" "$(row "$text" wan0 1)"
check_eq "MTU 1400: JSON too" \
	"wan0: ifindex=$WAN kind=veth mtu=1400 mtu6=1400 clamp=True section=wan0@$CONF:6 overhead=8 mtu_override=None mss_cap=None mss=1352/1332 seen=4 clamped=4 unchanged=0 inserted=0 malformed=0 mss_seen=1460:2/1440:2" \
	"$(status --json | json_fields | grep '^wan0:')"
R ip link set wan0 mtu 1492

echo "== exit statuses and permissions =="
check_eq "the socket: mode 0600, root's" "600 root" "$(stat -c '%a %U' "$SOCK")"
R "$MSSCLAMPD" status --socket "$TMP/none" >/dev/null 2>"$TMP/err"
check_eq "no socket there: exit 4" 4 "$?"
check "... and says so" grep -q "no control socket at $TMP/none" "$TMP/err"
"$PY_JSON" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/stale"
R "$MSSCLAMPD" status --socket "$TMP/stale" >/dev/null 2>"$TMP/err"
check_eq "a socket nobody listens on: exit 3, as systemctl status" 3 "$?"
check "... and says so" grep -q "nothing listens on $TMP/stale: mssclampd is not running" "$TMP/err"
R setpriv --reuid=nobody --regid=nogroup --clear-groups "$MSSCLAMPD" status --socket "$SOCK" \
	>/dev/null 2>"$TMP/err"
check_eq "not root, mode 0600: exit 5" 5 "$?"
check "... and says so" grep -q "$SOCK: permission denied" "$TMP/err"
R "$MSSCLAMPD" status --bogus >/dev/null 2>&1
check_eq "a bad argument: exit 2" 2 "$?"

stop_daemon TERM
check "at stop the socket is removed" test ! -e "$SOCK"
write_conf nogroup
start_daemon "$CONF" || exit 1
check_eq "control_group = nogroup: mode 0660, that group" "660 root nogroup" "$(stat -c '%a %U %G' "$SOCK")"
R setpriv --reuid=nobody --regid=nogroup --clear-groups "$MSSCLAMPD" status --socket "$SOCK" >"$TMP/out" 2>&1
check_eq "nobody, in group nogroup: answered" 0 "$?"
check "... the status itself" grep -q "^mssclampd .*: clamping on $(default_queues_text)" "$TMP/out"

echo "== hostile clients while SYNs are clamped =="
KIND=$(spare_link_kind "$NS_R") || skip "cannot create dummy, ifb or bridge links"
# 1500 more interfaces: a JSON status of hundreds of KiB, more than a socket buffer holds
for i in $(seq 0 1499); do echo "link add sp$i group 99 type $KIND"; done >"$TMP/links.batch"
R ip -batch "$TMP/links.batch"
sleep 1
full=$(status --json | wc -c)
echo "status --json with $(R ip -o link | wc -l) interfaces: $full bytes"
fds_before=$(daemon_fds)

connections_start 7400 2000

"$PY_JSON" - "$SOCK" "$full" >"$TMP/hostile.log" 2>&1 <<'EOF'
import socket, sys, time
path, full = sys.argv[1], int(sys.argv[2])

def client():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s

def answer(s, limit=10):
    s.settimeout(limit)
    data = b""
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
    except (ConnectionResetError, socket.timeout):
        pass
    return data

def say(name, ok, detail=""):
    print("%s %s%s" % ("ok" if ok else "FAILED", name, (": " + detail) if detail else ""))

s = client(); s.sendall(b"hello\n")
a = answer(s); say("garbage: told so, closed", a == b'error: unknown request (expected "status" or "status json")\n', repr(a))
s = client(); s.sendall(b"sta\0tus\n")
a = answer(s); say("a NUL byte: told so, closed", a == b"error: a NUL byte in the request\n", repr(a))
s = client()
try:
    s.sendall(b"a" * 100000)
except (BrokenPipeError, ConnectionResetError):
    pass
a = answer(s); say("100000 bytes without a newline: told the request is too long, closed",
                   a == b"error: request too long\n", repr(a))
for what, sent in (("idle", b""), ("half a request", b"stat")):
    s = client(); s.sendall(sent)
    t = time.time(); a = answer(s); took = time.time() - t
    say("%s: dropped after the 3 s timeout" % what, a == b"" and 2.5 <= took <= 4.5, "%.1f s" % took)

# more clients than served: 8 held idle, the next told busy at once
held = [client() for _ in range(8)]
time.sleep(0.2)
t = time.time(); extra = client()
try:
    extra.sendall(b"status\n")
except (BrokenPipeError, ConnectionResetError):
    pass  # told and closed before the request went out
a = answer(extra); took = time.time() - t
say("a ninth client while 8 are served: busy, at once", a == b"error: busy: too many clients\n" and took < 1,
    "%r in %.1f s" % (a[:60], took))
for h in held:
    answer(h)  # each dropped at its timeout

# a client that does not read a long answer holds nothing up
slow = client(); slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); slow.sendall(b"status json\n")
time.sleep(0.5)
t = time.time(); other = client(); other.sendall(b"status json\n"); a = answer(other); took = time.time() - t
say("while one client does not read %d bytes, another gets all of it at once" % full,
    len(a) >= full * 0.9 and a.endswith(b"]}\n") and took < 2, "%d bytes in %.2f s" % (len(a), took))
time.sleep(3)
a = answer(slow, 5)
say("the one that did not read was dropped at its timeout, its answer cut short", 0 < len(a) < full,
    "%d of %d bytes" % (len(a), full))
EOF
sed 's/^/	| /' "$TMP/hostile.log"
check_eq "hostile clients: every case as expected" 0 "$(grep -c '^FAILED' "$TMP/hostile.log")"
check_eq "hostile clients: all cases ran" 8 "$(grep -cE '^(ok|FAILED) ' "$TMP/hostile.log")"
connections_stop
check "connections ran all along ($CONN_TOTAL)" test "$CONN_TOTAL" -ge 10
check_eq "every connection succeeded" "$CONN_TOTAL" "$CONN_OK"
check_eq "every SYN reached the server clamped (IPv4 1444, IPv6 1424)" "1424 1444" \
	"$(syn_mss "$TMP/conn.7400.pcap" S 7400 | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "as many SYNs at the server as connections" "$CONN_TOTAL" \
	"$(syn_mss "$TMP/conn.7400.pcap" S 7400 | wc -l)"
check_alive "the daemon runs on"
check_eq "no fd left behind by the clients" "$fds_before" "$(daemon_fds)"
check_eq "status still answers" 0 "$(status >/dev/null; echo $?)"
R ip link del group 99
stop_daemon TERM
check_eq "SIGTERM: exit status" 0 "$?"
summary

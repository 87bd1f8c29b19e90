#!/usr/bin/python3
"""craft.py: valid and hostile TCP SYNs for the namespace integration tests.

Every packet is an IPv4 or IPv6 datagram from the client (10.1.0.2, fd01::2)
to the server (10.2.0.2, fd02::2) of lib.sh's topology, sent byte-exact with
AF_PACKET out of the client's interface (a raw IP socket would let the
client's kernel fix lengths and checksums). Where a TCP flags byte exists it
has SYN set and RST clear, so the router's rules queue whatever the kernel
lets reach them. Each packet carries its serial number in the IPv4 ID or the
IPv6 flow label (neither changes on the way), which is how `verify` finds
it again in the server's capture.

  craft.py kinds [--backend nft|legacy]
      the table below: kind, family, reaches the daemon, engine action,
      malformed reason, reaches the server
  craft.py build --log FILE [--start N] [--shuffle] [--seed N]
                 [--mss4 N] [--mss6 N] KIND=COUNT... (or all=COUNT)
      builds packets with serials from N and appends them to the log (JSON
      lines) with the packet the server must receive, given the daemon's
      ceilings --mss4/--mss6; prints "KIND FROM TO" per group (unless
      shuffled) and "next N"
  craft.py send --iface IF --dmac MAC --log FILE [--from N] [--to N]
                [--pps N] [--repeat N]
      sends the logged packets (serials FROM..TO-1) in log order, paced;
      needs no scapy, so it starts fast
  craft.py expect --log FILE [--backend B] [--from N] [--to N]
      the daemon's counters those packets must produce, as key=value
  craft.py verify --log FILE --pcap FILE [--backend B] [--from N] [--to N]
      compares what reached the server with what should have, as key=value
      (per kind and in total); mismatches are described on stderr
  craft.py arrived --pcap FILE [--from N] [--to N]
      how many of those packets the capture holds so far
  craft.py stats --json FILE --iface NAME
      the last JSON stats line of an interface, flattened to key=value

Which kinds reach the daemon is the kernel's decision, before and in the rule
`-p tcp --tcp-flags SYN,RST SYN` (Linux 6.18, iptables 1.8.9; hostile.sh
checks every row against the rule's own counters):
- ip_rcv()/ipv6_rcv() drop a bad IPv4 header checksum, an IHL below 5, a
  total length or IPv6 payload length past the end of the frame and a
  truncated hop-by-hop header before any netfilter hook (the router's
  InHdrErrors, InCsumErrors and InTruncatedPkts count them);
- iptables-nft compiles the rule to `tcp flags syn / syn,rst`, a one-byte
  load at the transport offset: a TCP header cut before byte 14 and an IPv6
  chain whose declared lengths run past the end (ipv6_find_hdr() then points
  past the packet) do not match and are forwarded unqueued; a header of
  14..19 bytes, a data offset below 5 or past the end, and a first fragment
  whose TCP header is cut after the flags match and reach the daemon, which
  counts them malformed and passes them unchanged. Non-first fragments: see
  the two quirks at v4-frag-nonfirst and v6-frag-nonfirst below;
- iptables-legacy's xt tcp match reads a full 20-byte header and *drops*
  (hotdrop) a packet where it cannot, also a cut first fragment and an IPv6
  chain running past the end: those reach neither the daemon nor the
  server; it never matches a non-first fragment.
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pkttools import checksum, ip_tag, normalise, read_pcap  # noqa: E402

CLIENT4, SERVER4 = "10.1.0.2", "10.2.0.2"
CLIENT6, SERVER6 = "fd01::2", "fd02::2"
DPORT = 9                 # discard: closed on the server, which answers RST (never queued)
DEFAULT_MSS4, DEFAULT_MSS6 = 536, 1220   # what the engine inserts (RFC 9293 3.7.1, RFC 8200 5)

# name -> family; queued: the rule hands it to the daemon; action, reason:
# what the engine makes of it; arrives: it reaches the server (verdicted or
# forwarded as it is); the same two for iptables-legacy; its builder.
KINDS = {}


def kind(name, family, queued, action=None, reason=None, arrives=True, legacy=None):
    """legacy: (queued, arrives) where iptables-legacy differs."""
    def register(builder):
        lq, la = legacy if legacy else (queued, arrives)
        KINDS[name] = dict(family=family, queued=queued, action=action, reason=reason,
                           arrives=arrives, queued_legacy=lq, arrives_legacy=la,
                           build=builder)
        return builder
    return register


def lazy_scapy():
    # scapy takes a second to import: only the commands that build packets pay for it
    global IP, IPv6, TCP, Raw, IPOption, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment
    from scapy.all import IP, IPv6, TCP, Raw, IPOption, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment


def linux_options(mss):
    """The options a Linux client puts on its SYN: MSS, SACK-permitted, timestamps, wscale."""
    return [("MSS", mss), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None),
            ("WScale", 7)]


def tcp(n, options=(), raw=b"", doff=None, payload=b""):
    """A SYN from a port that names the packet. raw: option bytes written as they are
    (the data offset counts them); doff: a data offset that need not fit."""
    t = TCP(sport=20000 + n % 40000, dport=DPORT, flags="S", seq=n * 7919 % (1 << 32),
            window=64240, options=list(options))
    if doff is not None:
        t.dataofs = doff
    elif raw:
        t.dataofs = 5 + len(raw) // 4   # raw options only: the receiver reads them as options
    extra = raw + payload
    return t / Raw(extra) if extra else t


def ip4(n, **kw):
    return IP(src=CLIENT4, dst=SERVER4, id=n & 0xffff, ttl=64, **kw)


def ip6(n, **kw):
    return IPv6(src=CLIENT6, dst=SERVER6, fl=n & 0xfffff, hlim=64, **kw)


def l3(family, n, seg, **kw):
    return bytes((ip4(n, **kw) if family == 4 else ip6(n, **kw)) / seg)


def cut(family, n, seg_bytes, keep):
    """A datagram whose TCP part is only the first keep bytes of seg_bytes (lengths consistent)."""
    if family == 4:
        return bytes(ip4(n, proto=6) / Raw(seg_bytes[:keep]))
    return bytes(ip6(n, nh=6) / Raw(seg_bytes[:keep]))


def full_segment(family, n, options):
    """TCP header bytes with a checksum computed over the right pseudo-header."""
    return bytes(l3(family, n, tcp(n, options)))[20 if family == 4 else 40:]


def both(name, queued, action=None, reason=None, arrives=True, legacy=None):
    """Registers name for IPv4 (v4-name) and IPv6 (v6-name) with one builder(family, n, ctx)."""
    def register(builder):
        for family in (4, 6):
            kind("v%d-%s" % (family, name), family, queued, action, reason, arrives, legacy)(
                lambda n, ctx, f=family: builder(f, n, ctx))
        return builder
    return register


# ---- valid SYNs: ctx.clamp() gives the MSS as sent, or as it must arrive ----

@both("mss1460", True, "clamped")
def _mss1460(family, n, ctx):
    return l3(family, n, tcp(n, linux_options(ctx.clamp(family, 1460))))


@both("mss-odd", True, "clamped")
def _mss_odd(family, n, ctx):
    # the MSS value at an odd offset: straddles two checksum words
    return l3(family, n, tcp(n, [("NOP", None), ("MSS", ctx.clamp(family, 1460)),
                                 ("NOP", None), ("NOP", None), ("NOP", None)]))


@both("syn-data", True, "clamped")
def _syn_data(family, n, ctx):
    # data on the SYN (TCP Fast Open): 1400 bytes, still under wan0's MTU
    return l3(family, n, tcp(n, linux_options(ctx.clamp(family, 1460)),
                             payload=bytes(range(256)) * 5 + bytes(120)))


@both("mss500", True, "unchanged")
def _mss500(family, n, ctx):
    return l3(family, n, tcp(n, linux_options(500)))


@both("nomss", True, "inserted")
def _nomss(family, n, ctx):
    opts = [("NOP", None), ("WScale", 7)]
    if ctx.expected:
        opts = [("MSS", ctx.inserted(family))] + opts
    return l3(family, n, tcp(n, opts))


@kind("v4-ipopts", 4, True, "clamped")
def _v4_ipopts(n, ctx):
    # IHL 6: three NOPs and an EOL before the TCP header
    return bytes(ip4(n, options=[IPOption(b"\x01\x01\x01\x00")]) /
                 tcp(n, linux_options(ctx.clamp(4, 1460))))


@kind("v4-frag-first-full", 4, True, "clamped")
def _v4_frag_first_full(n, ctx):
    # a first fragment holding the whole TCP header: clamped like any SYN; its
    # checksum covers the data in the other fragment too (never sent here)
    seg = bytes(ip4(n) / tcp(n, [("MSS", ctx.clamp(4, 1460))], payload=b"x" * 24))[20:]
    return bytes(ip4(n, proto=6, flags="MF", frag=0) / Raw(seg[:32]))


@kind("v6-ext8", 6, True, "clamped")
def _v6_ext8(n, ctx):
    chain = IPv6ExtHdrDestOpt()
    for _ in range(7):
        chain = chain / IPv6ExtHdrDestOpt()
    return bytes(ip6(n) / chain / tcp(n, linux_options(ctx.clamp(6, 1460))))


# ---- signed SYNs: TCP-AO (RFC 5925) never touched, TCP-MD5 (RFC 2385) never grown ----

TCP_AO = bytes([29, 16, 1, 2]) + bytes(range(0xa0, 0xac))          # key ids 1, 2; a 96-bit MAC
TCP_MD5 = b"\x01\x01\x13\x12" + bytes(range(0xd0, 0xe0))            # as Linux writes it


def mss_bytes(value):
    return struct.pack("!BBH", 2, 4, value)


@both("tcp-ao", True, "unchanged")
def _tcp_ao(family, n, ctx):
    return l3(family, n, tcp(n, raw=mss_bytes(9000) + TCP_AO))


@both("tcp-md5", True, "clamped")
def _tcp_md5(family, n, ctx):
    return l3(family, n, tcp(n, raw=TCP_MD5 + mss_bytes(ctx.clamp(family, 1460))))


@both("tcp-md5-nomss", True, "unchanged")
def _tcp_md5_nomss(family, n, ctx):
    return l3(family, n, tcp(n, raw=TCP_MD5 + b"\x01\x03\x03\x07"))


# ---- malformed SYNs that reach the daemon: passed unchanged, counted ----

@both("optlen0", True, "malformed", "bad_options")
def _optlen0(family, n, ctx):
    return l3(family, n, tcp(n, raw=b"\x03\x00\x00\x00"))      # wscale, length 0


@both("optlen1", True, "malformed", "bad_options")
def _optlen1(family, n, ctx):
    return l3(family, n, tcp(n, raw=b"\x02\x01\x05\xb4"))      # MSS, length 1


@both("optpast", True, "malformed", "bad_options")
def _optpast(family, n, ctx):
    return l3(family, n, tcp(n, raw=b"\x01\x01\x08\x0a"))      # timestamps, 10 bytes in 2


@both("doffpast", True, "malformed", "bad_tcp_header")
def _doffpast(family, n, ctx):
    return l3(family, n, tcp(n, doff=15))                      # 60 bytes claimed, 20 there


@both("doff4", True, "malformed", "bad_tcp_header")
def _doff4(family, n, ctx):
    return l3(family, n, tcp(n, doff=4))


@both("tcp16", True, "malformed", "bad_tcp_header", legacy=(False, False))
def _tcp16(family, n, ctx):
    return cut(family, n, full_segment(family, n, linux_options(1460)), 16)


@kind("v4-frag-cut", 4, True, "malformed", "fragmented_tcp_header", legacy=(False, False))
def _v4_frag_cut(n, ctx):
    seg = full_segment(4, n, linux_options(1460))
    return bytes(ip4(n, proto=6, flags="MF", frag=0) / Raw(seg[:16]))


@kind("v6-frag-cut", 6, True, "malformed", "fragmented_tcp_header", legacy=(False, False))
def _v6_frag_cut(n, ctx):
    seg = full_segment(6, n, linux_options(1460))
    return bytes(ip6(n) / IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=n) / Raw(seg[:16]))


@kind("v6-ext9", 6, True, "malformed", "bad_ext_headers")
def _v6_ext9(n, ctx):
    chain = IPv6ExtHdrDestOpt()
    for _ in range(8):
        chain = chain / IPv6ExtHdrDestOpt()
    return bytes(ip6(n) / chain / tcp(n, linux_options(1460)))


# ---- what the rule never queues: forwarded as it is (nft) or dropped (legacy) ----

@both("tcp12", False, legacy=(False, False))
def _tcp12(family, n, ctx):
    return cut(family, n, full_segment(family, n, linux_options(1460)), 12)   # no flags byte


@kind("v4-frag-tiny", 4, False, legacy=(False, False))
def _v4_frag_tiny(n, ctx):
    seg = full_segment(4, n, linux_options(1460))
    return bytes(ip4(n, proto=6, flags="MF", frag=0) / Raw(seg[:8]))


def nonfirst(family, n):
    # data that looks like a SYN with MSS 1460, 1480 bytes into a datagram
    seg = full_segment(family, n, linux_options(1460))
    if family == 4:
        return bytes(ip4(n, proto=6, frag=185) / Raw(seg))
    return bytes(ip6(n) / IPv6ExtHdrFragment(nh=6, offset=185, m=0, id=n) / Raw(seg))


# nft's fast path for a 1-byte payload load (nft_payload_fast_eval()) does
# not look at the fragment offset: it reads "tcp flags" from byte 13 of the
# fragment's data and queues it; the engine skips any non-first fragment.
@kind("v4-frag-nonfirst", 4, True, "skipped", legacy=(False, True))
def _v4_frag_nonfirst(n, ctx):
    return nonfirst(4, n)


# ipv6_find_hdr() returns early at a non-first fragment without setting the
# transport offset: nft reads byte 13 of the IPv6 header (the source address)
# as the flags; from fd01::2 that byte is 0, so the rule does not match.
@kind("v6-frag-nonfirst", 6, False)
def _v6_frag_nonfirst(n, ctx):
    return nonfirst(6, n)


@kind("v6-ext-trunc", 6, False, legacy=(False, False))
def _v6_ext_trunc(n, ctx):
    # a destination options header that claims 16 bytes with 8 left, then "TCP"
    return bytes(ip6(n, nh=60) / Raw(b"\x06\x01" + b"\x01\x04\x00\x00\x00\x00"))


# ---- what the router's kernel drops before any netfilter hook ----

def patch(pkt, offset, fmt, value, fix_v4_csum=True):
    b = bytearray(pkt)
    struct.pack_into(fmt, b, offset, value)
    if fix_v4_csum and b[0] >> 4 == 4:
        ihl = (b[0] & 0xf) * 4
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", checksum(bytes(b[:ihl])))
    return bytes(b)


@kind("v4-badcsum", 4, False, arrives=False)
def _v4_badcsum(n, ctx):
    pkt = l3(4, n, tcp(n, linux_options(1460)))
    return patch(pkt, 10, "!H", struct.unpack("!H", pkt[10:12])[0] ^ 0x0101, False)


@kind("v4-ihl4", 4, False, arrives=False)
def _v4_ihl4(n, ctx):
    pkt = l3(4, n, tcp(n, linux_options(1460)))
    return patch(pkt, 0, "!B", 0x44)


@kind("v4-totlen-long", 4, False, arrives=False)
def _v4_totlen_long(n, ctx):
    pkt = l3(4, n, tcp(n, linux_options(1460)))
    return patch(pkt, 2, "!H", len(pkt) + 8)


@kind("v6-paylen-long", 6, False, arrives=False)
def _v6_paylen_long(n, ctx):
    pkt = l3(6, n, tcp(n, linux_options(1460)))
    return patch(pkt, 4, "!H", len(pkt) - 40 + 8)


@kind("v6-hbh-trunc", 6, False, arrives=False)
def _v6_hbh_trunc(n, ctx):
    # hop-by-hop options claiming 16 bytes with 8 there: ipv6_rcv() parses it
    return bytes(ip6(n, nh=0) / Raw(b"\x06\x01" + b"\x01\x04\x00\x00\x00\x00"))


# ---- helpers ----

class Context:
    def __init__(self, mss4, mss6, expected):
        self.mss = {4: mss4, 6: mss6}
        self.expected = expected

    def clamp(self, family, mss):
        """The MSS as sent, or as the daemon must leave it (never raised)."""
        return min(mss, self.mss[family]) if self.expected else mss

    def inserted(self, family):
        default = DEFAULT_MSS4 if family == 4 else DEFAULT_MSS6
        return min(default, self.mss[family])


def expectation(spec, backend):
    if backend == "legacy":
        return spec["queued_legacy"], spec["arrives_legacy"]
    return spec["queued"], spec["arrives"]


def serial_of(pkt):
    """(family, serial) of a datagram from the client, or None."""
    return ip_tag(pkt, CLIENT4, CLIENT6)


def read_log(path, first=0, last=None):
    records = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["n"] >= first and (last is None or r["n"] < last):
                records.append(r)
    return records


# ---- commands ----

def cmd_kinds(args):
    for name, spec in KINDS.items():
        queued, arrives = expectation(spec, args.backend)
        print("%s family=%d queued=%s action=%s reason=%s arrives=%s" % (
            name, spec["family"], "yes" if queued else "no",
            spec["action"] if queued else "-", spec["reason"] or "-" if queued else "-",
            "yes" if arrives else "no"))


def parse_counts(words):
    counts = []
    for w in words:
        name, _, count = w.partition("=")
        if name == "all":
            counts.extend((k, int(count or 1)) for k in KINDS)
            continue
        if name not in KINDS:
            sys.exit("craft.py: unknown kind %r (see craft.py kinds)" % name)
        counts.append((name, int(count or 1)))
    return counts


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def cmd_build(args):
    lazy_scapy()
    groups = parse_counts(args.kinds)
    plan = [name for name, count in groups for _ in range(count)]
    if args.shuffle:
        random.Random(args.seed).shuffle(plan)
    sent = Context(args.mss4, args.mss6, expected=False)
    want = Context(args.mss4, args.mss6, expected=True)
    n = args.start
    if n + len(plan) > 0x10000:
        sys.exit("craft.py: serial numbers run out at 65536 (the IPv4 ID)")
    with open(args.log, "a") as log:
        for name in plan:
            spec = KINDS[name]
            log.write(json.dumps(dict(n=n, kind=name, family=spec["family"],
                                      sent=spec["build"](n, sent).hex(),
                                      expected=spec["build"](n, want).hex())) + "\n")
            n += 1
    if not args.shuffle:
        first = args.start
        for name, count in groups:
            print("%s %d %d" % (name, first, first + count))
            first += count
    print("next %d" % n)


def cmd_send(args):
    records = read_log(args.log, args.first, args.last)
    with open("/sys/class/net/%s/address" % args.iface) as f:
        smac = mac_bytes(f.read().strip())
    dmac = mac_bytes(args.dmac)
    frames = [dmac + smac + (b"\x08\x00" if r["family"] == 4 else b"\x86\xdd") +
              bytes.fromhex(r["sent"]) for r in records]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    # Paced in bursts: a veth hands packets to the router's backlog queue
    # (net.core.netdev_max_backlog, 1000), which drops what overflows it.
    # Paced from the previous burst, not from the start: after a SIGSTOP
    # (soak.sh pauses the sender) it goes on at the same rate, no catch-up.
    burst = max(1, min(32, args.pps // 100))
    due = time.monotonic()
    for _ in range(args.repeat):
        for i in range(0, len(frames), burst):
            for frame in frames[i:i + burst]:
                s.send(frame)
            due = max(due + len(frames[i:i + burst]) / args.pps, time.monotonic() - 0.05)
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    s.close()
    print(len(frames) * args.repeat)


def cmd_expect(args):
    counts = {}
    for r in read_log(args.log, args.first, args.last):
        spec = KINDS[r["kind"]]
        queued, arrives = expectation(spec, args.backend)
        fam = "ipv%d" % spec["family"]
        counts["sent"] = counts.get("sent", 0) + 1
        counts["arrives"] = counts.get("arrives", 0) + (1 if arrives else 0)
        if not queued:
            continue
        for key in ("seen", spec["action"], fam, fam + ".seen", fam + "." + spec["action"]):
            counts[key] = counts.get(key, 0) + 1
        if spec["reason"]:
            key = "malformed_reasons." + spec["reason"]
            counts[key] = counts.get(key, 0) + 1
    for action in ("seen", "clamped", "unchanged", "inserted", "malformed", "skipped"):
        for prefix in ("", "ipv4.", "ipv6."):
            counts.setdefault(prefix + action, 0)
    counts.setdefault("ipv4", 0)
    counts.setdefault("ipv6", 0)
    for reason in ("bad_ip_header", "bad_ip_length", "bad_ext_headers", "fragmented_tcp_header",
                   "bad_tcp_header", "bad_options"):
        counts.setdefault("malformed_reasons." + reason, 0)
    for key in sorted(counts):
        print("%s=%d" % (key, counts[key]))


def cmd_verify(args):
    records = {}
    for r in read_log(args.log, args.first, args.last):
        records[(r["family"], r["n"] & (0xffff if r["family"] == 4 else 0xfffff))] = r
    seen = {}
    per_kind = {}
    totals = dict(arrived=0, identical=0, mismatched=0, duplicates=0, unexpected=0, missing=0)
    shown = 0
    for pkt in read_pcap(args.pcap):
        key = serial_of(pkt)
        if key is None or key not in records:
            continue
        r = records[key]
        k = per_kind.setdefault(r["kind"], dict(sent=0, arrived=0, identical=0))
        if key in seen:
            totals["duplicates"] += 1
            continue
        seen[key] = True
        k["arrived"] += 1
        totals["arrived"] += 1
        _, arrives = expectation(KINDS[r["kind"]], args.backend)
        if not arrives:
            totals["unexpected"] += 1
            continue
        if normalise(pkt) == normalise(bytes.fromhex(r["expected"])):
            k["identical"] += 1
            totals["identical"] += 1
        else:
            totals["mismatched"] += 1
            if shown < 10:
                shown += 1
                print("mismatch: #%d %s\n  expected %s\n  got      %s" % (
                    r["n"], r["kind"], normalise(bytes.fromhex(r["expected"])).hex(),
                    normalise(pkt).hex()), file=sys.stderr)
    for r in records.values():
        per_kind.setdefault(r["kind"], dict(sent=0, arrived=0, identical=0))["sent"] += 1
        _, arrives = expectation(KINDS[r["kind"]], args.backend)
        if arrives and (r["family"], r["n"] & (0xffff if r["family"] == 4 else 0xfffff)) not in seen:
            totals["missing"] += 1
    for name in sorted(per_kind):
        k = per_kind[name]
        print("%s.sent=%d %s.arrived=%d %s.identical=%d" % (
            name, k["sent"], name, k["arrived"], name, k["identical"]))
    for key in sorted(totals):
        print("%s=%d" % (key, totals[key]))


def cmd_arrived(args):
    wanted = set(range(args.first, args.last if args.last is not None else 1 << 20))
    count = 0
    got = set()
    for pkt in read_pcap(args.pcap):
        key = serial_of(pkt)
        if key and key[1] in wanted and key not in got:
            got.add(key)
            count += 1
    print(count)


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(prefix + k + ".", v, out)
    else:
        out[prefix[:-1]] = value


def cmd_stats(args):
    last = None
    try:
        with open(args.json) as f:
            for line in f:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if obj.get("iface") == args.iface:
                    last = obj
    except OSError:
        pass
    if last is None:
        return
    out = {}
    flatten("", last, out)
    for key in sorted(out):
        print("%s=%s" % (key, out[key]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("kinds")
    k.add_argument("--backend", default="nft", choices=("nft", "legacy"))
    b = sub.add_parser("build")
    b.add_argument("--log", required=True)
    b.add_argument("--start", type=int, default=1)
    b.add_argument("--shuffle", action="store_true")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--mss4", type=int, default=65535)
    b.add_argument("--mss6", type=int, default=65535)
    b.add_argument("kinds", nargs="+", metavar="KIND=COUNT")
    s = sub.add_parser("send")
    s.add_argument("--iface", required=True)
    s.add_argument("--dmac", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--from", dest="first", type=int, default=0)
    s.add_argument("--to", dest="last", type=int, default=None)
    s.add_argument("--pps", type=int, default=10000)
    s.add_argument("--repeat", type=int, default=1)
    for name in ("expect", "verify", "arrived"):
        c = sub.add_parser(name)
        if name != "arrived":
            c.add_argument("--log", required=True)
            c.add_argument("--backend", default="nft", choices=("nft", "legacy"))
        if name != "expect":
            c.add_argument("--pcap", required=True)
        c.add_argument("--from", dest="first", type=int, default=0)
        c.add_argument("--to", dest="last", type=int, default=None)
    st = sub.add_parser("stats")
    st.add_argument("--json", required=True)
    st.add_argument("--iface", required=True)
    args = p.parse_args()
    {"kinds": cmd_kinds, "build": cmd_build, "send": cmd_send, "expect": cmd_expect, "verify": cmd_verify,
     "stats": cmd_stats, "arrived": cmd_arrived}[args.cmd](args)


if __name__ == "__main__":
    main()

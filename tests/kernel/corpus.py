#!/usr/bin/python3
"""The corpus of the differential test against the kernel's TCPMSS target.

    corpus.py build CORPUS.pcap CORPUS.json
        Writes every case as a raw-IP pcap (LINKTYPE_RAW) and a JSON list of
        {name, family, key, rest}: key identifies the packet after the router
        (IPv4 ID and fragment offset, IPv6 flow label); rest is the hex of the
        TCP segment bytes a first fragment does not carry, so that its
        checksum can be verified.
    corpus.py send CORPUS.pcap IFACE DST_MAC
        Sends every packet out of IFACE, byte-exact (AF_PACKET: the client's
        stack never sees them), then an end marker (UDP, port 9).

Run with /usr/bin/python3: it needs Debian's python3-scapy.
"""
import json
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pkttools import checksum, ip_tag, mss_option as mss, ones_sum, pseudo_header, read_pcap  # noqa: E402
from scapy.all import (IP, IPv6, IPOption_EOL, IPOption_NOP, IPOption_Router_Alert,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, PadN, Raw)

# The addressing of diff-test.sh: client -> router -> server.
CLIENT4, SERVER4 = "192.0.2.2", "198.51.100.2"
CLIENT6, SERVER6 = "2001:db8:1::2", "2001:db8:2::2"
MARKER = b"mssclampd-kernel-diff-end-marker"

NOP, EOL = b"\x01", b"\x00"
SACKOK = b"\x04\x02"
WSCALE = b"\x03\x03\x07"
TIMESTAMP = b"\x08\x0a" + struct.pack("!II", 0x01020304, 0)
LINUX_NO_MSS = SACKOK + TIMESTAMP + NOP + WSCALE  # a Linux SYN without its MSS: 16 bytes

FLAGS = {"S": 0x02, "SA": 0x12, "RS": 0x06, "A": 0x10, "SF": 0x03}


def tcp_pseudo_header(family, length):
    """The pseudo-header of a segment from the client to the server."""
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    src, dst = (CLIENT4, SERVER4) if family == 4 else (CLIENT6, SERVER6)
    return pseudo_header(socket.inet_pton(af, src), socket.inet_pton(af, dst), 6, length)


def tcp(family, sport, options=b"", payload=b"", flags="S", doff=None, window=64240,
        check="good"):
    """A TCP segment. check: "good", "bad" (good + 0x1111), or a forced value."""
    if doff is None:
        assert len(options) % 4 == 0, "options must fill whole words"
        doff = 5 + len(options) // 4
    head = struct.pack("!HHIIBBHHH", sport, 80, 0x10000000 + sport, 0 if flags != "SA" else 1,
                       doff << 4, FLAGS[flags], window, 0, 0)
    seg = bytearray(head + options + payload)
    value = checksum(tcp_pseudo_header(family, len(seg)) + bytes(seg))
    if check == "bad":
        value = (value + 0x1111) & 0xffff
    elif check != "good":
        value = check
    seg[16:18] = struct.pack("!H", value)
    return bytes(seg)


def window_for_check(family, sport, options, target):
    """The window that makes the full checksum of the segment equal target."""
    seg = tcp(family, sport, options, window=0)
    rest = ones_sum(tcp_pseudo_header(family, len(seg)) + seg[:16] + b"\0\0" + seg[18:])
    # check = ~(rest + window): solve rest + window == ~target in ones' complement
    want = 0xffff & ~target
    window = (want - rest) % 0xffff
    return window if window else 0xffff


class Corpus:
    def __init__(self):
        self.cases = []

    def sport(self):
        return 20000 + len(self.cases)

    def key(self):
        return 0x1000 + len(self.cases)

    def v4(self, name, seg, options=None, proto=6, frag=0, mf=False, rest=b""):
        ip = IP(src=CLIENT4, dst=SERVER4, id=self.key(), ttl=64, proto=proto, frag=frag,
                flags="MF" if mf else 0)
        if options:
            ip.options = options
        self.cases.append((name, 4, bytes(ip / Raw(seg)), rest))

    def v6(self, name, seg, ext=None, nh=6, rest=b""):
        ip = IPv6(src=CLIENT6, dst=SERVER6, fl=self.key(), hlim=64, nh=nh)
        pkt = ip / ext / Raw(seg) if ext is not None else ip / Raw(seg)
        self.cases.append((name, 6, bytes(pkt), rest))

    def both(self, name, **kw):
        """The same TCP case in IPv4 and IPv6."""
        self.v4("v4-" + name, tcp(4, self.sport(), **kw))
        self.v6("v6-" + name, tcp(6, self.sport(), **kw))


def build():
    c = Corpus()
    # Plain SYNs: above, at and below the ceilings (1452 for IPv4, 1432 for IPv6).
    for value in (1460, 9000, 65535, 1440, 1432, 1400, 536, 0):
        c.both("mss-%d" % value, options=mss(value))
    c.both("synack-mss-9000", options=mss(9000), flags="SA")
    c.both("synfin-mss-9000", options=mss(9000), flags="SF")
    c.both("linux-syn-mss-9000", options=mss(9000) + LINUX_NO_MSS)
    # Insertion, and where there is no room for it.
    c.both("no-options", options=b"")
    c.both("synack-no-options", options=b"", flags="SA")
    c.both("no-mss-linux-options", options=LINUX_NO_MSS)
    c.both("no-mss-doff-14", options=NOP * 32 + SACKOK + NOP * 2)
    c.both("no-mss-doff-15", options=NOP * 24 + LINUX_NO_MSS)
    c.both("mss-9000-doff-15-last", options=NOP * 36 + mss(9000))
    c.both("no-mss-payload", options=b"", payload=b"GET / HTTP/1.0\r\n")
    c.both("mss-9000-payload", options=mss(9000), payload=b"GET / HTTP/1.0\r\n")
    c.both("eol-only", options=EOL * 4)
    # Several MSS options: a Linux receiver honours the last nonzero one.
    c.both("mss-1000-then-9000", options=mss(1000) + mss(9000))
    c.both("mss-9000-then-1000", options=mss(9000) + mss(1000))
    c.both("mss-9000-then-9000", options=mss(9000) + mss(9000))
    c.both("mss-0-then-9000", options=mss(0) + mss(9000))
    # Odd offsets: the option value straddles two checksum words.
    c.both("mss-9000-odd-offset", options=NOP + mss(9000) + NOP * 3)
    c.both("mss-9000-odd-offset-3", options=NOP * 3 + mss(9000) + NOP)
    c.both("mss-9000-odd-offset-payload", options=NOP + mss(9000) + NOP * 3, payload=b"abc")
    # What a receiver's option walk stops at, and what it reads past.
    c.both("mss-9000-after-eol", options=EOL + NOP * 3 + mss(9000))
    c.both("kind2-len3-then-mss-9000", options=b"\x02\x03\x23" + NOP + mss(9000))
    c.both("kind2-len5-no-mss", options=b"\x02\x05\x23\x28\x00" + NOP * 3)
    c.both("kind2-len6-no-mss", options=b"\x02\x06" + mss(9000) + NOP * 2)
    c.both("zero-length-option-then-mss-9000", options=b"\x1e\x00" + mss(9000) + NOP * 2)
    c.both("one-length-option-then-mss-9000", options=b"\x1e\x01" + mss(9000) + NOP * 2)
    c.both("mss-9000-then-option-past-end", options=mss(9000) + b"\x08\x0a\x00\x00")
    c.both("option-past-end-then-mss-9000", options=b"\x1e\x28" + mss(9000) + NOP * 2)
    c.both("mss-past-end", options=NOP * 2 + b"\x02\x04")
    # Structurally broken segments.
    c.both("doff-4", options=mss(9000), doff=4)
    c.both("doff-past-end", options=mss(9000), doff=10)
    for family in (4, 6):
        seg = tcp(family, c.sport(), mss(9000))[:16]
        if family == 4:
            c.v4("v4-tcp-16-bytes", seg)
        else:
            c.v6("v6-tcp-16-bytes", seg)
    # Checksums: a bad one stays exactly as bad; the two zeros of ones' complement.
    c.both("bad-csum-mss-9000", options=mss(9000), check="bad")
    c.both("bad-csum-no-options", options=b"", check="bad")
    for family, name in ((4, "v4-mss-9000-csum-0000-after"), (6, "v6-mss-9000-csum-0000-after")):
        sport = c.sport()
        ceiling = 1452 if family == 4 else 1432
        # the window for which the clamped segment sums to checksum 0x0000
        window = window_for_check(family, sport, mss(ceiling), 0x0000)
        seg = tcp(family, sport, mss(9000), window=window)
        (c.v4 if family == 4 else c.v6)(name, seg)
    for family, name in ((4, "v4-mss-9000-csum-0000-before"), (6, "v6-mss-9000-csum-0000-before")):
        sport = c.sport()
        seg = tcp(family, sport, mss(9000), window=window_for_check(family, sport, mss(9000), 0))
        (c.v4 if family == 4 else c.v6)(name, seg)
    # Not SYNs.
    c.both("rst-syn-mss-9000", options=mss(9000), flags="RS")
    c.both("ack-mss-9000", options=mss(9000), flags="A")

    # IPv4: options in the IP header, fragments, AH.
    pad = [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()]
    c.v4("v4-ip-options-mss-9000", tcp(4, c.sport(), mss(9000)), options=pad)
    c.v4("v4-ip-options-no-mss", tcp(4, c.sport(), b""), options=pad)
    c.v4("v4-router-alert-mss-9000", tcp(4, c.sport(), mss(9000)),
         options=[IPOption_Router_Alert()])
    seg = tcp(4, c.sport(), mss(9000), payload=b"0123456789abcdef")
    c.v4("v4-first-fragment-mss-9000", seg[:24], mf=True, rest=seg[24:])
    seg = tcp(4, c.sport(), NOP * 2 + SACKOK, payload=b"0123456789abcdef")
    c.v4("v4-first-fragment-no-mss", seg[:24], mf=True, rest=seg[24:])
    seg = tcp(4, c.sport(), mss(9000) + LINUX_NO_MSS)
    c.v4("v4-first-fragment-tcp-16-bytes", seg[:16], mf=True, rest=seg[16:])
    c.v4("v4-non-first-fragment", tcp(4, c.sport(), mss(9000)), frag=8)
    c.v4("v4-non-first-fragment-offset-8", tcp(4, c.sport(), mss(9000)), frag=1)
    ah = struct.pack("!BBHII", 6, 4, 0, 0x100, 1) + b"\xaa" * 12
    c.v4("v4-ah-mss-9000", ah + tcp(4, c.sport(), mss(9000)), proto=51)
    c.v4("v4-ah-no-mss", ah + tcp(4, c.sport(), b""), proto=51)

    # IPv6: extension headers, fragments, AH, ESP.
    def hbh(nh):
        return IPv6ExtHdrHopByHop(nh=nh, options=[PadN(optdata=b"\0" * 4)])

    def dst(nh):
        return IPv6ExtHdrDestOpt(nh=nh, options=[PadN(optdata=b"\0" * 4)])

    def rh0(nh):
        return IPv6ExtHdrRouting(nh=nh, type=0, segleft=0, addresses=[SERVER6])

    def frag(nh, offset=0, m=0):
        return IPv6ExtHdrFragment(nh=nh, offset=offset, m=m, id=0x5000 + len(c.cases))

    c.v6("v6-hbh-mss-9000", tcp(6, c.sport(), mss(9000)), hbh(6), nh=0)
    c.v6("v6-hbh-no-mss", tcp(6, c.sport(), b""), hbh(6), nh=0)
    c.v6("v6-dstopts-mss-9000", tcp(6, c.sport(), mss(9000)), dst(6), nh=60)
    c.v6("v6-rh0-segleft-0-mss-9000", tcp(6, c.sport(), mss(9000)), rh0(6), nh=43)
    c.v6("v6-chain-mss-9000", tcp(6, c.sport(), mss(9000)),
         hbh(60) / dst(43) / rh0(44) / frag(60) / dst(6), nh=0)
    c.v6("v6-chain-no-mss", tcp(6, c.sport(), b""),
         hbh(60) / dst(43) / rh0(44) / frag(60) / dst(6), nh=0)
    chain = hbh(60)
    for _ in range(6):
        chain = chain / dst(60)
    c.v6("v6-8-ext-headers-mss-9000", tcp(6, c.sport(), mss(9000)), chain / dst(6), nh=0)
    c.v6("v6-9-ext-headers-mss-9000", tcp(6, c.sport(), mss(9000)),
         chain / dst(60) / dst(6), nh=0)
    c.v6("v6-atomic-fragment-mss-9000", tcp(6, c.sport(), mss(9000)), frag(6), nh=44)
    c.v6("v6-atomic-fragment-no-mss", tcp(6, c.sport(), b""), frag(6), nh=44)
    seg = tcp(6, c.sport(), mss(9000), payload=b"0123456789abcdef")
    c.v6("v6-first-fragment-mss-9000", seg[:24], frag(6, m=1), nh=44, rest=seg[24:])
    seg = tcp(6, c.sport(), NOP * 2 + SACKOK, payload=b"0123456789abcdef")
    c.v6("v6-first-fragment-no-mss", seg[:24], frag(6, m=1), nh=44, rest=seg[24:])
    seg = tcp(6, c.sport(), mss(9000) + LINUX_NO_MSS)
    c.v6("v6-first-fragment-tcp-16-bytes", seg[:16], frag(6, m=1), nh=44, rest=seg[16:])
    c.v6("v6-non-first-fragment", tcp(6, c.sport(), mss(9000)), frag(6, offset=8), nh=44)
    ah6 = struct.pack("!BBHII", 6, 4, 0, 0x100, 1) + b"\xaa" * 12
    c.v6("v6-ah-mss-9000", ah6 + tcp(6, c.sport(), mss(9000)), nh=51)
    c.v6("v6-ah-no-mss", ah6 + tcp(6, c.sport(), b""), nh=51)
    esp = struct.pack("!II", 0x100, 1)
    c.v6("v6-esp", esp + tcp(6, c.sport(), mss(9000)), nh=50)
    c.v6("v6-no-next-header", tcp(6, c.sport(), mss(9000)), nh=59)

    # Signed segments: TCP-MD5 as Linux writes it (RFC 2385), TCP-AO (RFC 5925).
    md5sig = NOP * 2 + b"\x13\x12" + bytes(range(0xd0, 0xe0))
    ao = bytes([29, 16, 1, 2]) + bytes(range(0xa0, 0xac))
    c.both("md5-mss-9000", options=md5sig + mss(9000))
    c.both("md5-synack-mss-9000", options=mss(9000) + md5sig, flags="SA")
    c.both("md5-mss-1400", options=md5sig + mss(1400))
    c.both("md5-no-mss", options=md5sig)
    c.both("ao-mss-9000", options=ao + mss(9000))
    c.both("ao-synack-mss-9000", options=mss(9000) + ao, flags="SA")
    c.both("ao-mss-1400", options=mss(1400) + ao)
    c.both("ao-no-mss", options=ao)
    return c.cases


def packet_key(pkt):
    """What identifies a corpus packet after the router: IPv4 ID and fragment
    offset, IPv6 flow label. None for anything not from the client."""
    tag = ip_tag(pkt, CLIENT4, CLIENT6)
    if tag is None:
        return None
    if tag[0] == 4:
        return "4/%d/%d" % (tag[1], struct.unpack("!H", pkt[6:8])[0] & 0x1fff)
    return "6/%d" % tag[1]


def write_pcap(path, packets, linktype=101):
    with open(path, "wb") as f:
        f.write(struct.pack("=IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
        for i, pkt in enumerate(packets):
            f.write(struct.pack("=IIII", 1700000000, i, len(pkt), len(pkt)))
            f.write(pkt)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        cases = build()
        meta = []
        for name, family, pkt, rest in cases:
            meta.append({"name": name, "family": family, "key": packet_key(pkt),
                         "rest": rest.hex()})
        keys = [m["key"] for m in meta]
        names = [m["name"] for m in meta]
        assert len(set(keys)) == len(keys), "packet keys must be unique"
        assert len(set(names)) == len(names), "case names must be unique"
        write_pcap(sys.argv[2], [pkt for _, _, pkt, _ in cases])
        with open(sys.argv[3], "w") as f:
            json.dump(meta, f, indent=1)
        print("corpus: %d packets" % len(cases))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        iface, dst_mac = sys.argv[3], bytes.fromhex(sys.argv[4].replace(":", ""))
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
            s.bind((iface, 0))
            src_mac = s.getsockname()[4]
            packets = read_pcap(sys.argv[2])
            for pkt in packets:
                ethertype = b"\x08\x00" if pkt[0] >> 4 == 4 else b"\x86\xdd"
                s.send(dst_mac + src_mac + ethertype + pkt)
                time.sleep(0.002)  # never overrun the router's backlog
            marker = IP(src=CLIENT4, dst=SERVER4, id=1, proto=17) / Raw(
                struct.pack("!HHHH", 9, 9, 8 + len(MARKER), 0) + MARKER)
            s.send(dst_mac + src_mac + b"\x08\x00" + bytes(marker))
        print("sent %d packets and the end marker from %s" % (len(packets), iface))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

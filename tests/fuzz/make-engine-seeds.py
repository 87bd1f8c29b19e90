#!/usr/bin/python3
"""Writes the seed corpus of fuzz_engine to tests/fuzz/corpus/engine/.

Each seed is what tests/fuzz/fuzz_engine.c reads: the IPv4 and IPv6 MSS
ceilings (2 bytes each, big-endian), one byte whose low 3 bits XOR 4 give the
spare room in the buffer (0: 4 bytes, 4: none, 7: 3 bytes), then one IP packet with correct lengths and checksums unless
the seed's name says otherwise. Plain Python, no scapy: run it with
/usr/bin/python3 tests/fuzz/make-engine-seeds.py and commit the files.
"""
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pkttools import checksum, mss_option as mss, pseudo_header  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "engine")

SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10
V4_SRC, V4_DST = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])
V6_SRC = bytes.fromhex("20010db8000000000000000000000001")
V6_DST = bytes.fromhex("20010db8000000000000000000000002")
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
HOPOPTS, ROUTING, FRAGMENT, ESP, AH, NONEXT, DSTOPTS = 0, 43, 44, 50, 51, 59, 60


def tcp(flags=SYN, opts=b"", data=b"", doff=None):
    opts += b"\0" * (-len(opts) % 4)
    if doff is None:
        doff = 5 + len(opts) // 4
    hdr = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, doff << 4, flags, 64240, 0, 0)
    return hdr + opts + data


def ext(kind, nxt, size=0, frag=0):
    """One extension header; size is its own length field."""
    if kind in (HOPOPTS, DSTOPTS):
        n = (size + 1) * 8
        return bytes([nxt, size, 1, n - 4]) + b"\0" * (n - 4)
    if kind == ROUTING:
        return bytes([nxt, size, 253, 0]) + b"\0" * ((size + 1) * 8 - 4)
    if kind == FRAGMENT:
        return struct.pack("!BBHI", nxt, 0, frag, 0x12345678)
    if kind == AH:
        return struct.pack("!BBHII", nxt, size, 0, 0x100, 1) + b"\0" * ((size + 2) * 4 - 12)
    if kind == ESP:
        return struct.pack("!II", 0x100, 1)
    raise ValueError(kind)


def chain(kinds, proto):
    """kinds: list of (kind, size, frag); returns (first next header, bytes)."""
    out = b""
    for i, (kind, size, frag) in enumerate(kinds):
        nxt = kinds[i + 1][0] if i + 1 < len(kinds) else proto
        out += ext(kind, nxt, size, frag)
    return (kinds[0][0] if kinds else proto), out


def l4_fix(pseudo, seg, proto):
    if proto == TCP and len(seg) >= 18:
        seg = seg[:16] + struct.pack("!H", checksum(pseudo + seg)) + seg[18:]
    elif proto == UDP and len(seg) >= 8:
        seg = seg[:6] + struct.pack("!H", checksum(pseudo + seg)) + seg[8:]
    return seg


def ipv4(seg, proto=TCP, ip_opts=b"", frag=0, exts=(), fix_l4=True):
    ip_opts += b"\0" * (-len(ip_opts) % 4)
    first, hdrs = chain(list(exts), proto)
    if fix_l4 and ESP not in [k for k, _, _ in exts] and not frag & 0x1FFF:
        seg = l4_fix(pseudo_header(V4_SRC, V4_DST, proto, len(seg)), seg, proto)
    ihl = 5 + len(ip_opts) // 4
    total = ihl * 4 + len(hdrs) + len(seg)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 0x1234, frag, 64, first, 0,
                      V4_SRC, V4_DST) + ip_opts
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + hdrs + seg


def ipv6(seg, proto=TCP, exts=(), fix_l4=True):
    first, hdrs = chain(list(exts), proto)
    kinds = [k for k, _, _ in exts]
    later = any(k == FRAGMENT and f & 0xFFF8 for k, _, f in exts)
    if fix_l4 and ESP not in kinds and not later:
        seg = l4_fix(pseudo_header(V6_SRC, V6_DST, proto, len(seg)), seg, proto)
    hdr = struct.pack("!IHBB16s16s", 0x60000000, len(hdrs) + len(seg), first, 64, V6_SRC, V6_DST)
    return hdr + hdrs + seg


def seed(v4=1452, v6=1432, spare=4):
    return struct.pack("!HHB", v4, v6, spare ^ 4)


LINUX = mss(1460) + bytes([4, 2, 8, 10]) + bytes(range(1, 9)) + bytes([1, 3, 3, 7])
NOP8 = b"\x01" * 8
SEEDS = {}


def add(name, packet, **kw):
    SEEDS[name] = seed(**kw) + packet


# IPv4
add("v4-syn-mss9000", ipv4(tcp(opts=mss(9000))))
add("v4-synack-linux-opts", ipv4(tcp(SYN | ACK, LINUX)))
add("v4-syn-mss-below", ipv4(tcp(opts=mss(1400))))
add("v4-syn-mss-equal", ipv4(tcp(opts=mss(1452))))
add("v4-syn-mss0", ipv4(tcp(opts=mss(0))))
add("v4-syn-no-options", ipv4(tcp()))
add("v4-syn-no-options-no-room", ipv4(tcp()), spare=0)
add("v4-syn-no-options-3-spare", ipv4(tcp()), spare=3)
add("v4-syn-no-mss-low-ceiling", ipv4(tcp(opts=b"\x01\x03\x03\x07")), v4=500, v6=1000)
add("v4-syn-data-no-mss", ipv4(tcp(data=b"GET / HTTP/1.0\r\n\r\n")))
add("v4-syn-rst", ipv4(tcp(SYN | RST, mss(9000))))
add("v4-ack", ipv4(tcp(ACK, mss(9000))))
add("v4-udp", ipv4(tcp(opts=mss(9000)), proto=UDP))
add("v4-icmp", ipv4(bytes([8, 0, 0, 0, 0, 1, 0, 1]), proto=ICMP))
add("v4-ip-options-clamp", ipv4(tcp(opts=mss(9000)), ip_opts=bytes([0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0])))
add("v4-ip-options-insert", ipv4(tcp(opts=b"\x01\x03\x03\x07"), ip_opts=bytes([0x94, 4, 0, 0])))
add("v4-first-fragment-clamp", ipv4(tcp(opts=mss(9000), data=b"x" * 32), frag=0x2000))
add("v4-first-fragment-no-mss", ipv4(tcp(), frag=0x2000))
add("v4-later-fragment", ipv4(tcp(opts=mss(9000)), frag=185))
add("v4-fragment-offset-top-bit", ipv4(tcp(opts=mss(9000)), frag=0x1000))
add("v4-first-fragment-short-tcp", ipv4(tcp(opts=mss(9000) + NOP8)[:24], frag=0x2000))
add("v4-ah", ipv4(tcp(opts=mss(9000)), exts=[(AH, 4, 0)]))
add("v4-ah-truncated", ipv4(ext(AH, TCP, 4)[:8], proto=AH, fix_l4=False))
add("v4-esp", ipv4(tcp(opts=mss(9000)), exts=[(ESP, 0, 0)]))
add("v4-mss1000-mss9000", ipv4(tcp(opts=mss(1000) + mss(9000))))
add("v4-mss9000-mss1000", ipv4(tcp(opts=mss(9000) + mss(1000))))
add("v4-ten-mss", ipv4(tcp(opts=b"".join(mss(9000 + i) for i in range(10)))))
add("v4-kind2-len6", ipv4(tcp(opts=bytes([2, 6, 0x23, 0x28, 0, 0]))))
add("v4-odd-offset", ipv4(tcp(opts=b"\x01" + mss(9000))))
add("v4-eol-then-mss", ipv4(tcp(opts=b"\x00" + mss(9000))))
add("v4-optlen0", ipv4(tcp(opts=mss(9000) + bytes([8, 0]) + mss(9000))))
add("v4-optlen1", ipv4(tcp(opts=mss(9000) + bytes([8, 1]) + mss(9000))))
add("v4-option-past-header", ipv4(tcp(opts=mss(9000) + bytes([8, 10, 1, 2, 3, 4, 5, 6]))))
add("v4-lone-kind-at-end", ipv4(tcp(opts=mss(9000) + bytes([1, 1, 1, 8]))))
add("v4-doff4", ipv4(tcp(doff=4)))
add("v4-doff15-short", ipv4(tcp(opts=mss(9000), doff=15)))
add("v4-tcp-19-bytes", ipv4(tcp(opts=mss(9000))[:19]))
add("v4-36-nops", ipv4(tcp(opts=b"\x01" * 36)))
add("v4-40-nops", ipv4(tcp(opts=b"\x01" * 40)))
_bad = bytearray(ipv4(tcp(opts=b"\x01" + mss(9000))))
_bad[20 + 16] ^= 0x5A
add("v4-wrong-tcp-checksum", bytes(_bad))
_bad = bytearray(ipv4(tcp(opts=b"\x04\x02")))
_bad[10] ^= 0x01
_bad[20 + 17] ^= 0x10
add("v4-wrong-checksums-insert", bytes(_bad))
_bad = bytearray(ipv4(tcp(opts=mss(9000))))
_bad[0] = 0x44
add("v4-ihl4", bytes(_bad))
_bad[0] = 0x55
add("v4-version5", bytes(_bad))
add("v4-truncated-19", ipv4(tcp(opts=mss(9000)))[:19])
_bad = bytearray(ipv4(tcp(opts=mss(9000))))
_bad[3] += 1
add("v4-total-length-mismatch", bytes(_bad))
add("v4-high-ceilings", ipv4(tcp(opts=mss(65535))), v4=65535, v6=65535)
add("v4-ceiling-1", ipv4(tcp(opts=mss(2))), v4=1, v6=1)

# IPv6
add("v6-syn-mss9000", ipv6(tcp(opts=mss(9000))))
add("v6-synack-odd-offset", ipv6(tcp(SYN | ACK, b"\x01" + mss(9000))))
add("v6-syn-no-options", ipv6(tcp()))
add("v6-syn-no-mss-low-ceiling", ipv6(tcp(opts=b"\x04\x02")), v4=500, v6=1000)
add("v6-hbh", ipv6(tcp(opts=mss(9000)), exts=[(HOPOPTS, 0, 0)]))
add("v6-routing", ipv6(tcp(opts=mss(9000)), exts=[(ROUTING, 2, 0)]))
add("v6-dstopts", ipv6(tcp(opts=mss(9000)), exts=[(DSTOPTS, 1, 0)]))
add("v6-chain-insert", ipv6(tcp(opts=b"\x01\x03\x03\x07"),
                            exts=[(HOPOPTS, 1, 0), (DSTOPTS, 0, 0), (ROUTING, 0, 0), (DSTOPTS, 3, 0)]))
add("v6-frag-first", ipv6(tcp(opts=mss(9000), data=b"x" * 16), exts=[(FRAGMENT, 0, 1)]))
add("v6-frag-atomic", ipv6(tcp(), exts=[(HOPOPTS, 0, 0), (FRAGMENT, 0, 0)]))
add("v6-frag-later", ipv6(tcp(opts=mss(9000)), exts=[(FRAGMENT, 0, 8)]))
add("v6-frag-first-short-tcp", ipv6(tcp(opts=mss(9000))[:16], exts=[(FRAGMENT, 0, 1)]))
add("v6-esp", ipv6(tcp(opts=mss(9000)), exts=[(ESP, 0, 0)]))
add("v6-nonext", ipv6(tcp(opts=mss(9000)), proto=NONEXT, exts=[(HOPOPTS, 0, 0)], fix_l4=False))
add("v6-eight-dstopts", ipv6(tcp(opts=mss(9000)), exts=[(DSTOPTS, 0, 0)] * 8))
add("v6-nine-dstopts", ipv6(tcp(opts=mss(9000)), exts=[(DSTOPTS, 0, 0)] * 9))
add("v6-hbh-truncated", ipv6(b"\x06\x00\x01\x00", proto=HOPOPTS, fix_l4=False))
add("v6-ah", ipv6(tcp(opts=mss(9000)), exts=[(AH, 4, 0)]))
add("v6-hbh-ah-no-mss", ipv6(tcp(), exts=[(HOPOPTS, 0, 0), (AH, 4, 0)]))
add("v6-ah-truncated", ipv6(ext(AH, TCP, 4)[:12], proto=AH, fix_l4=False))
add("v6-hbh-overlong", ipv6(bytes([TCP, 1, 1, 4, 0, 0, 0, 0]), proto=HOPOPTS, fix_l4=False))
add("v6-frag-truncated", ipv6(ext(FRAGMENT, TCP)[:6], proto=FRAGMENT, fix_l4=False))
add("v4-ah-short", ipv4(ext(AH, TCP, 4)[:4], proto=AH, fix_l4=False))
add("empty", b"")
add("v6-icmpv6", ipv6(bytes([128, 0, 0, 0, 0, 1, 0, 1]), proto=ICMPV6))
add("v6-udp", ipv6(tcp(opts=mss(9000)), proto=UDP))
add("v6-optlen0", ipv6(tcp(opts=mss(9000) + bytes([8, 0]) + mss(9000))))
add("v6-data-no-mss", ipv6(tcp(opts=b"\x04\x02", data=b"x")))
add("v6-eol-then-mss", ipv6(tcp(opts=b"\x00" + mss(9000))))
_bad = bytearray(ipv6(tcp(opts=mss(9000))))
_bad[5] += 1
add("v6-payload-length-mismatch", bytes(_bad))
add("v6-truncated-39", ipv6(tcp(opts=mss(9000)))[:39])
add("v6-no-options-no-room", ipv6(tcp()), spare=0)
add("v6-no-options-7-spare", ipv6(tcp()), spare=7)

# Signed segments: TCP-MD5 (RFC 2385) as Linux writes it, TCP-AO (RFC 5925)
MD5SIG = b"\x01\x01\x13\x12" + bytes(range(0xd0, 0xe0))
AO = bytes([29, 16, 1, 2]) + bytes(range(0xa0, 0xac))
add("v4-md5-mss9000", ipv4(tcp(opts=MD5SIG + mss(9000) + b"\x01\x03\x03\x07")))
add("v4-md5-no-mss", ipv4(tcp(opts=MD5SIG)))
add("v6-md5-synack-mss1440", ipv6(tcp(SYN | ACK, mss(1440) + MD5SIG)))
add("v6-ao-mss9000", ipv6(tcp(opts=AO + mss(9000))))
add("v4-ao-no-mss", ipv4(tcp(opts=AO)))
add("v4-ao-then-optlen0", ipv4(tcp(opts=mss(9000) + AO + bytes([8, 0]))))
add("v4-ah-ao", ipv4(tcp(opts=mss(9000) + AO), exts=[(AH, 4, 0)]))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes(data))
    print("%d seeds in %s" % (len(SEEDS), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes seed inputs for fuzz_netlink: rtnetlink link messages (first byte
even) and NFQUEUE packet messages (first byte odd), built as the kernel
builds them. Run from the repository root: tests/fuzz/make-netlink-seeds.py"""
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pkttools import checksum, pseudo_header  # noqa: E402

OUT = "tests/fuzz/corpus/netlink"
RTM_NEWLINK, RTM_DELLINK = 16, 17
IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 4, 18, 1
NFQNL_MSG_PACKET = (3 << 8) | 0
NFQA_PACKET_HDR, NFQA_IFINDEX_INDEV, NFQA_IFINDEX_OUTDEV, NFQA_PAYLOAD, NFQA_CAP_LEN = 1, 4, 5, 10, 13


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def nlmsg(kind, body, flags=0, seq=0):
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


def link(kind, ifindex, name=None, mtu=None, linkkind=None):
    body = struct.pack("=BxHiII", 0, 1, ifindex, 0x1043, 0)
    if name is not None:
        body += attr(IFLA_IFNAME, name.encode() + b"\0")
    if mtu is not None:
        body += attr(IFLA_MTU, struct.pack("=I", mtu))
    if linkkind is not None:
        body += attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, linkkind.encode() + b"\0"))
    return nlmsg(kind, body)


def syn4(options):
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, (5 + len(options) // 4) << 4, 0x02, 65535, 0, 0) + options
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes([10, 1, 0, 2]), bytes([10, 2, 0, 2]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    pseudo = pseudo_header(ip[12:16], ip[16:20], 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    return ip + tcp


def packet(pkt, pkt_id=1, family=2, cap_len=None):
    body = struct.pack("=BBH", family, 0, 0)
    body += attr(NFQA_PACKET_HDR, struct.pack("!IHB", pkt_id, 0x0800, 2))
    body += attr(NFQA_IFINDEX_INDEV, struct.pack("!I", 2))
    body += attr(NFQA_IFINDEX_OUTDEV, struct.pack("!I", 3))
    if cap_len is not None:
        body += attr(NFQA_CAP_LEN, struct.pack("!I", cap_len))
    body += attr(NFQA_PAYLOAD, pkt)
    return nlmsg(NFQNL_MSG_PACKET, body)


seeds = {
    "link-new": b"\0" + link(RTM_NEWLINK, 2, "eth0", 1500, "veth"),
    "link-ppp": b"\0" + link(RTM_NEWLINK, 5, "ppp0", 1492, "ppp"),
    "link-several": b"\0" + link(RTM_NEWLINK, 2, "lan0", 1500) + link(RTM_NEWLINK, 3, "wan0", 1492)
    + link(RTM_DELLINK, 2, "lan0") + link(RTM_NEWLINK, 3, "wan0", 1400),
    "link-noname": b"\0" + link(RTM_NEWLINK, 9, None, 1500),
    "queue-syn": b"\1" + packet(syn4(b"\x02\x04\x05\xb4")),
    "queue-syn-nomss": b"\1" + packet(syn4(b"")),
    "queue-syn-odd": b"\1" + packet(syn4(b"\x01\x02\x04\x23\x28\x00\x00\x00")),
    "queue-truncated": b"\1" + packet(syn4(b"\x02\x04\x05\xb4"), cap_len=1500),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(seeds), OUT))

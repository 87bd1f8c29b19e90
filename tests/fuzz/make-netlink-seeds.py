#!/usr/bin/python3
"""Writes seed inputs for fuzz_netlink, built as the kernel builds them (the
first byte picks the consumer, see fuzz_netlink.c): rtnetlink link messages
(0), NFQUEUE packet messages (1), nf_tables events (2), rules (3) and
counters (4) as a 6.18 kernel sent them, iptables-legacy rule blobs (5, 6)
and rtnetlink route messages (8). And seeds for fuzz_control. Run from the
repository root:
tests/fuzz/make-netlink-seeds.py"""
import os
import socket
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pkttools import checksum, pseudo_header  # noqa: E402

OUT = "tests/fuzz/corpus/netlink"
RTM_NEWLINK, RTM_DELLINK, RTM_NEWROUTE, RTM_DELROUTE = 16, 17, 24, 25
IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 4, 18, 1
IFLA_PROTINFO, IFLA_AF_SPEC, IFLA_INET6_FLAGS, IFLA_INET6_CONF = 12, 26, 1, 2
AF_INET, AF_INET6, AF_BRIDGE = 2, 10, 7
DEVCONF_MTU6, DEVCONF_MAX = 2, 60
RTA_DST, RTA_OIF, RTA_PRIORITY, RTA_METRICS, RTA_MULTIPATH, RTA_TABLE = 1, 4, 6, 8, 9, 15
RTAX_MTU, RT_TABLE_MAIN, RTN_UNICAST, RTN_BLACKHOLE, RTM_F_CLONED = 2, 254, 1, 6, 0x200
NFQNL_MSG_PACKET = (3 << 8) | 0
NFQA_PACKET_HDR, NFQA_IFINDEX_INDEV, NFQA_IFINDEX_OUTDEV, NFQA_PAYLOAD, NFQA_CAP_LEN = 1, 4, 5, 10, 13


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def nlmsg(kind, body, flags=0, seq=0):
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


def inet6_conf(mtu6, n=DEVCONF_MAX):
    conf = [0] * n
    conf[1] = 64
    if n > DEVCONF_MTU6:
        conf[DEVCONF_MTU6] = mtu6
    return attr(IFLA_INET6_FLAGS, struct.pack("=I", 0x80000000)) + \
        attr(IFLA_INET6_CONF, struct.pack("=%di" % n, *conf))


def link(kind, ifindex, name=None, mtu=None, linkkind=None, mtu6=None, family=0, protinfo=None):
    body = struct.pack("=BxHiII", family, 1, ifindex, 0x1043, 0)
    if name is not None:
        body += attr(IFLA_IFNAME, name.encode() + b"\0")
    if mtu is not None:
        body += attr(IFLA_MTU, struct.pack("=I", mtu))
    if linkkind is not None:
        body += attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, linkkind.encode() + b"\0"))
    if mtu6 is not None:  # the link messages' IFLA_AF_SPEC: AF_INET's part, then AF_INET6's
        body += attr(IFLA_AF_SPEC, attr(AF_INET, attr(1, struct.pack("=I", 1))) +
                     attr(AF_INET6, inet6_conf(mtu6)))
    if protinfo is not None:  # the IPv6 dump's IFLA_PROTINFO
        body += attr(IFLA_PROTINFO, inet6_conf(protinfo))
    return nlmsg(kind, body)


def route(kind, dst, length, mtu=0, oif=3, priority=0, table=RT_TABLE_MAIN, rtype=RTN_UNICAST,
          flags=0, nexthops=None):
    v6 = dst is not None and ":" in dst
    body = struct.pack("=BBBBBBBBI", AF_INET6 if v6 else AF_INET, length, 0, 0,
                       table if table < 256 else 252, 4, 0, rtype, flags)
    body += attr(RTA_TABLE, struct.pack("=I", table))
    if dst is not None:
        body += attr(RTA_DST, socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, dst))
    body += attr(RTA_PRIORITY, struct.pack("=I", priority))
    if oif:
        body += attr(RTA_OIF, struct.pack("=I", oif))
    if mtu:
        body += attr(RTA_METRICS, attr(RTAX_MTU, struct.pack("=I", mtu)))
    if nexthops:
        body += attr(RTA_MULTIPATH, b"".join(struct.pack("=HBBi", 8, 0, 0, i) for i in nexthops))
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


# nf_tables messages a 6.18 kernel sent (tests/unit/test_fw_netlink.c has them too)
NFT_RULE = bytes.fromhex(
    "9c010000060a020801000000f4510000020000040b0001006d616e676c6500000e0002004d5353434c414d5044"
    "0000000c00030000000000000000026001040024000100090001006d657461000000001400020008000200000000"
    "1008000100000000012c00010008000100636d700020000200080001000000000108000200000000000c00030005"
    "00010006000000340001000c0001007061796c6f6164002400020008000100000000010800020000000002080003"
    "000000000d08000400000000014c0001000c00010062697477697365003c00020008000100000000010800020000"
    "000001080003000000000108000600000000000c00040005000100060000000c0005000500010000000000"
    "2c00010008000100636d700020000200080001000000000108000200000000000c00030005000100020000002c00"
    "01000c000100636f756e746572001c0002000c00010000000000000000b40c000200000000000000000334000100"
    "0b0001007461726765740000240002000c0001004e4651554555450008000200000000030c000300000001000100"
    "0000")
NFT_SYN4 = bytes.fromhex(
    "68000000120a02080100000021520000010000050e0001006d7373636c616d70640000000900020073796e3400"
    "00000008000300000000010c000600000000000000000208000500000000011c0004000c00010000000000000000"
    "3c0c0002000000000000000001")
NFT_SYN6 = NFT_SYN4.replace(b"syn4", b"syn6")
NFT_DELCHAIN = bytes.fromhex(
    "3c000000050a00000100000002510000010000060e0001006d7373636c616d70640000000b0003006f7574707574"
    "00000c0002000000000000000001")
NFT_NEWGEN = bytes.fromhex(
    "2c0000000f0a000001000000025100000000000608000100000000060800020000005102080003006e667400")

XT_IP = 84           # struct ipt_ip: struct ipt_entry is 112 bytes, counters at 96
XT6_IP = 136         # struct ip6t_ip6: struct ip6t_entry is 168 bytes, counters at 152
XT_TARGET = 32       # struct xt_entry_target


def xt_entry(ip, target, data, packets=0):
    size = XT_TARGET + len(data)
    size += (8 - size % 8) % 8
    tgt = struct.pack("=H29sB", size, target.encode(), 0) + data
    tgt += b"\0" * (size - len(tgt))
    counters = struct.pack("=QQ", packets, packets * 60)
    # the IP match, nfcache, target_offset, next_offset, comefrom, the counters 8-aligned
    fields = b"\0" * ip + struct.pack("=I", 0)
    pad = (8 - (len(fields) + 8) % 8) % 8
    head = len(fields) + 8 + pad + len(counters)
    entry = fields + struct.pack("=HHI", head, head + size, 0) + b"\0" * pad
    return entry + counters + tgt


def xt_table(ip):
    """OUTPUT with a policy, chain MSSCLAMPD with our NFQUEUE rule, the end; its layout first."""
    policy = xt_entry(ip, "", struct.pack("=i", -2))
    body = policy + xt_entry(ip, "ERROR", b"MSSCLAMPD".ljust(32, b"\0"))
    body += xt_entry(ip, "NFQUEUE", struct.pack("=HHH", 0, 1, 1), 7)
    body += xt_entry(ip, "", struct.pack("=i", -5)) + xt_entry(ip, "ERROR", b"ERROR".ljust(32, b"\0"))
    info = struct.pack("=I5I5III", 1 << 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, len(body))
    return info + body


seeds = {
    "link-new": b"\0" + link(RTM_NEWLINK, 2, "eth0", 1500, "veth"),
    "link-ppp": b"\0" + link(RTM_NEWLINK, 5, "ppp0", 1492, "ppp"),
    "link-several": b"\0" + link(RTM_NEWLINK, 2, "lan0", 1500) + link(RTM_NEWLINK, 3, "wan0", 1492)
    + link(RTM_DELLINK, 2, "lan0") + link(RTM_NEWLINK, 3, "wan0", 1400),
    "link-noname": b"\0" + link(RTM_NEWLINK, 9, None, 1500),
    "link-inet6": b"\0" + link(RTM_NEWLINK, 3, "wan0", 1492, "veth", mtu6=1492)
    + link(RTM_NEWLINK, 3, "wan0", mtu6=1400, family=AF_INET6, protinfo=1400)
    + link(RTM_NEWLINK, 4, "lan0", 1500, mtu6=0),
    "link-bridge-port": b"\0" + link(RTM_NEWLINK, 4, "lan0", 1500)
    + link(RTM_DELLINK, 4, "lan0", 1500, family=AF_BRIDGE),
    "route-mtu": b"\10" + route(RTM_NEWROUTE, "10.8.0.0", 16, 1400)
    + route(RTM_NEWROUTE, "10.8.5.0", 24) + route(RTM_NEWROUTE, "10.9.0.0", 24)
    + route(RTM_NEWROUTE, "2001:db8::", 32, 1280, priority=1024)
    + route(RTM_NEWROUTE, "2001:db8:1::", 48, priority=1024)
    + route(RTM_DELROUTE, "10.8.5.0", 24),
    "route-default-mtu": b"\10" + route(RTM_NEWROUTE, None, 0, 1480)
    + route(RTM_NEWROUTE, "192.0.2.0", 24, nexthops=[3, 4])
    + route(RTM_NEWROUTE, "198.51.100.0", 24, rtype=RTN_BLACKHOLE, oif=0),
    "route-not-main": b"\10" + route(RTM_NEWROUTE, "10.2.0.3", 32, 1400, table=100)
    + route(RTM_NEWROUTE, "10.2.0.4", 32, 1400, flags=RTM_F_CLONED)
    + route(RTM_NEWROUTE, "10.2.0.5", 32, 1400, table=1000),
    "queue-syn": b"\1" + packet(syn4(b"\x02\x04\x05\xb4")),
    "queue-syn-nomss": b"\1" + packet(syn4(b"")),
    "queue-syn-odd": b"\1" + packet(syn4(b"\x01\x02\x04\x23\x28\x00\x00\x00")),
    "queue-truncated": b"\1" + packet(syn4(b"\x02\x04\x05\xb4"), cap_len=1500),
    "nft-events": b"\2" + NFT_DELCHAIN + NFT_NEWGEN,
    "nft-rule": b"\3" + NFT_RULE,
    "nft-counters": b"\4" + NFT_SYN4 + NFT_SYN6,
    "xtables-ipv4": b"\5" + xt_table(XT_IP),
    "xtables-ipv6": b"\6" + xt_table(XT6_IP),
}
control_seeds = {
    "status": b"\0status\n",
    "status-json-bytewise": b"\0status json\n",
    "status-crlf": b"\5status json\r\n",
    "garbage": b"\3GET / HTTP/1.0\r\n\r\n",
    "long": b"\17" + b"s" * 80,
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(seeds), OUT))
CONTROL_OUT = "tests/fuzz/corpus/control"
os.makedirs(CONTROL_OUT, exist_ok=True)
for name, data in control_seeds.items():
    with open(os.path.join(CONTROL_OUT, name), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(control_seeds), CONTROL_OUT))

"""pkttools: the packet helpers the test scripts share.

Checksums and the pseudo-header, the MSS option, the tag a test packet
carries, what a router may rewrite, and reading a pcap file. Plain Python,
no scapy: the fuzz seed generators run without it, and craft.py imports it
only when it builds packets. Used by tests/integration/craft.py,
tests/kernel/corpus.py and compare.py, tests/fuzz/make-*-seeds.py; each puts
this folder on sys.path relative to its own file.
"""
import socket
import struct


def ones_sum(data):
    """The ones' complement sum of data as 16-bit big-endian words (RFC 1071),
    folded to 16 bits; an odd byte at the end is padded with a zero."""
    if len(data) % 2:
        data = bytes(data) + b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total


def checksum(data):
    """The Internet checksum of data: the complement of its ones' complement sum."""
    return ~ones_sum(data) & 0xffff


def pseudo_header(src, dst, proto, length):
    """The pseudo-header a TCP or UDP checksum covers, for packed IPv4 (RFC 9293
    3.1) or IPv6 (RFC 8200 8.1) addresses."""
    if len(src) == 4:
        return bytes(src) + bytes(dst) + struct.pack("!BBH", 0, proto, length)
    return bytes(src) + bytes(dst) + struct.pack("!IxxxB", length, proto)


def mss_option(value):
    """The TCP MSS option (kind 2, length 4)."""
    return struct.pack("!BBH", 2, 4, value)


def ip_tag(pkt, src4, src6):
    """(family, tag) of a datagram from src4 or src6 (addresses as text): the
    tests number their packets in the IPv4 ID or the IPv6 flow label, which no
    router changes. None for a datagram from anywhere else, or too short."""
    if len(pkt) >= 20 and pkt[0] >> 4 == 4 and pkt[12:16] == socket.inet_pton(socket.AF_INET, src4):
        return 4, struct.unpack("!H", pkt[4:6])[0]
    if len(pkt) >= 40 and pkt[0] >> 4 == 6 and pkt[8:24] == socket.inet_pton(socket.AF_INET6, src6):
        return 6, struct.unpack("!I", pkt[0:4])[0] & 0xfffff
    return None


def normalise(pkt):
    """pkt without what a router rewrites (zeroed): the TTL and the IPv4 header
    checksum, the hop limit. None stays None."""
    if pkt is None:
        return None
    b = bytearray(pkt)
    if b and b[0] >> 4 == 4 and len(b) >= 20:
        b[8] = 0
        b[10:12] = b"\0\0"
    elif b and b[0] >> 4 == 6 and len(b) >= 40:
        b[7] = 0
    return bytes(b)


# Link-layer header length by pcap link type: Ethernet, Linux cooked, raw IP (any, IPv4, IPv6).
LINK_HEADER = {1: 14, 113: 16, 101: 0, 228: 0, 229: 0}


def read_pcap(path):
    """The IP datagrams of a pcap file, in order, without their link header.
    A raw-IP capture gives every record; a link-layer one its IPv4 and IPv6
    frames only. A capture still being written may end mid-record: what is
    whole is read."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        order = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        order = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0xffff
    skip = LINK_HEADER.get(linktype)
    if skip is None:
        raise ValueError("%s: link type %d" % (path, linktype))
    packets, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        if off + 16 + caplen > len(data):
            break
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if skip and frame[skip - 2:skip] not in (b"\x08\x00", b"\x86\xdd"):
            continue
        packets.append(frame[skip:])
    return packets

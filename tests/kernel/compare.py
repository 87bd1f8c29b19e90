#!/usr/bin/python3
"""Compares what the kernel's TCPMSS forwarded with what the engine made of
the same corpus, packet by packet.

    compare.py --corpus C.pcap --meta C.json --engine E.pcap --engine-log E.txt
               --kernel BACKEND=K.pcap [--kernel BACKEND=K.pcap ...]

Each packet is reduced to a summary a receiver cares about: forwarded or not,
IP length, TCP header length, every MSS option a receiving TCP reads (Linux
tcp_parse_options(): it stops at EOL, at a length below 2 and at an option
running past the header, and honours the last nonzero MSS), any MSS option
behind that stop, and whether the TCP and IPv4 header checksums verify
(recomputed here). Kernel and engine must agree on the summary and on every
byte (TTL, hop limit and the IPv4 header checksum aside: the router changes
them), except for the deliberate differences below, each of which must still
happen exactly as listed.
"""
import argparse
import json
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from corpus import packet_key  # noqa: E402
from pkttools import checksum, normalise, ones_sum, pseudo_header, read_pcap  # noqa: E402

# Why the engine differs from the kernel on purpose. The kernel side is
# net/netfilter/xt_TCPMSS.c tcpmss_mangle_packet(); the receiver side is Linux
# tcp_parse_options() (net/ipv4/tcp_input.c) and RFC 9293 3.1 / 3.7.1.
REASONS = {
    "first-mss-only": (
        "several MSS options: the kernel returns after the first one, whether it lowered it "
        "or not; a Linux receiver honours the last nonzero one, so an oversize MSS behind the "
        "first slips through the kernel. The engine lowers every MSS option a receiver reads."),
    "walks-past-stop": (
        "option of length 0 or 1: the kernel's optlen() steps over it one byte at a time (to make "
        "progress) and finds an MSS behind it; a receiver stops there (Linux: \"silly options\", "
        "opsize < 2, end the walk), so that MSS is one no receiver honours. The engine stops where "
        "the receiver stops, and leaves the malformed list untouched (bad_options)."),
    "insert-after-eol": (
        "MSS behind EOL: the kernel's walk steps over EOL and clamps it; a receiver stops at EOL "
        "(RFC 9293 3.1) and never sees it. The engine, like the receiver, finds no MSS and inserts "
        "one at the start (536 / 1220, the receiver's own default), so what the receiver honours "
        "is the same either way; the hidden option stays as it was."),
    "no-insert-broken-list": (
        "an option runs past the header: the kernel's walk just ends, finds no MSS and inserts "
        "one; the engine counts a broken option list as malformed (bad_options) and inserts "
        "nothing into a segment whose options a receiver cannot fully read. The receiver stops at "
        "the broken option and falls back to its default MSS either way."),
    "drops-malformed": (
        "structurally broken TCP header (data offset below 5 or past the end, header truncated, "
        "also in a first fragment, RFC 1858): the kernel drops it (TCPMSS returns NF_DROP, or the "
        "legacy tcp match hotdrops it); the engine accepts it untouched and counts it as "
        "malformed: the daemon is no firewall, and the receiver discards such a segment anyway."),
    "no-insert-fragment": (
        "first fragment (more fragments follow) without MSS: the kernel inserts 4 bytes into it, "
        "so its data is no longer a multiple of 8 and no longer ends where the next fragment "
        "starts: Linux drops such an IPv6 fragment and trims an IPv4 one, and the SYN is lost. "
        "The engine never inserts into a fragment (note no_room)."),
    "odd-offset-csum": (
        "MSS value at an odd offset: it straddles two 16-bit checksum words, the kernel's "
        "incremental update treats it as one word and leaves a wrong TCP checksum, and the "
        "receiver drops the SYN (a fix, \"netfilter: TCPMSS: handle packets with unaligned MSS "
        "option\", was declined on netfilter-devel in 2026 as a hypothetical case). The engine "
        "byte-swaps the update (RFC 1071 byte-order independence): the checksum stays valid."),
    "ah-untouched": (
        "TCP behind an IPv6 AH header: ip6tables-legacy's -p tcp looks through AH "
        "(ipv6_find_hdr) and the kernel clamps or inserts, which breaks the AH ICV (RFC 4302 "
        "covers the TCP header), so the receiver's IPsec drops the SYN. The engine never modifies "
        "an AH-protected packet (note authenticated). With iptables-nft, `meta l4proto` stops at "
        "AH and the kernel leaves it too."),
    "ext-header-limit": (
        "nine IPv6 extension headers: the engine walks a bounded chain (8 headers; a legitimate "
        "chain has at most 6, RFC 8200 4.1) and calls a longer one malformed (bad_ext_headers), "
        "leaving it untouched; the kernel's ipv6_skip_exthdr() walks any number and clamps."),
    "tcp-ao-untouched": (
        "SYN with TCP-AO (RFC 5925, option 29): its MAC covers the TCP options by default "
        "(5.1), so the peer drops a SYN whose MSS was lowered or that gained an MSS option, and "
        "a BGP session through the router never comes up. The kernel clamps and inserts all the "
        "same; the engine changes no byte of it (note tcp_ao)."),
    "tcp-md5-no-insert": (
        "SYN with TCP-MD5 (RFC 2385, option 19) and no MSS: the digest covers the TCP header "
        "without its options but with the data offset (2.0), so the kernel's insertion (the "
        "offset grows by one word) breaks it and the peer drops the SYN. The engine inserts "
        "nothing there (note tcp_md5); lowering an MSS in place, as both do, is safe."),
    "tcp-match-offset-8": (
        "IPv4 fragment at offset 8 bytes: the legacy xt tcp match drops it (\"evil TCP offset=1 "
        "frag\", the RFC 1858 overlapping-fragment attack). That is the rule's match, not TCPMSS; "
        "the engine is no firewall and skips any non-first fragment."),
}

# case name -> (reason, kernel summary, engine summary). The kernel summary is
# a dict when it depends on the iptables backend; a backend missing from it
# must agree with the engine.
DELIBERATE = {
    "v4-mss-1000-then-9000": ("first-mss-only",
        "fwd len=48 tcp=28 mss=1000,9000 csum=ok",
        "fwd len=48 tcp=28 mss=1000,1452 csum=ok"),
    "v6-mss-1000-then-9000": ("first-mss-only",
        "fwd len=68 tcp=28 mss=1000,9000 csum=ok",
        "fwd len=68 tcp=28 mss=1000,1432 csum=ok"),
    "v4-mss-9000-then-9000": ("first-mss-only",
        "fwd len=48 tcp=28 mss=1452,9000 csum=ok",
        "fwd len=48 tcp=28 mss=1452,1452 csum=ok"),
    "v6-mss-9000-then-9000": ("first-mss-only",
        "fwd len=68 tcp=28 mss=1432,9000 csum=ok",
        "fwd len=68 tcp=28 mss=1432,1432 csum=ok"),
    "v4-mss-0-then-9000": ("first-mss-only",
        "fwd len=48 tcp=28 mss=0,9000 csum=ok",
        "fwd len=48 tcp=28 mss=0,1452 csum=ok"),
    "v6-mss-0-then-9000": ("first-mss-only",
        "fwd len=68 tcp=28 mss=0,9000 csum=ok",
        "fwd len=68 tcp=28 mss=0,1432 csum=ok"),
    "v4-mss-9000-odd-offset": ("odd-offset-csum",
        "fwd len=48 tcp=28 mss=1452 csum=bad",
        "fwd len=48 tcp=28 mss=1452 csum=ok"),
    "v6-mss-9000-odd-offset": ("odd-offset-csum",
        "fwd len=68 tcp=28 mss=1432 csum=bad",
        "fwd len=68 tcp=28 mss=1432 csum=ok"),
    "v4-mss-9000-odd-offset-3": ("odd-offset-csum",
        "fwd len=48 tcp=28 mss=1452 csum=bad",
        "fwd len=48 tcp=28 mss=1452 csum=ok"),
    "v6-mss-9000-odd-offset-3": ("odd-offset-csum",
        "fwd len=68 tcp=28 mss=1432 csum=bad",
        "fwd len=68 tcp=28 mss=1432 csum=ok"),
    "v4-mss-9000-odd-offset-payload": ("odd-offset-csum",
        "fwd len=51 tcp=28 mss=1452 csum=bad",
        "fwd len=51 tcp=28 mss=1452 csum=ok"),
    "v6-mss-9000-odd-offset-payload": ("odd-offset-csum",
        "fwd len=71 tcp=28 mss=1432 csum=bad",
        "fwd len=71 tcp=28 mss=1432 csum=ok"),
    "v4-mss-9000-after-eol": ("insert-after-eol",
        "fwd len=48 tcp=28 mss=none stop=eol@20 behind-stop=1452 csum=ok",
        "fwd len=52 tcp=32 mss=536 stop=eol@24 behind-stop=9000 csum=ok"),
    "v6-mss-9000-after-eol": ("insert-after-eol",
        "fwd len=68 tcp=28 mss=none stop=eol@20 behind-stop=1432 csum=ok",
        "fwd len=72 tcp=32 mss=1220 stop=eol@24 behind-stop=9000 csum=ok"),
    "v4-zero-length-option-then-mss-9000": ("walks-past-stop",
        "fwd len=48 tcp=28 mss=none stop=bad-option@20 behind-stop=1452 csum=ok",
        "fwd len=48 tcp=28 mss=none stop=bad-option@20 behind-stop=9000 csum=ok"),
    "v6-zero-length-option-then-mss-9000": ("walks-past-stop",
        "fwd len=68 tcp=28 mss=none stop=bad-option@20 behind-stop=1432 csum=ok",
        "fwd len=68 tcp=28 mss=none stop=bad-option@20 behind-stop=9000 csum=ok"),
    "v4-one-length-option-then-mss-9000": ("walks-past-stop",
        "fwd len=48 tcp=28 mss=none stop=bad-option@20 behind-stop=1452 csum=ok",
        "fwd len=48 tcp=28 mss=none stop=bad-option@20 behind-stop=9000 csum=ok"),
    "v6-one-length-option-then-mss-9000": ("walks-past-stop",
        "fwd len=68 tcp=28 mss=none stop=bad-option@20 behind-stop=1432 csum=ok",
        "fwd len=68 tcp=28 mss=none stop=bad-option@20 behind-stop=9000 csum=ok"),
    "v4-option-past-end-then-mss-9000": ("no-insert-broken-list",
        "fwd len=52 tcp=32 mss=536 stop=bad-option@24 csum=ok",
        "fwd len=48 tcp=28 mss=none stop=bad-option@20 csum=ok"),
    "v6-option-past-end-then-mss-9000": ("no-insert-broken-list",
        "fwd len=72 tcp=32 mss=1220 stop=bad-option@24 csum=ok",
        "fwd len=68 tcp=28 mss=none stop=bad-option@20 csum=ok"),
    "v4-mss-past-end": ("no-insert-broken-list",
        "fwd len=48 tcp=28 mss=536 stop=bad-option@26 csum=ok",
        "fwd len=44 tcp=24 mss=none stop=bad-option@22 csum=ok"),
    "v6-mss-past-end": ("no-insert-broken-list",
        "fwd len=68 tcp=28 mss=1220 stop=bad-option@26 csum=ok",
        "fwd len=64 tcp=24 mss=none stop=bad-option@22 csum=ok"),
    "v4-doff-4": ("drops-malformed", "dropped", "fwd len=44 tcp=bad-doff(16/24)"),
    "v6-doff-4": ("drops-malformed", "dropped", "fwd len=64 tcp=bad-doff(16/24)"),
    "v4-doff-past-end": ("drops-malformed", "dropped", "fwd len=44 tcp=bad-doff(40/24)"),
    "v6-doff-past-end": ("drops-malformed", "dropped", "fwd len=64 tcp=bad-doff(40/24)"),
    "v4-tcp-16-bytes": ("drops-malformed", "dropped", "fwd len=36 tcp=truncated(16)"),
    "v6-tcp-16-bytes": ("drops-malformed", "dropped", "fwd len=56 tcp=truncated(16)"),
    "v4-first-fragment-tcp-16-bytes": ("drops-malformed",
        "dropped", "fwd len=36 tcp=truncated(16)"),
    "v6-first-fragment-tcp-16-bytes": ("drops-malformed",
        "dropped", "fwd len=64 tcp=truncated(16)"),
    "v4-first-fragment-no-mss": ("no-insert-fragment",
        "fwd len=48 fragment-data=28-not-multiple-of-8 tcp=28 mss=536 csum=ok",
        "fwd len=44 tcp=24 mss=none csum=ok"),
    "v6-first-fragment-no-mss": ("no-insert-fragment",
        "fwd len=76 fragment-data=28-not-multiple-of-8 tcp=28 mss=1220 csum=ok",
        "fwd len=72 tcp=24 mss=none csum=ok"),
    "v6-9-ext-headers-mss-9000": ("ext-header-limit",
        "fwd len=136 tcp=24 mss=1432 csum=ok",
        "fwd len=136 tcp=24 mss=9000 csum=ok"),
    "v4-non-first-fragment-offset-8": ("tcp-match-offset-8",
        {"legacy": "dropped"},
        "fwd len=44 non-first-fragment"),
    "v6-ah-mss-9000": ("ah-untouched",
        {"legacy": "fwd len=88 tcp=24 mss=1432 csum=ok"},
        "fwd len=88 tcp=24 mss=9000 csum=ok"),
    "v6-ah-no-mss": ("ah-untouched",
        {"legacy": "fwd len=88 tcp=24 mss=1220 csum=ok"},
        "fwd len=84 tcp=20 mss=none csum=ok"),
    "v4-ao-mss-9000": ("tcp-ao-untouched",
        "fwd len=60 tcp=40 mss=1452 csum=ok",
        "fwd len=60 tcp=40 mss=9000 csum=ok"),
    "v6-ao-mss-9000": ("tcp-ao-untouched",
        "fwd len=80 tcp=40 mss=1432 csum=ok",
        "fwd len=80 tcp=40 mss=9000 csum=ok"),
    "v4-ao-synack-mss-9000": ("tcp-ao-untouched",
        "fwd len=60 tcp=40 mss=1452 csum=ok",
        "fwd len=60 tcp=40 mss=9000 csum=ok"),
    "v6-ao-synack-mss-9000": ("tcp-ao-untouched",
        "fwd len=80 tcp=40 mss=1432 csum=ok",
        "fwd len=80 tcp=40 mss=9000 csum=ok"),
    "v4-ao-no-mss": ("tcp-ao-untouched",
        "fwd len=60 tcp=40 mss=536 csum=ok",
        "fwd len=56 tcp=36 mss=none csum=ok"),
    "v6-ao-no-mss": ("tcp-ao-untouched",
        "fwd len=80 tcp=40 mss=1220 csum=ok",
        "fwd len=76 tcp=36 mss=none csum=ok"),
    "v4-md5-no-mss": ("tcp-md5-no-insert",
        "fwd len=64 tcp=44 mss=536 csum=ok",
        "fwd len=60 tcp=40 mss=none csum=ok"),
    "v6-md5-no-mss": ("tcp-md5-no-insert",
        "fwd len=84 tcp=44 mss=1220 csum=ok",
        "fwd len=80 tcp=40 mss=none csum=ok"),
}


def locate_tcp(pkt):
    """(family, offset of the TCP header or None, why not, offset of the
    fragmentable part if this is a first fragment with more to come, else None)."""
    family = pkt[0] >> 4 if pkt else 0
    if family == 4:
        ihl = (pkt[0] & 0xf) * 4
        frag = struct.unpack("!H", pkt[6:8])[0]
        if frag & 0x1fff:
            return 4, None, "non-first-fragment", None
        off, proto = ihl, pkt[9]
        if proto == 51:  # AH: length in 32-bit words minus 2
            proto, off = pkt[off], off + (pkt[off + 1] + 2) * 4
        if proto != 6:
            return 4, None, "proto-%d" % proto, None
        return 4, off, None, ihl if frag & 0x2000 else None
    if family == 6:
        # ipv6_skip_exthdr(), bounded
        nh, off, fragmentable = pkt[6], 40, None
        for _ in range(16):
            if nh in (0, 43, 60):
                nh, off = pkt[off], off + (pkt[off + 1] + 1) * 8
            elif nh == 44:
                fo = struct.unpack("!H", pkt[off + 2:off + 4])[0]
                if fo & 0xfff8:
                    return 6, None, "non-first-fragment", None
                nh, off = pkt[off], off + 8
                fragmentable = off if fo & 1 else None
            elif nh == 51:
                nh, off = pkt[off], off + (pkt[off + 1] + 2) * 4
            else:
                break
        if nh != 6:
            return 6, None, "next-header-%d" % nh, None
        return 6, off, None, fragmentable
    return family, None, "not-ip", None


def option_walks(opts):
    """(MSS values a receiver reads, where it stopped early or None,
    MSS values the kernel's walk finds behind that stop)."""
    read, stop, i = [], None, 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            stop = "eol@%d" % (20 + i)
            break
        if kind == 1:
            i += 1
            continue
        if len(opts) - i < 2 or opts[i + 1] < 2 or opts[i + 1] > len(opts) - i:
            stop = "bad-option@%d" % (20 + i)
            break
        if kind == 2 and opts[i + 1] == 4:
            read.append(struct.unpack("!H", opts[i + 2:i + 4])[0])
        i += opts[i + 1]
    behind = []
    if stop is not None:
        # the kernel's optlen() walk, from where the receiver stopped
        while i <= len(opts) - 4:
            if opts[i] == 2 and opts[i + 1] == 4:
                behind.append(struct.unpack("!H", opts[i + 2:i + 4])[0])
            i += 1 if opts[i] <= 1 or opts[i + 1] == 0 else opts[i + 1]
    return read, stop, behind


def summarize(pkt, rest):
    """What a receiver would see in pkt, as one line."""
    if pkt is None:
        return "dropped"
    try:
        family, off, why, fragmentable = locate_tcp(pkt)
    except (IndexError, struct.error):
        return "fwd len=%d unparseable" % len(pkt)
    out = ["fwd", "len=%d" % len(pkt)]
    if family == 4 and checksum(pkt[:(pkt[0] & 0xf) * 4]) != 0:
        out.append("ip-csum=bad")
    if off is None:
        out.append(why)
        return " ".join(out)
    if fragmentable is not None and (len(pkt) - fragmentable) % 8:
        # RFC 791, RFC 8200 4.5: every fragment but the last carries a multiple
        # of 8 bytes; Linux drops (IPv6) or trims (IPv4) any other
        out.append("fragment-data=%d-not-multiple-of-8" % (len(pkt) - fragmentable))
    seg = pkt[off:]
    if len(seg) < 20:
        out.append("tcp=truncated(%d)" % len(seg))
        return " ".join(out)
    hlen = (seg[12] >> 4) * 4
    if hlen < 20 or hlen > len(seg):
        out.append("tcp=bad-doff(%d/%d)" % (hlen, len(seg)))
        return " ".join(out)
    out.append("tcp=%d" % hlen)
    read, stop, behind = option_walks(seg[20:hlen])
    out.append("mss=" + (",".join(str(v) for v in read) or "none"))
    if stop:
        out.append("stop=" + stop)
    if behind:
        out.append("behind-stop=" + ",".join(str(v) for v in behind))
    whole = seg + bytes.fromhex(rest)
    if fragmentable is not None and not rest:
        out.append("csum=n/a")
    else:
        if family == 4:
            pseudo = pseudo_header(pkt[12:16], pkt[16:20], 6, len(whole))
        else:
            pseudo = pseudo_header(pkt[8:24], pkt[24:40], 6, len(whole))
        out.append("csum=" + ("ok" if ones_sum(pseudo + whole) == 0xffff else "bad"))
    return " ".join(out)


def first_difference(a, b):
    if a is None or b is None:
        return None
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return "byte %d: kernel %02x engine %02x" % (i, a[i], b[i])
    return "length: kernel %d engine %d" % (len(a), len(b)) if len(a) != len(b) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--engine", required=True)
    ap.add_argument("--engine-log", required=True)
    ap.add_argument("--kernel", action="append", required=True, metavar="BACKEND=PCAP")
    args = ap.parse_args()

    with open(args.meta) as f:
        meta = json.load(f)
    corpus = read_pcap(args.corpus)
    engine = read_pcap(args.engine)
    with open(args.engine_log) as f:
        actions = [line.split() for line in f]
    if not (len(meta) == len(corpus) == len(engine) == len(actions)):
        print("FAIL: corpus %d, meta %d, engine %d packets, engine log %d lines"
              % (len(corpus), len(meta), len(engine), len(actions)))
        print("0 passed, 1 failed")
        return 1
    for m in meta:
        if m["name"] in DELIBERATE:
            m["deliberate"] = DELIBERATE[m["name"]]
    unknown = set(DELIBERATE) - {m["name"] for m in meta}
    unknown |= {name for name, d in DELIBERATE.items() if d[0] not in REASONS}

    passed = failed = 0
    seen = {}
    for spec in args.kernel:
        backend, path = spec.split("=", 1)
        captured = {}
        for pkt in read_pcap(path):
            key = packet_key(pkt)
            if key is not None:
                captured[key] = pkt
        print("== backend %s: %d of %d corpus packets reached the server"
              % (backend, sum(1 for m in meta if m["key"] in captured), len(meta)))
        for i, m in enumerate(meta):
            kpkt = captured.get(m["key"])
            epkt = engine[i]
            ksum = summarize(kpkt, m["rest"])
            esum = summarize(epkt, m["rest"])
            action = actions[i][1] + ("" if actions[i][2] == "ok" else "/" + actions[i][2]) \
                + ("" if actions[i][3] == "none" else "/" + actions[i][3])
            same = ksum == esum and normalise(kpkt) == normalise(epkt)
            detail = "" if same else first_difference(normalise(kpkt), normalise(epkt))
            deliberate = m.get("deliberate")
            expect_k = None
            if deliberate is not None:
                expect_k = deliberate[1]
                if isinstance(expect_k, dict):
                    expect_k = expect_k.get(backend)
            if expect_k is None:
                ok = same
                verdict = "PASS" if ok else "FAIL"
                note = ""
            else:
                ok = not same and ksum == expect_k and esum == deliberate[2]
                verdict = "PASS" if ok else "FAIL"
                note = " [deliberate: %s]" % deliberate[0] if ok else \
                    " [listed deliberate difference did not happen as listed: expected kernel " \
                    "'%s', engine '%s']" % (expect_k, deliberate[2])
            print("%s %-8s %-40s kernel: %s" % (verdict, backend, m["name"], ksum))
            print("  %-47s engine: %s  (%s)%s%s" % ("", esum, action,
                  "; " + detail if detail else "", note))
            if ok:
                passed += 1
                if expect_k is not None:
                    seen.setdefault(deliberate[0], set()).add(m["name"])
            else:
                failed += 1
    print("== deliberate differences (kernel vs engine), each seen as listed:")
    for tag, text in REASONS.items():
        print("- %s (%s):\n    %s" % (tag, ", ".join(sorted(seen.get(tag, ()))) or "not seen", text))
    for name in sorted(unknown):
        print("FAIL deliberate difference for unknown case %s" % name)
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

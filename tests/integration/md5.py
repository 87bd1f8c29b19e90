#!/usr/bin/python3
"""md5.py: a real Linux TCP-MD5 connection (RFC 2385), for signed.sh.

  md5.py serve ADDR PORT PEER KEY BYTES
      listens on ADDR:PORT with the key for PEER, accepts one connection and
      sends BYTES bytes; prints how many went
  md5.py fetch ADDR PORT KEY
      connects to ADDR:PORT with the key for ADDR and prints how many bytes
      arrived before the peer closed

Both ends set TCP_MD5SIG (struct tcp_md5sig: the peer's sockaddr_storage,
flags, prefix length, key length, ifindex, an 80-byte key), so every segment
is signed and a SYN whose data offset changed on the way is dropped. Bounded:
every socket has a timeout.
"""
import socket
import struct
import sys

TCP_MD5SIG = 14        # linux/tcp.h
TIMEOUT = 15


def sockaddr_storage(addr):
    """struct sockaddr_in or sockaddr_in6 for addr, port 0, padded to 128 bytes."""
    if ":" in addr:
        raw = struct.pack("=H", socket.AF_INET6) + struct.pack("!HI", 0, 0) + \
            socket.inet_pton(socket.AF_INET6, addr) + struct.pack("=I", 0)
    else:
        raw = struct.pack("=H", socket.AF_INET) + struct.pack("!H", 0) + \
            socket.inet_pton(socket.AF_INET, addr)
    return raw + b"\0" * (128 - len(raw))


def sign(sock, peer, key):
    key = key.encode()
    md5sig = sockaddr_storage(peer) + struct.pack("=BBHi", 0, 0, len(key), 0) + \
        key + b"\0" * (80 - len(key))
    sock.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, md5sig)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(addr, port, peer, key, count):
    with socket.socket(family_of(addr), socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(TIMEOUT)
        sign(s, peer, key)
        s.bind((addr, port))
        s.listen(1)
        conn, _ = s.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            sent = 0
            chunk = b"\x5a" * 65536
            try:
                while sent < count:
                    sent += conn.send(chunk[:min(len(chunk), count - sent)])
            except OSError:
                pass
    print(sent)


def fetch(addr, port, key):
    got = 0
    with socket.socket(family_of(addr), socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        sign(s, addr, key)
        try:
            s.connect((addr, port))
            while True:
                data = s.recv(65536)
                if not data:
                    break
                got += len(data)
        except OSError:
            pass
    print(got)


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]))
    elif len(sys.argv) == 5 and sys.argv[1] == "fetch":
        fetch(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

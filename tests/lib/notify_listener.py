#!/usr/bin/python3
"""A systemd notify socket, as the tests listen to it.

notify_listener.py SOCKET LOG SECONDS [--times] [--at-ready NAME COMMAND...]

Binds SOCKET and writes each datagram to LOG on one line, newlines inside
it shown as '|', for SECONDS at most; with --times each line starts with
its arrival in milliseconds since the epoch. With --at-ready, the first
READY=1 runs COMMAND at once and records "NAME=yes" if it succeeded, else
"NAME=no": what held when the daemon said it was ready."""
import socket
import subprocess
import sys
import time

path, log_path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
args = sys.argv[4:]
times = "--times" in args
at_ready = args[args.index("--at-ready") + 1:] if "--at-ready" in args else []

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
deadline = time.time() + seconds
with open(log_path, "w", buffering=1) as log:
    while time.time() < deadline:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        text = data.decode(errors="replace")
        stamp = "%d " % (time.time() * 1000) if times else ""
        log.write(stamp + text.replace("\n", "|") + "\n")
        if at_ready and text.startswith("READY=1"):
            held = subprocess.run(at_ready[1:], capture_output=True).returncode == 0
            log.write("%s=%s\n" % (at_ready[0], "yes" if held else "no"))
            at_ready = []

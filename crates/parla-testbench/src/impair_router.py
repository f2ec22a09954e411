"""A userspace stand-in for `tc netem` (this kernel has no netem qdisc).

Creates one TUN device in each of two network namespaces (given as /proc/PID/fd/N paths of
their nsfs files), gives them 10.77.0.1/24 and 10.77.0.2/24, and moves IP packets between
them. RTP packets (UDP, version 2, not an RTCP type) are impaired per direction with a
random.Random(seed): loss, then a delay of `delay` +- `jitter` ms (uniform, so packets
overtake each other as with netem), or netem-style reordering (`reorder`: that share of
packets goes at once, the others wait `delay`). Everything else (SIP, RTCP) passes at once.

Prints "ready" once both devices are up; writes per-direction counts as JSON to --stats
every 200 ms and on SIGTERM.
"""

import argparse
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def make_tun(ns_path, name, addr):
    setns(ns_path)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    subprocess.run(["ip", "addr", "add", f"{addr}/24", "dev", name], check=True)
    subprocess.run(["ip", "link", "set", name, "up"], check=True)
    return fd


def rtp_seq(pkt):
    """The RTP sequence number if `pkt` is an IPv4 UDP datagram carrying RTP, else None."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 17:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    payload = pkt[ihl + 8 :]
    if len(payload) < 12 or payload[0] >> 6 != 2 or 72 <= (payload[1] & 0x7F) <= 76:
        return None
    return struct.unpack("!H", payload[2:4])[0]


class Direction:
    def __init__(self, name, args):
        self.name = name
        self.rng = random.Random(args.seed)
        self.args = args
        self.stats = {"rtp": 0, "dropped": 0, "delivered": 0, "reordered": 0, "other": 0}
        self.highest = None

    def schedule(self, pkt, now):
        """When to deliver `pkt` (seconds, monotonic), or None to drop it."""
        seq = rtp_seq(pkt)
        if seq is None:
            self.stats["other"] += 1
            return now, None
        self.stats["rtp"] += 1
        a = self.args
        if self.rng.random() < a.loss / 100.0:
            self.stats["dropped"] += 1
            return None, seq
        if a.reorder > 0:
            wait = 0.0 if self.rng.random() < a.reorder / 100.0 else a.delay
        else:
            wait = max(0.0, a.delay + self.rng.uniform(-a.jitter, a.jitter))
        return now + wait / 1000.0, seq

    def delivered(self, seq):
        if seq is None:
            return
        self.stats["delivered"] += 1
        if self.highest is not None and ((self.highest - seq) & 0xFFFF) < 0x8000 and seq != self.highest:
            self.stats["reordered"] += 1
        elif self.highest is None or ((seq - self.highest) & 0xFFFF) < 0x8000:
            self.highest = seq


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ns-a", required=True)
    p.add_argument("--ns-b", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--loss", type=float, default=0.0, help="percent")
    p.add_argument("--delay", type=float, default=0.0, help="ms")
    p.add_argument("--jitter", type=float, default=0.0, help="ms, +- around delay")
    p.add_argument("--reorder", type=float, default=0.0, help="percent sent at once")
    p.add_argument("--stats", required=True)
    args = p.parse_args()

    fd_a = make_tun(args.ns_a, "imp0", "10.77.0.1")
    fd_b = make_tun(args.ns_b, "imp1", "10.77.0.2")
    dirs = {fd_a: (Direction("a_to_b", args), fd_b), fd_b: (Direction("b_to_a", args), fd_a)}

    def write_stats():
        tmp = args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({d.name: d.stats for d, _ in dirs.values()}, f)
        os.replace(tmp, args.stats)

    def on_term(_sig, _frame):
        write_stats()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)

    queue = []  # (due, order, out_fd, packet, direction, seq)
    order = 0
    next_stats = time.monotonic()
    while True:
        now = time.monotonic()
        timeout = 0.2
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - now))
        readable, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            direction, out = dirs[fd]
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                due, seq = direction.schedule(pkt, now)
                if due is not None:
                    heapq.heappush(queue, (due, order, out, pkt, direction, seq))
                    order += 1
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, pkt, direction, seq = heapq.heappop(queue)
            try:
                os.write(out, pkt)
            except OSError:
                pass
            direction.delivered(seq)
        if now >= next_stats:
            write_stats()
            next_stats = now + 0.2


if __name__ == "__main__":
    main()

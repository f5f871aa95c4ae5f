#!/usr/bin/env python3
# tests/fuzz/net_msg_seeds.py — writes the seeds of the fuzz targets of the
# transport's own messages: tests/fuzz/corpus/cnet_ctl/ (control messages,
# net/cnet_ctl_wire.h) and corpus/member_hello/ (a mode byte, then a HELLO,
# net/member_wire.h; see tests/fuzz/fuzz_member_hello.c). Run from anywhere;
# the seeds are small and checked in.
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
EXIT, CONSOLE = 1, 2


def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def ctl(kind, status, text=b""):
    return struct.pack(">IiI", kind, status, len(text)) + text


write("cnet_ctl", "exit", ctl(EXIT, 0))
write("cnet_ctl", "exit_status", ctl(EXIT, 3))
write("cnet_ctl", "console", ctl(CONSOLE, 0, b"unum: node 1 says hello\n"))
write("cnet_ctl", "console_empty", ctl(CONSOLE, 0))


def hello(mac, origin, in_view, cpus, mem_mb, runnable, util, threads,
          free_mb, faults):
    h = struct.pack(">I6sBBHIIHHII", 0x554E4831, mac, origin, in_view, cpus,
                    mem_mb, runnable, util, threads, free_mb, faults)
    assert len(h) == 34
    return h


MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
OTHER = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x57])
# mode 0: the frame came from MAC; mode 1: from the HELLO's own mac field
write("member_hello", "join", b"\0" + hello(MAC, 1, 0, 4, 512, 0, 0, 0, 480, 0))
write("member_hello", "heartbeat",
      b"\1" + hello(OTHER, 0, 1, 2, 256, 3, 750, 5, 100, 1200))

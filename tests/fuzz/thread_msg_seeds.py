#!/usr/bin/env python3
"""Writes seeds for build/fuzz/thread_msg: one valid message of each kind
(layouts of sched/thread_msg.h) into tests/fuzz/corpus/thread_msg/."""
import os
import struct

out = os.path.join(os.path.dirname(__file__), "corpus", "thread_msg")
os.makedirs(out, exist_ok=True)
fpu = bytearray(512)
fpu[24:28] = struct.pack("<I", 0x1F80)
seeds = {
    "spawn": struct.pack("<IIQQQ", 1, 8, 0xFFFFFFFF80100010, 0x100000001000, 0x100000001000)
    + struct.pack("<Q", 1).ljust(128, b"\0"),
    "migrate": struct.pack("<IIQQ", 2, 7, 0x100000001000, 0x100000001000)
    + struct.pack("<15Q", *range(15))
    + struct.pack("<QQQQ", 0xFFFFFFFF80100010, 0x246, 0x108000000FF8, 123)
    + struct.pack("<4Q", 0x3, 0, 0, 0)
    + bytes(fpu),
    "shed": struct.pack("<Ii", 5, 1),
    "arrived": struct.pack("<IIQ", 6, 7, 123),
    "where": struct.pack("<IIiI", 7, 7, 2, 0),
    "policy": struct.pack("<I", 8) + b"least_loaded".ljust(32, b"\0"),
    "aff_req": struct.pack("<II4Q", 7, 0, 0x5, 0, 0, 0),
    "signal": struct.pack("<IIQ", 9, 7, 0xFFFFFFFF80100010),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)

#!/usr/bin/env python3
# tests/fuzz/cnet_seeds.py — writes the seed inputs of the cluster-transport
# fuzz targets into tests/fuzz/corpus/cnet_frame/ and corpus/cnet_rel/. Run
# from the repo root; the seeds are small and checked in.
#
# cnet_frame seeds: a mode byte (bit 0: the fuzzer recomputes the MAC, so
# these frames need none; bits 1-2: our node id 0/1/3/NONE) and a frame.
# cnet_rel seeds: scripts of operations (see tests/fuzz/fuzz_cnet_rel.c).
import os
import struct

ETH = b"\0" * 12 + b"\x88\xb5"
DATA, ACK, HELLO, DGRAM = 1, 2, 4, 8


def frame(flags, service=0, src_epoch=0x11223344, dst_epoch=0x5E1F5E1F,
          src=0, dst=1, fidx=0, fcnt=0, seq=0, ack=0, sack=0, window=0,
          msg_len=0, payload=b""):
    hdr = struct.pack(">BBHIIIHHHHIIQIIHHIQ", 1, flags, service, 0x554E554D,
                      src_epoch, dst_epoch, src, dst, fidx, fcnt, seq, ack,
                      sack, window, msg_len, len(payload), 0, 0, 0)
    assert len(hdr) == 64
    return ETH + hdr + payload


def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


d = "tests/fuzz/corpus/cnet_frame"
write(d, "data.bin", b"\x03" + frame(DATA | ACK, 7, fcnt=1, seq=1, ack=1,
                                    window=65536, msg_len=5,
                                    payload=b"hello"))
write(d, "frag.bin", b"\x03" + frame(DATA | ACK, 7, fidx=1, fcnt=3, seq=9,
                                    ack=1, window=65536, msg_len=3000,
                                    payload=b"x" * 1000))
write(d, "ack.bin", b"\x03" + frame(ACK, seq=4, ack=2, sack=5, window=100))
write(d, "hello.bin", b"\x03" + frame(HELLO, dst_epoch=0, window=262144))
write(d, "dgram_bcast.bin", b"\x07" + frame(DGRAM, 3, src=0xFFFF, dst=0xFFFE,
                                           fcnt=1, msg_len=4,
                                           payload=b"beat"))
write(d, "unsealed.bin", b"\x02" + frame(DATA | ACK, 7, fcnt=1, msg_len=1,
                                        payload=b"z"))
write(d, "ipv4.bin", b"\x00" + b"\0" * 12 + b"\x08\x00" + b"\x45" * 40)

d = "tests/fuzz/corpus/cnet_rel"
# HELLO from node 0 (epoch choice 0, to our epoch, window 16384).
hello0 = bytes([1, 0, 3, 0, 0, 0]) + struct.pack("<H", 4096)
# A whole message from node 0: 4096 bytes in fragments of 1024.
msg0 = bytes([4, 0]) + struct.pack("<HH", 4096, 1024) + b"\x00"
msg0_rev = bytes([4, 0]) + struct.pack("<HH", 5000, 700) + b"\x01"
msg0_hole = bytes([4, 0]) + struct.pack("<HH", 3000, 1000) + b"\x02"
tick = bytes([5]) + struct.pack("<H", 30000)
send0 = bytes([6, 1]) + struct.pack("<H", 3000)
write(d, "hello_msg.bin", hello0 + msg0)
write(d, "reorder.bin", hello0 + msg0_rev + msg0)
write(d, "hole_then_timer.bin", hello0 + msg0_hole + tick + msg0 + tick)
write(d, "send_and_retransmit.bin", hello0 + send0 + tick + tick + tick)
# A reboot of node 0 (second epoch), then stale frames of the first.
hello0b = bytes([1, 0, 3, 1, 0, 0]) + struct.pack("<H", 4096)
write(d, "reboot.bin", hello0 + send0 + hello0b + msg0 + hello0 + msg0)
write(d, "fence.bin", hello0 + msg0 + bytes([7, 0]) + msg0 + hello0b)
write(d, "raw.bin", bytes([0]) + struct.pack("<H", 20) + b"\x88" * 20)
write(d, "dgram.bin", bytes([8, 1]) + struct.pack("<H", 100))

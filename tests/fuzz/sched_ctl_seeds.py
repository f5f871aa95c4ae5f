#!/usr/bin/env python3
# tests/fuzz/sched_ctl_seeds.py — writes the seed inputs of the live-control
# fuzz targets into tests/fuzz/corpus/sched_ctl_req/ and
# corpus/unumctl_reply/ (layouts: sched/control_wire.h). Run from the repo
# root; the seeds are small and checked in.
#
# sched_ctl_req seeds: requests as a node receives them.
# unumctl_reply seeds: a mode byte 1 (the fuzzer seals the rest into an
# authentic frame) and a reply payload.
import os
import struct

MAC = bytes([2, 0x11, 0x22, 0x33, 0x44, 0x55])


def req(op, req_id, target=0, first=0, tid=0, node=0, arg=b""):
    return struct.pack(">IBBHI6sHIIHH", 0x554E4351, 1, op, target, req_id,
                       MAC, first, tid, node, len(arg), 0) + arg


def rec(node, policy, alive=1, reported=1):
    return struct.pack(">H6sBBHIIIIQQQQQ16sI", node, bytes([0x52, 0x54, 0, 0, 1, node]),
                       alive, reported, 1, 3, 11, 252, 247, 54, 1, 2, 3, 284,
                       policy.ljust(16, b"\0"), 0)


def rep(op, req_id, node=0, status=0, nodes=0, first=0, recs=(), text=b""):
    body = b"".join(recs)
    return struct.pack(">IBBHIiHHHH", 0x554E4352, 1, op, node, req_id, status,
                       nodes, first, len(recs), len(text)) + body + text


def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


d = "tests/fuzz/corpus/sched_ctl_req"
write(d, "status", req(1, 1))
write(d, "status_page", req(1, 2, target=1, first=13))
write(d, "policy_rr", req(2, 3, arg=b"round_robin"))
write(d, "policy_keys", req(2, 4, arg=b"least_loaded sched.least_loaded.threshold=500"))
write(d, "policy_bad", req(2, 5, arg=b"x  k= =v"))
write(d, "migrate", req(3, 6, tid=5, node=1))

d = "tests/fuzz/corpus/unumctl_reply"
write(d, "status", b"\x01" + rep(1, 1, nodes=2, recs=(rec(0, b"local"), rec(1, b"round_robin"))))
write(d, "status_noreport", b"\x01" + rep(1, 1, nodes=3, first=2, recs=(rec(2, b"", 0, 0),)))
write(d, "policy_ok", b"\x01" + rep(2, 3, text=b"policy round_robin in force on 2 node(s)"))
write(d, "policy_err", b"\x01" + rep(2, 3, status=-22, text=b"unknown policy 'nosuch'"))
write(d, "migrate", b"\x01" + rep(3, 6, node=1, status=-88))

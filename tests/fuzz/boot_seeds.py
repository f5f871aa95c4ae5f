#!/usr/bin/env python3
# tests/fuzz/boot_seeds.py — writes the seed inputs of the boot/ fuzz targets
# into tests/fuzz/corpus/mb2/ and tests/fuzz/corpus/pvh/. Run from the repo
# root; the seeds are small and checked in, so this only needs re-running
# when the formats' coverage should change.
import os
import struct


def mb2_tag(typ, payload):
    t = struct.pack("<II", typ, 8 + len(payload)) + payload
    return t + b"\0" * (-len(t) % 8)


def mb2_info(tags):
    body = b"".join(tags) + mb2_tag(0, b"")
    return struct.pack("<II", 8 + len(body), 0) + body


def mb2_mmap(entries):
    p = struct.pack("<II", 24, 0)
    for base, length, typ in entries:
        p += struct.pack("<QQII", base, length, typ, 0)
    return mb2_tag(6, p)


QEMU_MAP = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
            (0x100000, 0x7EE0000, 1), (0x7FE0000, 0x20000, 2),
            (0xFFFC0000, 0x40000, 2)]


def mb2_seeds():
    rsdp2 = b"RSD PTR \x42BOCHS \x02" + bytes(27)
    fb = struct.pack("<QIIIBBH", 0xFD000000, 4096, 1024, 768, 32, 1, 0)
    grub = mb2_info([
        mb2_tag(1, b"console=ttyS0 unum.node=1\0"),
        mb2_tag(2, b"GRUB 2.06\0"),
        mb2_tag(3, struct.pack("<II", 0x200000, 0x201000) + b"config\0"),
        mb2_tag(3, struct.pack("<II", 0x300000, 0x340000) + b"app.elf\0"),
        mb2_tag(4, struct.pack("<II", 639, 130048)),
        mb2_mmap(QEMU_MAP),
        mb2_tag(8, fb),
        mb2_tag(14, rsdp2[:20]),
        mb2_tag(15, rsdp2),
    ])
    overlap = mb2_info([mb2_mmap([(0x5000, 0x3000, 1), (0x6000, 0x1000, 2),
                                  (0x1000, 0x1000, 4), (0x1800, 0x100, 5),
                                  (0x7000, 0x9000, 1)])])
    return {"grub": grub, "minimal": mb2_info([]), "overlap": overlap}


def pvh_blob(version, cmdline, modules, rsdp, memmap):
    """Start info at offset 0; what it points to follows (addresses are
    offsets in the blob, as the fuzzer's phys_read serves them)."""
    hdr = 56 if version else 40
    data = b""
    cmd_at = hdr + len(data)
    data += cmdline
    names = []
    for _, _, name in modules:
        names.append(hdr + len(data) if name else 0)
        data += name
    data += b"\0" * (-(hdr + len(data)) % 8)
    mod_at = hdr + len(data)
    for (base, size, _), name_at in zip(modules, names):
        data += struct.pack("<QQQQ", base, size, name_at, 0)
    map_at = hdr + len(data)
    for base, length, typ in memmap:
        data += struct.pack("<QQII", base, length, typ, 0)
    si = struct.pack("<IIIIQQQQII", 0x336EC578, version, 0, len(modules),
                     mod_at if modules else 0, cmd_at, rsdp,
                     map_at if memmap else 0, len(memmap), 0)
    return si[:hdr] + data


def pvh_seeds():
    mods = [(0x800000, 0x1234, b"initrd\0"), (0x900000, 0x10, b"")]
    return {
        "qemu": pvh_blob(1, b"console=ttyS0\0", mods, 0xF5A80, QEMU_MAP),
        "v0": pvh_blob(0, b"quiet\0", [(0x800000, 0x10, b"")], 0xE0000, []),
        "nomods": pvh_blob(1, b"\0", [], 0, QEMU_MAP[:2]),
    }


def main():
    for kind, seeds in (("mb2", mb2_seeds()), ("pvh", pvh_seeds())):
        d = os.path.join("tests", "fuzz", "corpus", kind)
        os.makedirs(d, exist_ok=True)
        for name, blob in seeds.items():
            with open(os.path.join(d, name + ".bin"), "wb") as f:
                f.write(blob)


if __name__ == "__main__":
    main()

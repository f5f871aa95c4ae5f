#!/usr/bin/env python3
# tests/fuzz/efi_seeds.py — writes the seed inputs of the efi_loader fuzz
# target into tests/fuzz/corpus/efi_loader/. The first byte of an input picks
# the check (0 loader.conf, 1 kernel ELF, 2 memory map; see
# tests/fuzz/fuzz_efi_loader.c). Run from the repo root; the seeds are small
# and checked in.
import os
import struct

OUT = "tests/fuzz/corpus/efi_loader"


def conf():
    return (b"\0# loader.conf\nkernel=/unum.elf\n"
            b"cmdline=test.mode=1 ktest=all\ncmdline=log.level=debug\n"
            b"module=\\unum.cfg config\nmodule=/data.bin\nerror_wait=3\n")


def elf():
    """A kernel shaped like Unum's: a boot segment holding the Xen and Unum
    notes, a text segment, and a PT_NOTE header for the notes."""
    notes = struct.pack("<III4sQ", 4, 8, 18, b"Xen\0", 0x100020)
    notes += struct.pack("<III8sQ", 5, 8, 0x100, b"Unum\0\0\0\0", 0x100010)
    note_off = 0x200
    ph = [
        (1, 7, 0x200, 0x100000, 0x100, 0x3000),
        (4, 4, note_off, 0x100000, len(notes), len(notes)),
        (1, 5, 0x300, 0x200000, 0x40, 0x1000),
    ]
    eh = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x100020, 64, 0, 0, 64,
                      56, len(ph), 64, 0, 0)
    body = eh
    for typ, flags, off, pa, fsz, msz in ph:
        body += struct.pack("<IIQQQQQQ", typ, flags, off,
                            pa | 0xffffffff80000000, pa, fsz, msz, 0x1000)
    body = body.ljust(note_off, b"\0") + notes
    body = body.ljust(0x340, b"\xcc")
    return b"\1" + body


def mmap():
    descs = [(3, 0, 1), (7, 0x1000, 0x9f), (7, 0x100000, 0x700),
             (1, 0x800000, 0x10), (0x80554E55, 0x810000, 3),
             (2, 0x813000, 1), (4, 0x814000, 0x7EC), (9, 0x1000000, 0x10),
             (10, 0x1010000, 0x10), (6, 0x1020000, 0x10),
             (11, 0xFFC00000, 0x400)]
    b = b""
    for typ, base, pages in descs:
        b += struct.pack("<IIQQQQ", typ, 0, base, 0, pages, 0xF) + b"\0" * 8
    return b"\2" + bytes([8]) + b  # 40 + 8 = 48-byte descriptors, as OVMF


os.makedirs(OUT, exist_ok=True)
for name, data in (("conf.bin", conf()), ("elf.bin", elf()),
                   ("mmap.bin", mmap())):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)

#!/bin/sh
# tests/fuzz/cpio_seeds.sh — remakes the seed corpus of the initrd fuzz
# target (tests/fuzz/corpus/cpio/) with GNU cpio from a small temp tree:
# directories, an empty file, a hard link (newc puts its data on the last
# name), fixed times and owners so the output is the same on every run.
# test_vfs_initrd.c reads gnu_newc.cpio back and checks every byte of it.
set -eu
out=$(cd "$(dirname "$0")" && pwd)/corpus/cpio
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir -p sub/deeper
printf 'hello, world\n' > sub/hello.txt
printf 'top\n' > top.txt
ln top.txt link.txt
: > empty
printf 'x' > sub/deeper/one
chmod 0755 . sub sub/deeper
chmod 0644 sub/hello.txt top.txt empty sub/deeper/one
touch -h -d @1234567890 sub/deeper/one sub/deeper sub/hello.txt sub \
	top.txt link.txt empty .
mkdir -p "$out"
for fmt in newc crc; do
	find . | LC_ALL=C sort |
		cpio -o -H $fmt --reproducible --owner=0:0 --quiet \
			> "$out/gnu_$fmt.cpio"
done
# one file, and nothing but the trailer
printf 'x' > "$tmp/one" && touch -d @0 "$tmp/one"
(cd "$tmp" && echo one | cpio -o -H newc --reproducible --owner=0:0 \
	--quiet) > "$out/one_file.cpio"
: | cpio -o -H newc --reproducible --quiet > "$out/empty.cpio"

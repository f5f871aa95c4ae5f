# bench/linux/lib.sh: helpers shared by the Linux baseline scripts
# (mkinitramfs, run-guest, udp-bench). Sourced, not run.
# shellcheck shell=bash

# Where tools/setup unpacks (never installs) Debian's kernel package for the
# guest: boot/vmlinuz-VERSION and lib/modules/VERSION.
BENCH_LINUX_GUEST=${UNUM_CACHE:-/var/cache/unum}/linux-guest

# The guest's kernel: $BENCH_LINUX_KERNEL if set, else the newest
# $BENCH_LINUX_GUEST/boot/vmlinuz-* by version (Debian's linux-image-amd64,
# unpacked by tools/setup). Prints its path; fails with a message naming
# what is missing.
bench_linux_vmlinuz() {
	local k
	if [ -n "${BENCH_LINUX_KERNEL:-}" ]; then
		if [ ! -f "$BENCH_LINUX_KERNEL" ] || [ ! -r "$BENCH_LINUX_KERNEL" ]; then
			echo "BENCH_LINUX_KERNEL='$BENCH_LINUX_KERNEL' is not a readable file" >&2
			return 1
		fi
		printf '%s\n' "$BENCH_LINUX_KERNEL"
		return 0
	fi
	k=$(find "$BENCH_LINUX_GUEST/boot" -maxdepth 1 -name 'vmlinuz-*' -type f -readable 2>/dev/null |
		sort -V | tail -n 1)
	if [ -z "$k" ]; then
		echo "no Linux kernel $BENCH_LINUX_GUEST/boot/vmlinuz-* found: run" \
			"tools/setup (it unpacks Debian's linux-image-amd64) or set BENCH_LINUX_KERNEL" >&2
		return 1
	fi
	printf '%s\n' "$k"
}

# The version of a kernel image from its file name: .../vmlinuz-6.1.0-56-amd64
# gives 6.1.0-56-amd64; any other name gives nothing.
bench_linux_kver() {
	local b
	b=$(basename "$1")
	case $b in
	vmlinuz-?*) printf '%s\n' "${b#vmlinuz-}" ;;
	*) ;;
	esac
}

# QEMU's CPU and accelerator options, the same as tools/unum-run chooses for
# Unum ($UNUM_ACCEL: tcg by default, kvm on request) so both systems run in
# the same configuration. Appends to the array named by $1; $2 is the CPU
# count.
bench_linux_accel_args() {
	local -n _out=$1
	local cpus=$2
	case ${UNUM_ACCEL:-tcg} in
	tcg)
		if [ "$cpus" -gt 1 ]; then
			_out+=(-accel "tcg,thread=multi")
		else
			_out+=(-accel tcg)
		fi
		_out+=(-cpu qemu64)
		;;
	kvm)
		# The software KVM of nested hosts rejects -cpu host/max.
		_out+=(-accel kvm -cpu "qemu64,-pni")
		;;
	*)
		echo "UNUM_ACCEL='${UNUM_ACCEL}': use tcg or kvm" >&2
		return 1
		;;
	esac
}

# Wall-clock time in microseconds (bash 5's EPOCHREALTIME), for durations.
bench_linux_now_us() { printf '%s\n' "${EPOCHREALTIME/[.,]/}"; }

# bench_linux_has_pvh ELF: whether ELF carries a PVH entry note (Xen note
# type 18, XEN_ELFNOTE_PHYS32_ENTRY), so QEMU's -kernel can boot it directly.
bench_linux_has_pvh() {
	readelf -nW "$1" 2>/dev/null | grep -Eq '^[[:space:]]*Xen[[:space:]].*\(0x00000012\)'
}

# bench_linux_extract_vmlinux BZIMAGE OUT: decompress the kernel ELF inside a
# bzImage into OUT (kept while newer than BZIMAGE; written atomically, so
# guests started at once do not race). Debian's is xz-compressed; gzip is
# tried too. Fails (status 1, no message) when no payload decompresses to an
# ELF with a PVH note.
bench_linux_extract_vmlinux() {
	local bz=$1 out=$2 tmp off magic
	if [ -s "$out" ] && [ "$out" -nt "$bz" ] && bench_linux_has_pvh "$out"; then
		return 0
	fi
	mkdir -p "$(dirname "$out")"
	tmp=$out.tmp.$$
	for magic in xz gzip; do
		case $magic in
		xz) command -v xz >/dev/null || continue ;;
		gzip) command -v gzip >/dev/null || continue ;;
		esac
		# Candidate offsets of the compressed payload, first one first.
		while IFS=: read -r off _; do
			case $magic in
			xz) tail -c +$((off + 1)) "$bz" | xz -dc --single-stream >"$tmp" 2>/dev/null || true ;;
			gzip) tail -c +$((off + 1)) "$bz" | gzip -dc >"$tmp" 2>/dev/null || true ;;
			esac
			if [ "$(head -c 4 "$tmp" | od -An -c | tr -d ' ')" = '177ELF' ] &&
				bench_linux_has_pvh "$tmp"; then
				mv -f "$tmp" "$out"
				return 0
			fi
		done < <(case $magic in
			xz) LC_ALL=C grep -abo $'\xfd7zXZ' "$bz" | head -n 4 ;;
			gzip) LC_ALL=C grep -abo $'\x1f\x8b\x08' "$bz" | head -n 4 ;;
			esac)
	done
	rm -f -- "$tmp"
	return 1
}

#!/usr/bin/env bash
# bench/posix.sh: the POSIX microbenchmark (bench/src/posix_bench.c), the
# same source built for Unum (tools/unum-cc) and for Linux (gcc -static, run
# in the Linux baseline guest, bench/linux/), both booted in the same QEMU
# configuration (CPU model, vCPUs, memory, accelerator) in one run, at -smp 1
# and 2. Prints Unum/Linux ratios (goal: <= 1.0 each) and writes
# bench/results/<date>-<host>-posix.json. `make bench` calls it.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

MEM=512M
out=bench/results/$(date -u +%Y-%m-%d)-$(hostname -s)-posix.json
work=build/bench/posix
mkdir -p "$work"
tools/unum-cc -O2 -o "$work/posix_bench.elf" bench/src/posix_bench.c
make -s build/bench-linux/initramfs.cpio.gz

declare -A U L
for n in 1 2; do
	tools/unum-run --quiet --smp "$n" --mem "$MEM" --log "$work/unum-smp$n.log" \
		--timeout 300 "$work/posix_bench.elf" -- test.mode=1 >/dev/null 2>&1 || true
	while read -r _ name value _; do U[$name.$n]=$value; done \
		< <(tr -d '\r' <"$work/unum-smp$n.log" | grep -E '^bench: ' || true)
	bench/linux/run-guest -n "$n" -m "$MEM" -t 300 --log "$work/linux-smp$n.log" \
		-- /posix_bench >"$work/linux-smp$n.out" 2>&1 || true
	while read -r _ name value _; do L[$name.$n]=$value; done \
		< <(grep -E '^bench: ' "$work/linux-smp$n.out" || true)
done

names="thread_create_join mutex_uncontended cond_pingpong malloc_free_1thread malloc_free_allthreads pipe_pingpong"
rows=()
printf '%-24s %5s %14s %14s %8s\n' benchmark smp "unum ns" "linux ns" ratio
for n in 1 2; do
	for b in $names; do
		u=${U[$b.$n]:-} l=${L[$b.$n]:-}
		ratio=null
		if [ -n "$u" ] && [ -n "$l" ]; then
			ratio=$(awk -v u="$u" -v l="$l" 'BEGIN { printf "%.3f", u / l }')
		fi
		printf '%-24s %5s %14s %14s %8s\n' "$b" "$n" "${u:-n/a}" "${l:-n/a}" "$ratio"
		rows+=("$(printf '{"name": "%s", "smp": %d, "unum_ns": %s, "linux_ns": %s, "ratio": %s}' \
			"$b" "$n" "${u:-null}" "${l:-null}" "$ratio")")
	done
done
{
	printf '{\n  "date": "%s",\n  "machine": {"host": "%s", "cpu": "%s", "nproc": %d, "qemu": "%s", "accel": "%s", "mem": "%s"},\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname -s)" \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
		"$(nproc)" "$(qemu-system-x86_64 --version | head -n1)" "${UNUM_ACCEL:-tcg}" "$MEM"
	printf '  "posix_bench": [\n    '
	first=1
	for r in "${rows[@]}"; do
		[ $first = 1 ] || printf ',\n    '
		printf '%s' "$r"
		first=0
	done
	printf '\n  ]\n}\n'
} >"$out"
echo "saved $out"

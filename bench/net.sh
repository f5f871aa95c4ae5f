#!/usr/bin/env bash
# bench/net.sh: the cluster interconnect against its floor and against Linux,
# in one run, each pair of machines on the same kind of bridge (a Linux
# bridge with MTU 9000 and one tap per guest in a private network namespace,
# virtio-net with host_mtu=9000, the same QEMU CPU model and accelerator):
#   (a) raw frame echo between two Unum nodes, no transport (the floor)
#   (b) Unum echo round trip over the transport, 64 B and 4 KiB bodies
#   (c) Unum streaming: 32 KiB messages from node 0 to node 1, MB/s
#       -- (a) to (c): tools/unum-run -n 2, bench=net (tests/ktest/kb_net.c)
#   (d) Linux UDP ping-pong (64 B and 4 KiB) and stream between two Linux
#       guests: bench/linux/udp-bench
# The Unum pair and the Linux pair take turns NET_REPS times (default 5);
# each value is the median over the reps. Prints every "bench:" line, then
# the ratios (of the medians of the round trips):
#   rpc_over_raw_64, rpc_over_raw_4096      Unum echo / raw echo (goal <= 1.2)
#   rpc_over_linux_64, rpc_over_linux_4096  Unum echo / Linux UDP (goal <= 0.5)
#   stream_over_linux                        Unum MB/s / Linux MB/s
#   remote_spawn_over_rtt_64                 a thread started on node 1 until
#                                            it said so / 64 B echo (goal <= 2)
# and writes bench/results/<date>-<host>-net.json; when bench/run calls it
# (BENCH_RUN_JSON names bench/run's results file) the same object is added
# to that file as "net". Needs root (network namespaces). Exit status 1 if a
# side could not be measured (what was measured is still saved).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

ELF=${UNUM_ELF:-build/unum.elf}
work=build/bench/net
out=bench/results/$(date -u +%Y-%m-%d)-$(hostname -s)-net.json
mkdir -p "$work" bench/results
failed=0

[ "$(id -u)" = 0 ] || { echo "net.sh: needs root (network namespaces, bridges, taps)" >&2; exit 1; }
[ -f "$ELF" ] || { echo "net.sh: $ELF missing (run make)" >&2; exit 1; }

declare -A V # the value of every bench: line, by name: the median over the reps

# collect FILE REP: every "bench: NAME VALUE UNIT" line of FILE, printed with
# its rep and kept in $work/values (NAME VALUE per line, every rep).
collect() {
	local name value unit
	while read -r _ name value unit; do
		[[ $value =~ ^[0-9]+(\.[0-9]+)?$ ]] || continue
		echo "$name $value" >>"$work/values"
		printf 'bench: %s %s %s (rep %s)\n' "$name" "$value" "$unit" "$2"
	done < <(tr -d '\r' <"$1" | grep -E '^bench: ' || true)
}

unum_keys="unum_raw_echo_64_p50 unum_raw_echo_4096_p50 unum_rpc_rtt_64_p50 unum_rpc_rtt_4096_p50
	unum_call_rtt_64_p50 unum_call_rtt_4096_p50 unum_stream unum_remote_spawn_p50 unum_spawn_rtt_64_p50
	unum_local_spawn_p50 unum_mac_4096 unum_copy_4096"

# One rep: the Unum pair, then the Linux pair, each checked for every value.
rep() {
	local r=$1 rc=0 n missing=
	echo "  rep $r/$REPS: Unum, 2 nodes (tools/unum-run -n 2), bench=net ..."
	: >"$work/rep"
	tools/unum-run -n 2 --quiet --log "$work/unum$r.log" --timeout 300 "$ELF" -- bench=net test.mode=1 \
		</dev/null >"$work/unum$r.err" 2>&1 || rc=$?
	tr -d '\r' <"$work/unum$r.log" | grep -E '^bench: ' >"$work/rep" || true
	for n in $unum_keys; do
		grep -q "^bench: $n " "$work/rep" || missing="$missing $n"
	done
	if [ "$rc" != 0 ] || [ -n "$missing" ]; then
		echo "net.sh: rep $r: the Unum side failed (tools/unum-run status $rc; missing:${missing:- none}; logs $work/unum$r*.log, $work/unum$r.err)" >&2
		failed=1
	else
		collect "$work/unum$r.log" "$r"
	fi
	echo "  rep $r/$REPS: Linux, 2 guests (bench/linux/udp-bench) ..."
	rc=0
	bench/linux/udp-bench -t 300 </dev/null >"$work/linux$r.out" 2>&1 || rc=$?
	if [ "$rc" != 0 ] || ! grep -q '^bench: linux_udp_rtt_64_p50 ' "$work/linux$r.out"; then
		echo "net.sh: rep $r: the Linux side failed (status $rc; output $work/linux$r.out)" >&2
		failed=1
	else
		collect "$work/linux$r.out" "$r"
	fi
}

# The host is shared and noisy, and the two systems cannot run at the same
# moments: they take turns, REPS times, and each value is the median of its
# reps (the round trips within a rep are already medians of 2000).
REPS=${NET_REPS:-5}
: >"$work/values"
if ! make -s build/bench-linux/initramfs.cpio.gz >"$work/linux-build.log" 2>&1; then
	echo "net.sh: cannot build the Linux guests (log $work/linux-build.log)" >&2
	failed=1
fi
for ((r = 1; r <= REPS; r++)); do rep "$r"; done
while read -r name value; do
	V[$name]=$value
done < <(sort -k1,1 -k2,2g "$work/values" | awk '
	function flush() { if (n) print name, v[int((n - 1) / 2)] }
	$1 != name { flush(); name = $1; n = 0 }
	{ v[n++] = $2 }
	END { flush() }')
# KBps from the kernel (an integer) into MBps.
[ -z "${V[unum_stream]:-}" ] ||
	V[unum_stream_mbps]=$(awk -v k="${V[unum_stream]}" 'BEGIN { printf "%.1f", k / 1000 }')
echo "medians over $REPS reps:"
for n in $(printf '%s\n' "${!V[@]}" | sort); do printf 'bench: %s %s\n' "$n" "${V[$n]}"; done

# ---- ratios --------------------------------------------------------------------------
# ratio A B: A / B with three decimals, or null if either is missing or B is 0.
ratio() {
	local a=${V[$1]:-} b=${V[$2]:-}
	if [ -z "$a" ] || [ -z "$b" ] || [ "$(awk -v b="$b" 'BEGIN { print (b == 0) }')" = 1 ]; then
		echo null
	else
		awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }'
	fi
}
declare -A R
R[rpc_over_raw_64]=$(ratio unum_rpc_rtt_64_p50 unum_raw_echo_64_p50)
R[rpc_over_raw_4096]=$(ratio unum_rpc_rtt_4096_p50 unum_raw_echo_4096_p50)
R[rpc_over_linux_64]=$(ratio unum_rpc_rtt_64_p50 linux_udp_rtt_64_p50)
R[rpc_over_linux_4096]=$(ratio unum_rpc_rtt_4096_p50 linux_udp_rtt_4096_p50)
R[stream_over_linux]=$(ratio unum_stream_mbps linux_udp_stream)
R[remote_spawn_over_rtt_64]=$(ratio unum_remote_spawn_p50 unum_spawn_rtt_64_p50)
R[call_over_raw_64]=$(ratio unum_call_rtt_64_p50 unum_raw_echo_64_p50)
R[call_over_raw_4096]=$(ratio unum_call_rtt_4096_p50 unum_raw_echo_4096_p50)
R[call_over_linux_64]=$(ratio unum_call_rtt_64_p50 linux_udp_rtt_64_p50)
R[call_over_linux_4096]=$(ratio unum_call_rtt_4096_p50 linux_udp_rtt_4096_p50)
ratios="rpc_over_raw_64 rpc_over_raw_4096 rpc_over_linux_64 rpc_over_linux_4096 stream_over_linux remote_spawn_over_rtt_64 call_over_raw_64 call_over_raw_4096 call_over_linux_64 call_over_linux_4096"
for r in $ratios; do printf 'bench: net_%s %s ratio\n' "$r" "${R[$r]}"; done

# ---- table ---------------------------------------------------------------------------
us() { [ -n "${V[$1]:-}" ] && awk -v n="${V[$1]}" 'BEGIN { printf "%.1f", n / 1000 }' || echo n/a; }
echo
printf '%-22s %12s %12s %12s %12s\n' "round trip (us)" "raw echo" "Unum echo" "Unum RPC" "Linux UDP"
for s in 64 4096; do
	printf '%-22s %12s %12s %12s %12s\n' "$s B, median" "$(us unum_raw_echo_${s}_p50)" \
		"$(us unum_rpc_rtt_${s}_p50)" "$(us unum_call_rtt_${s}_p50)" "$(us linux_udp_rtt_${s}_p50)"
	printf '%-22s %12s %12s %12s %12s\n' "$s B, mean" "$(us unum_raw_echo_$s)" \
		"$(us unum_rpc_rtt_$s)" "$(us unum_call_rtt_$s)" "$(us linux_udp_rtt_$s)"
done
printf '%-22s %12s %12s %12s %12s\n' "stream (MB/s)" "" "${V[unum_stream_mbps]:-n/a}" "" "${V[linux_udp_stream]:-n/a}"
echo
echo '(Unum echo: answered in the receive path; Unum RPC: cnet_call, answered by the service thread)'
printf 'Unum echo / raw echo:  64 B %s, 4 KiB %s  (goal <= 1.2)\n' "${R[rpc_over_raw_64]}" "${R[rpc_over_raw_4096]}"
printf 'Unum echo / Linux UDP: 64 B %s, 4 KiB %s  (goal <= 0.5)\n' "${R[rpc_over_linux_64]}" "${R[rpc_over_linux_4096]}"
printf 'Unum RPC / raw echo:   64 B %s, 4 KiB %s\n' "${R[call_over_raw_64]}" "${R[call_over_raw_4096]}"
printf 'Unum RPC / Linux UDP:  64 B %s, 4 KiB %s\n' "${R[call_over_linux_64]}" "${R[call_over_linux_4096]}"
printf 'Unum stream / Linux stream: %s\n' "${R[stream_over_linux]}"
printf 'remote thread start %s us / 64 B round trip at the same moments (%s us): %s  (goal <= 2)\n' \
	"$(us unum_remote_spawn_p50)" "$(us unum_spawn_rtt_64_p50)" "${R[remote_spawn_over_rtt_64]}"
printf 'where the time goes: the same start on node 0 %s us; per 4 KiB, MAC %s us, memcpy %s us\n' \
	"$(us unum_local_spawn_p50)" "$(us unum_mac_4096)" "$(us unum_copy_4096)"

# ---- JSON ----------------------------------------------------------------------------
num() { [ -n "${V[$1]:-}" ] && echo "${V[$1]}" || echo null; }
obj() {
	local first=1 n
	printf '{\n    "setup": "2 nodes / 2 guests, Linux bridge MTU 9000 in a network namespace, virtio-net, accel %s; medians of %s reps, Unum and Linux taking turns",\n' "${UNUM_ACCEL:-tcg}" "$REPS"
	printf '    "values": {'
	for n in unum_raw_echo_64 unum_raw_echo_64_p50 unum_raw_echo_4096 unum_raw_echo_4096_p50 \
		unum_rpc_rtt_64 unum_rpc_rtt_64_p50 unum_rpc_rtt_4096 unum_rpc_rtt_4096_p50 \
		unum_call_rtt_64 unum_call_rtt_64_p50 unum_call_rtt_4096 unum_call_rtt_4096_p50 \
		unum_stream_mbps unum_remote_spawn unum_remote_spawn_p50 unum_spawn_rtt_64 unum_spawn_rtt_64_p50 unum_local_spawn \
		unum_local_spawn_p50 unum_mac_4096 unum_copy_4096 linux_udp_rtt_64 linux_udp_rtt_64_p50 linux_udp_rtt_4096 \
		linux_udp_rtt_4096_p50 linux_udp_stream linux_udp_stream_loss; do
		[ "$first" = 1 ] || printf ','
		printf '\n      "%s": %s' "$n" "$(num "$n")"
		first=0
	done
	printf '\n    },\n    "units": {"rtt": "ns", "stream": "MBps (10^6 bytes/s)", "loss": "%%"},\n'
	printf '    "ratios": {'
	first=1
	for n in $ratios; do
		[ "$first" = 1 ] || printf ','
		printf '\n      "%s": %s' "$n" "${R[$n]}"
		first=0
	done
	printf '\n    }\n  }'
}
{
	printf '{\n  "date": "%s",\n  "machine": {"host": "%s", "nproc": %d, "qemu": "%s", "accel": "%s"},\n  "net": ' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname -s)" "$(nproc)" \
		"$(qemu-system-x86_64 --version | head -n1)" "${UNUM_ACCEL:-tcg}"
	obj
	printf '\n}\n'
} >"$out"
echo "saved $out"
# bench/run's results file: the same object as its "net" member.
bench_add_to_run_json net obj
exit "$failed"

#!/usr/bin/env bash
# bench/dsm.sh: what one address space over several nodes costs (issue #7),
# measured in one run, every figure next to the transport it rides on:
#   (a) the transport: echo round trips between node 0 and node 1 with a
#       64 B and a 4 KiB body (each way), medians (bench=net of
#       tests/ktest/kb_net.c, as bench/net.sh), in a cluster of 2 and of 4
#       nodes, so each fault figure has the round trip of the same cluster
#       size beside it
#   (b) page faults by kind, lock hand-off and barrier latency:
#       bench/dsm/dsm_bench.c on 2 and 4 nodes (sched.policy=round_robin;
#       the program checks that every phase ran on its intended node)
#   (c) speedup of the demo apps from 1 node to 2 (one vCPU each, so never
#       more vCPUs than the host's 2 cores): apps/matmul.c N=$MATMUL_N and
#       apps/mandelbrot.c $MANDEL_SIZE, 2 threads in both runs; and
#       bench/dsm/team.c (N=$TEAM_N, 2 threads: main works as thread 0 with
#       one helper, the default placement); bench/dsm/mstress.c (malloc and
#       free from 8 threads, $MSTRESS_ROUNDS rounds each, blocks handed to
#       a neighbour thread and freed there): its 2-node time over its
#       1-node time (goal <= 1.0); the program prints node 0's allocator
#       counters (the "malloc:" lines of /proc/dsm) into its log
# Every boot is repeated DSM_REPS times, the transport and dsm_bench back to
# back in each repetition (the host is shared: its load changes from second
# to second). Values are medians over the repetitions; ratios are taken per
# repetition, then their median:
#   read_over_rtt4k   read fault / 4 KiB round trip of the same cluster
#                     size (goal <= 1.3); the round trip is the transport's
#                     echo, answered in its receive path
#   read_over_call4k  read fault / 4 KiB cnet_call, answered by the
#                     service's thread as DSM requests are
#   read_over_echo_at_read  read fault / the 4 KiB echoes dsm_bench times
#                     between those faults (ksys_echo_ns): fault and round
#                     trip of the same moments, the figure least moved by
#                     the host's load (goal <= 1.3)
#   <kind>_over_rtt4k the same for every fault kind (read_stream: the
#                     per-page cost of reading pages in order, with
#                     read-ahead)
#   mutex_handoff_over_rtt64, barrier_over_rtt64: over the 64 B round trip
#   speedup_<app>     parallel time on 1 node / on 2 nodes (matmul,
#                     mandelbrot, team)
#   mstress_n2_over_n1  mstress time on 2 nodes / on 1 node
# Writes bench/results/<date>-<host>-dsm.json (machine and date inside) and
# bench/results/<date>-<host>-dsm.png (gnuplot: fault latencies against the
# round trip, lock and barrier latency, speedups); when bench/run calls it
# (BENCH_RUN_JSON) the same object is added to that file as "dsm". Logs:
# build/bench/dsm/. Every QEMU run is bounded by --timeout. Needs root
# (network namespaces). Not part of `make test`.
#
# Environment: DSM_REPS (repetitions, default 5), DSM_PAGES (pages per fault
# kind, default 128), DSM_ROUNDS (lock and barrier rounds, default 200),
# DSM_NODES (default "2 4"), MATMUL_N (default 256), MANDEL_SIZE (default
# "640 480"), TEAM_N (default 40000000), MSTRESS_ROUNDS (default 20000),
# DSM_TIMEOUT (seconds per QEMU run, default 300), UNUM_ACCEL.
# Exit status 1 if something could not be measured (the rest is saved).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

PAGES=${DSM_PAGES:-128}
ROUNDS=${DSM_ROUNDS:-200}
NODES=${DSM_NODES:-2 4}
MATMUL_N=${MATMUL_N:-256}
MANDEL_SIZE=${MANDEL_SIZE:-640 480}
TMO=${DSM_TIMEOUT:-300}
REPS=${DSM_REPS:-5}
ELF=${UNUM_ELF:-build/unum.elf}
BENCH_ELF=build/bench/dsm/dsm_bench.elf
work=build/bench/dsm
stamp="$(date -u +%Y-%m-%d)-$(hostname -s)"
out=bench/results/$stamp-dsm.json
png=bench/results/$stamp-dsm.png
mkdir -p "$work" bench/results
failed=0

[ "$(id -u)" = 0 ] || { echo "dsm.sh: needs root (network namespaces, bridges, taps)" >&2; exit 1; }
TEAM_N=${TEAM_N:-40000000}
MSTRESS_ROUNDS=${MSTRESS_ROUNDS:-20000}
make -s "$ELF" "$BENCH_ELF" build/apps/matmul.elf build/apps/mandelbrot.elf \
	build/bench/dsm/team.elf build/bench/dsm/mstress.elf

declare -A V # every measured value, by name

# collect FILE [PREFIX]: every "bench: NAME VALUE UNIT" line of FILE into
# V[PREFIXNAME].
collect() {
	local name value
	while read -r _ name value _; do
		[[ $value =~ ^[0-9]+(\.[0-9]+)?$ ]] || continue
		V[${2:-}$name]=$value
	done < <(tr -d '\r' <"$1" | grep -oE '^bench: [A-Za-z0-9_]+ [0-9.]+ [A-Za-z]+' || true)
}

# boot NAME NODES IMAGE KEYS...: one cluster run, bounded by $TMO seconds.
boot() {
	local name=$1 n=$2 img=$3 rc=0
	shift 3
	tools/unum-run -n "$n" --quiet --log "$work/$name.log" --timeout "$TMO" "$img" -- "$@" \
		</dev/null >"$work/$name.err" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		echo "dsm.sh: $name: tools/unum-run status $rc (log $work/$name.log, $work/$name.err)" >&2
		failed=1
	fi
	return 0
}

# median V...: the median of the numbers among the arguments (the mean of
# the middle two of an even count), or nothing.
median() {
	printf '%s\n' "$@" | { grep -E '^[0-9]+(\.[0-9]+)?$' || true; } | sort -g |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else if (NR) print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# over_reps KEY [min|max]: the median (or the least, the greatest) of
# V[r<r>_KEY] over the repetitions.
over_reps() {
	local r list=()
	for ((r = 1; r <= REPS; r++)); do list+=("${V[r${r}_$1]:-}"); done
	case ${2:-median} in
	median) median "${list[@]}" ;;
	min) printf '%s\n' "${list[@]}" | { grep -E '^[0-9.]+$' || true; } | sort -g | head -n1 ;;
	max) printf '%s\n' "${list[@]}" | { grep -E '^[0-9.]+$' || true; } | sort -g | tail -n1 ;;
	esac
}

# ratio A B [DIGITS]: V[A] / V[B], or null.
ratio() {
	local a=${V[$1]:-} b=${V[$2]:-}
	if [[ $a =~ ^[0-9.]+$ ]] && [[ $b =~ ^[0-9.]+$ ]] && awk -v b="$b" 'BEGIN { exit !(b > 0) }'; then
		awk -v a="$a" -v b="$b" -v d="${3:-3}" 'BEGIN { printf "%.*f", d, a / b }'
	else
		echo null
	fi
}

# paired NAME A B [DIGITS]: for every repetition r, V[r<r>_A] / V[r<r>_B];
# their median goes to R[NAME], the list to RL[NAME].
declare -A R RL
paired() {
	local name=$1 a=$2 b=$3 d=${4:-3} r x list=()
	for ((r = 1; r <= REPS; r++)); do
		x=$(ratio "r${r}_$a" "r${r}_$b" "$d")
		[ "$x" = null ] || list+=("$x")
	done
	RL[$name]=${list[*]:-}
	x=$(median "${list[@]}")
	R[$name]=${x:-null}
}

KINDS="read read_stream read_recall write_s0 write_s1 write_s3 write_pristine"

# ---- (a) + (b): transport and DSM, per cluster size, alternating ----------------
for n in $NODES; do
	for ((r = 1; r <= REPS; r++)); do
		echo "  $n nodes, repetition $r/$REPS: transport round trips (bench=net), dsm_bench ($PAGES pages per kind, $ROUNDS rounds) ..."
		boot "net-n$n-r$r" "$n" "$ELF" bench=net test.mode=1
		collect "$work/net-n$n-r$r.log" "r${r}_n${n}_"
		[ -n "${V[r${r}_n${n}_unum_rpc_rtt_4096_p50]:-}" ] || { echo "dsm.sh: no 4 KiB round trip on $n nodes" >&2; failed=1; }
		boot "dsm-n$n-r$r" "$n" "$BENCH_ELF" sched.policy=round_robin dsm.stats=1 test.mode=1 -- "$n" "$PAGES" "$ROUNDS"
		collect "$work/dsm-n$n-r$r.log" "r${r}_"
		if ! grep -q '^placed: every phase ran on its intended node: yes' <(tr -d '\r' <"$work/dsm-n$n-r$r.log"); then
			echo "dsm.sh: dsm_bench on $n nodes: not every phase ran where intended (log $work/dsm-n$n-r$r.log)" >&2
			failed=1
		fi
		V[n${n}_dsm_counters]=$(tr -d '\r' <"$work/dsm-n$n-r$r.log" | grep -m1 -E '^dsm: node 0:' || true)
	done
	for x in unum_rpc_rtt_64_p50 unum_rpc_rtt_4096_p50 unum_call_rtt_4096_p50 unum_raw_echo_4096_p50; do
		V[n${n}_$x]=$(over_reps "n${n}_$x")
		V[lo_n${n}_$x]=$(over_reps "n${n}_$x" min)
		V[hi_n${n}_$x]=$(over_reps "n${n}_$x" max)
	done
	for k in $KINDS echo4k_at_read mutex_handoff barrier; do
		for st in p50 min mean samples; do
			V[dsm_n${n}_${k}_$st]=$(over_reps "dsm_n${n}_${k}_$st")
		done
		V[lo_dsm_n${n}_${k}_p50]=$(over_reps "dsm_n${n}_${k}_p50" min)
		V[hi_dsm_n${n}_${k}_p50]=$(over_reps "dsm_n${n}_${k}_p50" max)
	done
	for k in $KINDS; do
		paired "n${n}_${k}_over_rtt4k" "dsm_n${n}_${k}_p50" "n${n}_unum_rpc_rtt_4096_p50"
		# the least disturbed repetition of each: noise only adds time
		R[n${n}_${k}_over_rtt4k_best]=$(ratio "lo_dsm_n${n}_${k}_p50" "lo_n${n}_unum_rpc_rtt_4096_p50")
	done
	# the same fault against the echoes timed between the faults
	paired "n${n}_read_over_echo_at_read" "dsm_n${n}_read_p50" "dsm_n${n}_echo4k_at_read_p50"
	# the same fault against a round trip whose answer, like the DSM's,
	# comes from the service's thread (cnet_call)
	paired "n${n}_read_over_call4k" "dsm_n${n}_read_p50" "n${n}_unum_call_rtt_4096_p50"
	paired "n${n}_mutex_handoff_over_rtt64" "dsm_n${n}_mutex_handoff_p50" "n${n}_unum_rpc_rtt_64_p50"
	paired "n${n}_barrier_over_rtt64" "dsm_n${n}_barrier_p50" "n${n}_unum_rpc_rtt_64_p50"
done

# ---- (c) speedups ---------------------------------------------------------------
# app_time LOG WHAT: the app's WHAT ("parallel", "serial") seconds.
app_time() {
	tr -d '\r' <"$work/$1.log" | sed -n "s/.*$2 \([0-9.]*\) s.*/\1/p" | head -n1
}
read -r -a margs <<<"$MANDEL_SIZE 2"
for ((r = 1; r <= REPS; r++)); do
	for n in 1 2; do
		echo "  repetition $r/$REPS: matmul N=$MATMUL_N and mandelbrot $MANDEL_SIZE, 2 threads, $n node(s), -smp 1 ..."
		boot "matmul-n$n-r$r" "$n" build/apps/matmul.elf sched.policy=round_robin test.mode=1 -- "$MATMUL_N" 2
		boot "mandelbrot-n$n-r$r" "$n" build/apps/mandelbrot.elf sched.policy=round_robin test.mode=1 -- "${margs[@]}"
		boot "team-n$n-r$r" "$n" build/bench/dsm/team.elf test.mode=1 -- "$TEAM_N" 2
		boot "mstress-n$n-r$r" "$n" build/bench/dsm/mstress.elf test.mode=1 -- 8 "$MSTRESS_ROUNDS"
		for app in team mstress; do
			if ! tr -d '\r' <"$work/$app-n$n-r$r.log" | grep -qE 'matches the serial result|errors=0$'; then
				echo "dsm.sh: $app on $n node(s) did not give its exact result" >&2
				failed=1
			fi
		done
		for app in matmul mandelbrot team mstress; do
			V[r${r}_${app}_n${n}_s]=$(app_time "$app-n$n-r$r" parallel)
			[ -n "${V[r${r}_${app}_n${n}_s]}" ] || { echo "dsm.sh: no time from $app on $n node(s)" >&2; failed=1; }
		done
		V[r${r}_matmul_n${n}_serial_s]=$(app_time "matmul-n$n-r$r" serial)
		if ! tr -d '\r' <"$work/matmul-n$n-r$r.log" | grep -q 'matches the serial result'; then
			echo "dsm.sh: matmul on $n node(s) did not match its serial result" >&2
			failed=1
		fi
	done
done
for x in matmul_n1_s matmul_n2_s mandelbrot_n1_s mandelbrot_n2_s matmul_n2_serial_s \
	team_n1_s team_n2_s mstress_n1_s mstress_n2_s; do
	V[$x]=$(over_reps "$x")
done
paired speedup_team team_n1_s team_n2_s 2
paired mstress_n2_over_n1 mstress_n2_s mstress_n1_s 2
paired speedup_matmul matmul_n1_s matmul_n2_s 2
paired speedup_mandelbrot mandelbrot_n1_s mandelbrot_n2_s 2
paired matmul_n2_serial_over_parallel matmul_n2_serial_s matmul_n2_s 2

# ---- table ----------------------------------------------------------------------
us() { [[ ${V[$1]:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v x="${V[$1]}" 'BEGIN { printf "%.1f", x / 1000 }' || echo n/a; }
echo
printf '%-34s' "us (median of the runs' medians)"
for n in $NODES; do printf ' %12s %8s %8s' "$n nodes" "/RTT" "best"; done
echo
row() { # row LABEL VNAME RNAME-SUFFIX
	printf '%-34s' "$1"
	for n in $NODES; do
		printf ' %12s %8s %8s' "$(us "${2/@/$n}")" "${R[n${n}_$3]:-}" "${R[n${n}_$3_best]:-}"
	done
	echo
}
trow() { # trow LABEL VNAME [TEXT]: a round trip; TEXT in both ratio columns
	printf '%-34s' "$1"
	for n in $NODES; do printf ' %12s %8s %8s' "$(us "${2/@/$n}")" "${3:-}" "${3:-}"; done
	echo
}
trow "transport 64 B round trip" "n@_unum_rpc_rtt_64_p50"
trow "transport 4 KiB round trip (RTT)" "n@_unum_rpc_rtt_4096_p50" 1
trow "4 KiB echo between the read faults" "dsm_n@_echo4k_at_read_p50"
trow "4 KiB cnet_call (service thread)" "n@_unum_call_rtt_4096_p50"
row "read fault (from the home)" "dsm_n@_read_p50" read_over_rtt4k
row "read in sequence, per page" "dsm_n@_read_stream_p50" read_stream_over_rtt4k
row "read fault (recall from a writer)" "dsm_n@_read_recall_p50" read_recall_over_rtt4k
row "write fault, 0 sharers" "dsm_n@_write_s0_p50" write_s0_over_rtt4k
row "write fault, 1 sharer" "dsm_n@_write_s1_p50" write_s1_over_rtt4k
row "write fault, 3 sharers" "dsm_n@_write_s3_p50" write_s3_over_rtt4k
row "write fault, pristine page" "dsm_n@_write_pristine_p50" write_pristine_over_rtt4k
row "mutex hand-off (node 0 <-> 1)" "dsm_n@_mutex_handoff_p50" mutex_handoff_over_rtt64
row "barrier round (1 thread/node)" "dsm_n@_barrier_p50" barrier_over_rtt64
echo "(/RTT: median over the $REPS repetitions of fault / 4 KiB round trip of the same"
echo " repetition; best: the least of each over the repetitions, divided. Mutex and"
echo " barrier ratios are over the 64 B round trip.)"
echo
printf '%-12s %12s %12s %10s\n' "app" "1 node s" "2 nodes s" "speedup"
for app in matmul mandelbrot team; do
	printf '%-12s %12s %12s %10s\n' "$app" "${V[${app}_n1_s]:-n/a}" "${V[${app}_n2_s]:-n/a}" "${R[speedup_$app]}"
done
printf 'mstress (8 threads, %s rounds): 1 node %s s, 2 nodes %s s, 2 over 1 = %s, per repetition %s (goal <= 1.0)\n' \
	"$MSTRESS_ROUNDS" "${V[mstress_n1_s]:-n/a}" "${V[mstress_n2_s]:-n/a}" "${R[mstress_n2_over_n1]}" "${RL[mstress_n2_over_n1]}"
printf 'matmul on 2 nodes: serial (node 0) %s s / parallel %s s = %s\n' \
	"${V[matmul_n2_serial_s]:-n/a}" "${V[matmul_n2_s]:-n/a}" "${R[matmul_n2_serial_over_parallel]}"
for n in $NODES; do
	printf 'read fault / 4 KiB RTT on %s nodes: %s, best repetitions %s, per repetition %s (goal <= 1.3)\n' \
		"$n" "${R[n${n}_read_over_rtt4k]}" "${R[n${n}_read_over_rtt4k_best]}" "${RL[n${n}_read_over_rtt4k]}"
	printf 'read fault / 4 KiB echo between the faults (same moments) on %s nodes: %s, per repetition %s (goal <= 1.3)\n' \
		"$n" "${R[n${n}_read_over_echo_at_read]}" "${RL[n${n}_read_over_echo_at_read]}"
	printf 'read fault / 4 KiB cnet_call on %s nodes: %s, per repetition %s\n' \
		"$n" "${R[n${n}_read_over_call4k]}" "${RL[n${n}_read_over_call4k]}"
done

# ---- JSON -----------------------------------------------------------------------
num() { [[ ${V[$1]:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] && echo "${V[$1]}" || echo null; }
# jlist "A B C": A,B,C (a JSON array's inside).
jlist() { printf '%s' "${1// /,}"; }
jstr() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
obj() {
	local n k s first
	printf '{\n    "setup": %s,\n' "$(jstr "tools/unum-run -n N, one vCPU per node, accel ${UNUM_ACCEL:-tcg}, sched.policy=round_robin; $REPS repetitions of every boot, values the median over them, ratios the median of the per-repetition ratios (_best: least over the repetitions / least); faults: $PAGES pages per kind, home node 0, writer node 1; $ROUNDS lock/barrier rounds; matmul N=$MATMUL_N, mandelbrot $MANDEL_SIZE, 2 threads")"
	printf '    "units": {"latency": "ns (median unless _mean/_min)", "app": "s"},\n'
	printf '    "kinds": {\n'
	printf '      "read": "node 0 (the home) wrote the page, node 1 reads: READ_REQ, the home downgrades its own copy, DATA 4 KiB (2 messages on the wire); pages visited out of order (even, then odd), so no read-ahead",\n'
	printf '      "read_stream": "as read, but node 1 reads the pages in order (a loop over an array): read-ahead (dsm.readahead, default 16) asks for the next pages before they are touched; per page, timed over chunks of 8 pages",\n'
	printf '      "read_recall": "node 1 wrote the page, the first other reader reads: on 2 nodes node 0, the home (RECALL to node 1 and its 4 KiB reply: 2 messages), on 4 nodes node 2 (READ_REQ, RECALL, 4 KiB reply, 4 KiB DATA: 4 messages)",\n'
	printf '      "write_s0": "node 0 (the home) wrote the page, node 1 writes: WRITE_REQ, the home recalls its own copy locally, GRANT 4 KiB; nothing to invalidate (2 messages)",\n'
	printf '      "write_s1": "node 1 wrote the page and one other node read it, node 1 writes again (upgrade, GRANT without data): on 2 nodes the sharer is node 0, the home, whose invalidation is local (2 small messages); on 4 nodes it is node 2 (WRITE_REQ, INV, INV_ACK, GRANT: 4)",\n'
	printf '      "write_s3": "4 nodes: node 1 wrote the page, nodes 2, 3 and 0 read it, node 1 writes again: 3 sharers invalidated, node 0 (the home) locally (6 small messages)",\n'
	printf '      "write_pristine": "node 1 writes a page nobody wrote yet: the home invalidates the pristine copies of all other nodes (its own locally), GRANT without data (2 + 2 x (N-2) small messages)",\n'
	printf '      "mutex_handoff": "threads on nodes 0 and 1 pass a turn through a pthread mutex + condition variable (turn on its own page); half of the median round trip",\n'
	printf '      "barrier": "one thread per node, pthread_barrier_wait; the round as timed by the thread on node 0"\n'
	printf '    },\n'
	printf '    "by_nodes": {'
	first=1
	for n in $NODES; do
		[ $first = 1 ] || printf ','
		first=0
		printf '\n      "%s": {\n' "$n"
		printf '        "rpc_rtt_64_p50": %s, "rpc_rtt_4096_p50": %s, "raw_echo_4096_p50": %s,\n' \
			"$(num "n${n}_unum_rpc_rtt_64_p50")" "$(num "n${n}_unum_rpc_rtt_4096_p50")" "$(num "n${n}_unum_raw_echo_4096_p50")"
		printf '        "call_rtt_4096_p50": %s, "read_over_call4k": %s,\n' \
			"$(num "n${n}_unum_call_rtt_4096_p50")" "${R[n${n}_read_over_call4k]}"
		printf '        "echo4k_at_read_p50": %s, "read_over_echo_at_read": %s, "read_over_echo_at_read_per_repetition": [%s],\n' \
			"$(num "dsm_n${n}_echo4k_at_read_p50")" "${R[n${n}_read_over_echo_at_read]}" "$(jlist "${RL[n${n}_read_over_echo_at_read]}")"
		printf '        "rpc_rtt_4096_p50_least_rep": %s, "rpc_rtt_4096_p50_greatest_rep": %s,\n' \
			"$(num "lo_n${n}_unum_rpc_rtt_4096_p50")" "$(num "hi_n${n}_unum_rpc_rtt_4096_p50")"
		for k in $KINDS mutex_handoff barrier; do
			printf '        "%s": {' "$k"
			for s in p50 min mean samples; do
				printf '"%s": %s, ' "$s" "$(num "dsm_n${n}_${k}_$s")"
			done
			printf '"p50_least_rep": %s, "p50_greatest_rep": %s},\n' \
				"$(num "lo_dsm_n${n}_${k}_p50")" "$(num "hi_dsm_n${n}_${k}_p50")"
		done
		printf '        "ratios": {'
		local f2=1
		for k in $KINDS; do
			[ $f2 = 1 ] || printf ', '
			f2=0
			printf '"%s_over_rtt4k": %s, "%s_over_rtt4k_best": %s' "$k" "${R[n${n}_${k}_over_rtt4k]}" \
				"$k" "${R[n${n}_${k}_over_rtt4k_best]}"
		done
		printf ', "mutex_handoff_over_rtt64": %s, "barrier_over_rtt64": %s},\n' \
			"${R[n${n}_mutex_handoff_over_rtt64]}" "${R[n${n}_barrier_over_rtt64]}"
		printf '        "read_over_rtt4k_per_repetition": [%s],\n' "$(jlist "${RL[n${n}_read_over_rtt4k]}")"
		printf '        "node0_dsm_counters": %s\n      }' "$(jstr "${V[n${n}_dsm_counters]:-}")"
	done
	printf '\n    },\n'
	printf '    "apps": {"matmul": {"n1_s": %s, "n2_s": %s, "speedup": %s, "speedup_per_repetition": [%s], "n2_serial_s": %s, "n2_serial_over_parallel": %s},\n' \
		"$(num matmul_n1_s)" "$(num matmul_n2_s)" "${R[speedup_matmul]}" "$(jlist "${RL[speedup_matmul]}")" \
		"$(num matmul_n2_serial_s)" "${R[matmul_n2_serial_over_parallel]}"
	printf '             "mandelbrot": {"n1_s": %s, "n2_s": %s, "speedup": %s, "speedup_per_repetition": [%s]},\n' \
		"$(num mandelbrot_n1_s)" "$(num mandelbrot_n2_s)" "${R[speedup_mandelbrot]}" "$(jlist "${RL[speedup_mandelbrot]}")"
	printf '             "team": {"n": %s, "threads": 2, "n1_s": %s, "n2_s": %s, "speedup": %s, "speedup_per_repetition": [%s]},\n' \
		"$TEAM_N" "$(num team_n1_s)" "$(num team_n2_s)" "${R[speedup_team]}" "$(jlist "${RL[speedup_team]}")"
	printf '             "mstress": {"threads": 8, "rounds": %s, "n1_s": %s, "n2_s": %s, "n2_over_n1": %s, "n2_over_n1_per_repetition": [%s]}}\n  }' \
		"$MSTRESS_ROUNDS" "$(num mstress_n1_s)" "$(num mstress_n2_s)" "${R[mstress_n2_over_n1]}" "$(jlist "${RL[mstress_n2_over_n1]}")"
}
{
	printf '{\n  "date": "%s",\n  "machine": {"host": "%s", "uname": %s, "cpu": %s, "nproc": %d, "qemu": "%s", "accel": "%s"},\n  "dsm": ' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname -s)" "$(jstr "$(uname -a)")" \
		"$(jstr "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')")" \
		"$(nproc)" "$(qemu-system-x86_64 --version | head -n1)" "${UNUM_ACCEL:-tcg}"
	obj
	printf '\n}\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "saved $out"

# ---- plot -----------------------------------------------------------------------
dat=$work/plot
{
	echo "# kind, then per cluster size: median, least, greatest over the repetitions (us)"
	for k in rtt4k read read_stream read_recall write_s0 write_s1 write_s3 write_pristine; do
		printf '%s' "$k"
		for n in $NODES; do
			if [ $k = rtt4k ]; then x=n${n}_unum_rpc_rtt_4096_p50; else x=dsm_n${n}_${k}_p50; fi
			for v in "$(us "$x")" "$(us "lo_$x")" "$(us "hi_$x")"; do printf ' %s' "${v/n\/a/NaN}"; done
		done
		echo
	done
} >"$dat.faults"
{
	for k in mutex_handoff barrier; do
		printf '%s' "$k"
		for n in $NODES; do
			x=dsm_n${n}_${k}_p50
			for v in "$(us "$x")" "$(us "lo_$x")" "$(us "hi_$x")"; do printf ' %s' "${v/n\/a/NaN}"; done
		done
		echo
	done
} >"$dat.sync"
{
	for app in matmul mandelbrot; do
		v=${R[speedup_$app]}
		printf '%s %s\n' "$app" "${v/null/NaN}"
	done
} >"$dat.speedup"
# plot_by_nodes FILE: a gnuplot command plotting FILE's columns 2.. (median,
# least, greatest, per cluster size) as one series per cluster size.
plot_by_nodes() {
	local i=2 n
	printf 'plot'
	for n in $NODES; do
		[ $i = 2 ] || printf ','
		printf ' "%s" using %d:%d:%d:xtic(1) title "%s nodes"' "$1" $i $((i + 1)) $((i + 2)) "$n"
		i=$((i + 3))
	done
	printf '\n'
}
if command -v gnuplot >/dev/null; then
	{
		printf 'set terminal pngcairo noenhanced size 1500,520 font ",10"\nset output "%s"\n' "$png"
		printf 'set multiplot layout 1,3 title "Unum DSM on %s, %s, %s (QEMU %s, one vCPU per node)"\n' \
			"$(hostname -s)" "$(date -u +%Y-%m-%d)" "$(nproc) host cores" "${UNUM_ACCEL:-tcg}"
		printf 'set style data histograms\nset style histogram errorbars gap 1 lw 1\nset style fill solid 0.8 border -1\n'
		printf 'set grid ytics\nset key top left\nset xtics rotate by -30\nset yrange [0:*]\n'
		printf 'set title "faults vs 4 KiB round trip (us): median, range of %s runs"\nset ylabel "us"\n' "$REPS"
		plot_by_nodes "$dat.faults"
		printf 'set title "mutex hand-off, barrier round (us): median, range"\nset xtics norotate\n'
		plot_by_nodes "$dat.sync"
		printf 'set title "speedup, 1 node -> 2 nodes (2 threads)"\nset ylabel "T(1 node) / T(2 nodes)"\nset yrange [0:2.2]\n'
		printf 'set style histogram clustered gap 1\n'
		printf 'plot "%s" using 2:xtic(1) title "measured (median of per-repetition ratios)", 2 with lines dashtype 2 title "ideal"\n' "$dat.speedup"
		printf 'unset multiplot\n'
	} >"$dat.gp"
	if gnuplot "$dat.gp" 2>"$work/gnuplot.err"; then
		echo "saved $png"
	else
		echo "dsm.sh: gnuplot failed ($work/gnuplot.err)" >&2
		failed=1
	fi
else
	echo "dsm.sh: gnuplot not found (tools/setup installs gnuplot-nox): no plot" >&2
	failed=1
fi

# bench/run's results file: the same object as its "dsm" member.
bench_add_to_run_json dsm obj
exit "$failed"

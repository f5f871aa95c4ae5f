#!/usr/bin/env bash
# bench/sched.sh: what the global scheduler's mechanisms cost (issue #8), on
# 2 QEMU nodes of 1 vCPU each, repeated SCHED_REPS times (medians):
#   (a) bench/sched/sched_bench.c: the main thread moving itself to node 1
#       and back (node 0's clock: two moves, each until its stack pages
#       are back), and pthread_create+join of a thread on node 1 against
#       one on node 0; with dsm.stats=1 the origin's exit line gives the
#       kernel's means: stop to resumed (freeze to the destination's
#       "resumed", one way back included) and stack page back (resumed to
#       the first page fetched)
#   (b) tests/cluster/c_balance.c: four CPU-bound threads started on the
#       origin under `local`, the policy switched live; the time until the
#       policy's balance is reached (least_loaded: 2:2, steal: 1 on the
#       idle node), sched.period_ms=200, cluster.heartbeat_ms=100
# The remote thread start against the transport round trip is measured in
# the same boot as the round trip by bench/net.sh (remote_spawn_over_rtt_64).
# Writes bench/results/<date>-<host>-sched.json (machine and date inside);
# when bench/run calls it (BENCH_RUN_JSON) the same object is added to that
# file as "sched". Logs: build/bench/sched/. Every QEMU run is bounded by
# --timeout. Needs root (network namespaces). Not part of `make test`.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

REPS=${SCHED_REPS:-3}
TMO=${SCHED_TIMEOUT:-300}
work=build/bench/sched
out=bench/results/$(date -u +%Y-%m-%d)-$(hostname -s)-sched.json
mkdir -p "$work" bench/results
failed=0

[ "$(id -u)" = 0 ] || { echo "sched.sh: needs root (network namespaces)" >&2; exit 1; }
make -s build/bench/sched/sched_bench.elf >/dev/null
tools/unum-cc -O2 -Itests/posix -o "$work/c_balance.elf" tests/cluster/c_balance.c

declare -A S # NAME -> space-separated samples

add() { S[$1]="${S[$1]:-} $2"; }
median() { tr ' ' '\n' <<<"$1" | grep -E '^[0-9]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "null" }'; }

for ((r = 1; r <= REPS; r++)); do
	echo "  repetition $r of $REPS: sched_bench on 2 nodes ..."
	log=$work/bench-$r.log
	if tools/unum-run -n 2 --quiet --log "$log" --timeout "$TMO" build/bench/sched/sched_bench.elf -- \
		sched.policy=round_robin dsm.stats=1 </dev/null >"$work/bench-$r.err" 2>&1; then
		while read -r _ name value _; do add "$name" "$value"; done < <(tr -d '\r' <"$log" | grep -E '^bench: ')
		l=$(tr -d '\r' <"$log" | grep -E '^sched: node 0: migrations' || true)
		[[ $l =~ stop\ to\ resumed\ ([0-9]+)\ us,\ stack\ page\ back\ ([0-9]+)\ us ]] &&
			add stop_to_resumed "${BASH_REMATCH[1]}" && add stack_page_back "${BASH_REMATCH[2]}"
	else
		echo "sched.sh: sched_bench failed (log $log)" >&2
		failed=1
	fi
	for c in "least_loaded 2" "steal 1"; do
		read -r pol want <<<"$c"
		echo "  repetition $r of $REPS: balance under $pol ..."
		log=$work/balance-$pol-$r.log
		tools/unum-run -n 2 --quiet --log "$log" --timeout "$TMO" "$work/c_balance.elf" -- \
			sched.policy=local sched.period_ms=200 cluster.heartbeat_ms=100 -- "$pol" "$want" \
			</dev/null >"$work/balance-$pol-$r.err" 2>&1 || failed=1
		l=$(tr -d '\r' <"$log" | grep -E "^# $pol: $want of 4 workers on node 1 after 2.5 s; balance first reached after" || true)
		if [[ $l =~ after\ ([0-9]+)\ ms$ ]] && [ "${BASH_REMATCH[1]}" != 0 ]; then
			add "balance_${pol}_ms" "${BASH_REMATCH[1]}"
		else
			echo "sched.sh: $pol did not reach its balance (log $log)" >&2
			failed=1
		fi
	done
done

names="migrate_round_trip stop_to_resumed stack_page_back create_join_local create_join_remote balance_least_loaded_ms balance_steal_ms"
declare -A M
for n in $names; do
	M[$n]=$(median "${S[$n]:-}")
	printf 'bench: sched_%s %s (samples:%s)\n' "$n" "${M[$n]}" "${S[$n]:-}"
done
ratio() { [ "${M[$1]}" != null ] && [ "${M[$2]}" != null ] && [ "${M[$2]}" != 0 ] &&
	awk -v a="${M[$1]}" -v b="${M[$2]}" 'BEGIN { printf "%.2f", a / b }' || echo null; }
remote_over_local=$(ratio create_join_remote create_join_local)
echo "pthread_create+join on node 1 / on node 0: $remote_over_local"

obj() {
	local first=1 n
	printf '{\n    "setup": "2 nodes of 1 vCPU, Linux bridge in a network namespace, accel %s, %d repetition(s), medians",\n' "${UNUM_ACCEL:-tcg}" "$REPS"
	printf '    "units": "us, except balance_*_ms (ms from the live switch until the balance)",\n    "values": {'
	for n in $names; do
		[ "$first" = 1 ] || printf ','
		printf '\n      "%s": %s' "$n" "${M[$n]}"
		first=0
	done
	printf '\n    },\n    "ratios": {"create_join_remote_over_local": %s}\n  }' "$remote_over_local"
}
{
	printf '{\n  "date": "%s",\n  "machine": {"host": "%s", "nproc": %d, "qemu": "%s", "accel": "%s"},\n  "sched": ' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname -s)" "$(nproc)" \
		"$(qemu-system-x86_64 --version | head -n1)" "${UNUM_ACCEL:-tcg}"
	obj
	printf '\n}\n'
} >"$out"
echo "wrote $out"
bench_add_to_run_json sched obj
exit "$failed"

# bench/lib.sh: helpers shared by the benchmark scripts (net.sh, dsm.sh).
# Sourced, not run.
# shellcheck shell=bash

# bench_add_to_run_json KEY FUNC: when bench/run calls the script
# (BENCH_RUN_JSON names bench/run's results file), adds the JSON object that
# FUNC prints to that file as member KEY.
bench_add_to_run_json() {
	local key=$1 func=$2 tmp
	if [ -n "${BENCH_RUN_JSON:-}" ] && [ -f "$BENCH_RUN_JSON" ] && [ "$(tail -n1 "$BENCH_RUN_JSON")" = "}" ]; then
		tmp=$BENCH_RUN_JSON.tmp
		{
			sed '$d' "$BENCH_RUN_JSON" | sed '$s/$/,/'
			printf '  "%s": ' "$key"
			"$func"
			printf '\n}\n'
		} >"$tmp"
		mv "$tmp" "$BENCH_RUN_JSON"
		echo "added to $BENCH_RUN_JSON as \"$key\""
	fi
}

# tests/qemu/lib.sh: helpers for the QEMU harness scripts (sourced, not run).
#
# A harness script boots the kernel through tools/unum-run, checks the exit
# status and the serial log, and reports on stdout in TAP style, which
# tests/run-all counts:
#   ok - <test name>
#   not ok - <test name> # <reason>
#   # <diagnostic line>           (only after a failure: reasons, log tail)
# Logs go to build/test-logs/<case>.log (serial, as written by the guest),
# <case>.txt (the same without CRs and terminal escapes, what is checked)
# and <case>.err (unum-run's and QEMU's stderr).
#
# Usage in a script:
#	. "$(dirname "$0")/lib.sh"
#	qh_boot pvh-ktest 60 build/unum.elf -- ktest=all test.mode=1
#	qh_expect_status 0
#	qh_expect_line 'unum: ready'
#	qh_report pvh-ktest

# shellcheck shell=bash

QH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QH_LOGDIR=${QH_LOGDIR:-$QH_ROOT/build/test-logs}
QH_RUN=$QH_ROOT/tools/unum-run
QH_ELF=${UNUM_ELF:-$QH_ROOT/build/unum.elf}
# shellcheck disable=SC2034 # used by the scripts that source this
QH_TEST_ISO=${UNUM_TEST_ISO:-$QH_ROOT/build/images/unum-test.iso}
QH_TAIL=${QH_TAIL:-25}

# State of the current case: QH_STATUS (unum-run's exit status), QH_LOG (the
# cleaned log), QH_RAW (the raw log), QH_ERR, QH_SECS; QH_FAILS collects the
# reasons a check failed.
QH_STATUS=
QH_LOG=
QH_RAW=
QH_ERR=
QH_SECS=
QH_FAILS=()

# Report lines. Names must not contain '#'.
qh_ok() { printf 'ok - %s\n' "$1"; }
qh_not_ok() { printf 'not ok - %s # %s\n' "$1" "$2"; }
qh_diag() {
	local l
	while IFS= read -r l; do printf '# %s\n' "$l"; done <<<"$1"
}

qh_fail() { QH_FAILS+=("$1"); }

# What unum-run's status means, for messages.
qh_status_text() {
	case $1 in
	0) echo "0 (pass)" ;;
	1) echo "1 (kernel reported a failure)" ;;
	2) echo "2 (unum-run: bad usage)" ;;
	124) echo "124 (timeout)" ;;
	125) echo "125 (QEMU failed)" ;;
	126) echo "126 (no test status: power-off, reset or triple fault)" ;;
	127) echo "127 (panic or crash)" ;;
	*) echo "$1" ;;
	esac
}

# qh_boot CASE TIMEOUT unum-run-args...: boot once (standard input from
# the file $QH_STDIN, default /dev/null), keep the logs, set the
# case state. Never fails: the checks decide.
qh_boot() {
	local name=$1 tmo=$2 t0 t1
	shift 2
	mkdir -p "$QH_LOGDIR"
	QH_RAW=$QH_LOGDIR/$name.log
	QH_LOG=$QH_LOGDIR/$name.txt
	QH_ERR=$QH_LOGDIR/$name.err
	QH_FAILS=()
	t0=${EPOCHREALTIME/[.,]/}
	QH_STATUS=0
	"$QH_RUN" --quiet --log "$QH_RAW" --timeout "$tmo" "$@" \
		>"$QH_ERR" 2>&1 <"${QH_STDIN:-/dev/null}" || QH_STATUS=$?
	t1=${EPOCHREALTIME/[.,]/}
	QH_SECS=$(printf '%d.%02d' $(((t1 - t0) / 1000000)) $(((t1 - t0) % 1000000 / 10000)))
	if [ -f "$QH_RAW" ]; then
		# GRUB and OVMF draw with terminal escapes; the kernel ends lines
		# with CR LF. Checks see plain lines.
		tr -d '\r' <"$QH_RAW" |
			sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' \
				-e 's/\x1b[=>]//g' >"$QH_LOG"
	else
		: >"$QH_LOG"
	fi
}

qh_expect_status() {
	[ "$QH_STATUS" = "$1" ] ||
		qh_fail "exit status $(qh_status_text "$QH_STATUS"), expected $(qh_status_text "$1")"
}

# qh_expect_line ERE [what]: some line of the log matches ERE.
qh_expect_line() {
	grep -qE -- "$1" "$QH_LOG" || qh_fail "no line matching '${2:-$1}' in the log"
}

# qh_expect_no_line ERE [what]: no line of the log matches ERE.
qh_expect_no_line() {
	local l
	l=$(grep -m1 -E -- "$1" "$QH_LOG" || true)
	[ -z "$l" ] || qh_fail "unexpected line matching '${2:-$1}': $l"
}

# qh_program_output: what the program wrote to the console (stdout and
# stderr), byte for byte: everything between "unum: ready" and "unum:
# program exited with status", without the kernel's log lines.
qh_program_output() {
	perl -0777 -ne 'if (/^unum: ready\n(.*?)unum: program exited with status /ms) {
		my $o = $1; $o =~ s/^\[ *\d+\.\d+\] [A-Z] [^\n]*\n//mg; print $o }' "$QH_LOG"
}

# qh_expect_output FILE: the program's whole output equals FILE.
qh_expect_output() {
	local d
	d=$(diff <(qh_program_output) "$1" | head -n 12) && return 0
	qh_fail "the program's output differs from ${1#"$QH_ROOT"/}: $(printf '%s' "$d" | tr '\n' '|' | cut -c1-400)"
}

# qh_report NAME: one TAP line for the case; on failure the reasons and the
# tail of the log as diagnostics.
qh_report() {
	local name=$1 r
	if [ ${#QH_FAILS[@]} = 0 ]; then
		qh_ok "$name (${QH_SECS}s)"
		return 0
	fi
	qh_not_ok "$name" "${QH_FAILS[0]}"
	for r in "${QH_FAILS[@]}"; do qh_diag "  reason: $r"; done
	qh_diag "  log: ${QH_RAW#"$QH_ROOT"/} (${QH_SECS}s); last $QH_TAIL lines:"
	qh_diag "$(tail -n "$QH_TAIL" "$QH_LOG" | sed 's/^/    | /')"
	if [ -s "$QH_ERR" ]; then
		qh_diag "  stderr:"
		qh_diag "$(tail -n 10 "$QH_ERR" | sed 's/^/    | /')"
	fi
	return 1
}

# ---- TAP from the kernel (ktest) -------------------------------------------------

# qh_ktest_summary: check that the kernel's TAP output is whole and clean:
# a plan, as many results as planned, and a summary line "ktest: N passed,
# M failed" that agrees with them and says 0 failed. Sets QH_KT_PASS and
# QH_KT_FAIL (results counted from the ok/not ok lines).
qh_ktest_summary() {
	local plan sum sp sf
	QH_KT_PASS=$(grep -cE '^ok [0-9]+( |$)' "$QH_LOG" || true)
	QH_KT_FAIL=$(grep -cE '^not ok [0-9]+( |$)' "$QH_LOG" || true)
	grep -qx 'TAP version 13' "$QH_LOG" || qh_fail "no 'TAP version 13' line"
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$QH_LOG" | head -n1)
	if [ -z "$plan" ]; then
		qh_fail "no TAP plan line '1..N'"
	elif [ "$plan" != $((QH_KT_PASS + QH_KT_FAIL)) ]; then
		qh_fail "TAP plan says $plan tests, the log has $((QH_KT_PASS + QH_KT_FAIL)) results"
	fi
	sum=$(grep -E '^ktest: [0-9]+ passed, [0-9]+ failed$' "$QH_LOG" | tail -n1 || true)
	if [ -z "$sum" ]; then
		qh_fail "no summary line 'ktest: N passed, M failed'"
		return
	fi
	sp=${sum#ktest: }
	sp=${sp%% *}
	sf=${sum#*passed, }
	sf=${sf%% *}
	if [ "$sp" != "$QH_KT_PASS" ] || [ "$sf" != "$QH_KT_FAIL" ]; then
		qh_fail "summary '$sum' disagrees with the results ($QH_KT_PASS ok, $QH_KT_FAIL not ok)"
	fi
	[ "$sf" = 0 ] || qh_fail "$sum"
}

# qh_ktest_results PREFIX: print the kernel's results as our own TAP lines,
# one test each, named PREFIX<kernel's name>.
qh_ktest_results() {
	local prefix=$1 l name reason
	while IFS= read -r l; do
		if [[ $l =~ ^ok\ [0-9]+\ *-?\ *([^#]*)(#\ *(.*))?$ ]]; then
			# A comment after # (the kernel gives the time taken) is kept.
			name=${BASH_REMATCH[1]% }
			qh_ok "$prefix${name% }${BASH_REMATCH[3]:+ (${BASH_REMATCH[3]})}"
		elif [[ $l =~ ^not\ ok\ [0-9]+\ *-?\ *([^#]*)(#\ *(.*))?$ ]]; then
			name=${BASH_REMATCH[1]% }
			reason=${BASH_REMATCH[3]:-no reason given}
			qh_not_ok "$prefix${name% }" "$reason"
		fi
	done < <(grep -E '^(not )?ok [0-9]+( |$)' "$QH_LOG" || true)
}

# ---- crash reports ---------------------------------------------------------------

# qh_kernel_symbols: function names of the kernel ELF, one a line (cached).
qh_kernel_symbols() {
	local nm=/usr/lib/llvm-14/bin/llvm-nm out=$QH_LOGDIR/kernel-symbols.txt
	[ -x "$nm" ] || nm="nm"
	if [ ! -s "$out" ] || [ "$QH_ELF" -nt "$out" ]; then
		"$nm" --defined-only "$QH_ELF" 2>/dev/null |
			awk '$2 ~ /^[tTwW]$/ && length($3) > 2 { print $3 }' | sort -u >"$out"
	fi
	cat "$out"
}

# qh_expect_backtrace_symbol: the lines from "backtrace:" on (at most 30)
# name at least one function of the kernel.
qh_expect_backtrace_symbol() {
	local bt words hit
	bt=$(sed -n '/backtrace:/,$p' "$QH_LOG" | sed -e 's/^.*backtrace://' | head -n 30)
	if [ -z "$bt" ]; then
		qh_fail "no 'backtrace:' in the crash report"
		return
	fi
	words=$(grep -oE '[A-Za-z_][A-Za-z0-9_.]*' <<<"$bt" | sort -u)
	hit=$(comm -12 <(qh_kernel_symbols) <(printf '%s\n' "$words") | head -n 3 | tr '\n' ' ')
	if [ -z "$hit" ]; then
		qh_fail "the backtrace names no kernel function"
	else
		# shellcheck disable=SC2034 # read by the caller
		QH_BT_SYMBOLS=$hit
	fi
}

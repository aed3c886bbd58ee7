#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test suite; each ends with 'N passed, N failed[, N skipped]'. Prints the sum last.
# Usage: tests/run-all.sh UNIT_TEST_BINARY...   (make check passes them)
set -u
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-/usr/bin/python3}
export PYTHON
mkdir -p tests/out
# with SANITIZE=1 builds: fail on any report, ignore what libraries keep for the process's life
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
tp=0 tf=0 ts=0 bad=
suite() {
	name=$1
	shift
	log=tests/out/$name.log
	"$@" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
	s=$(echo "$last" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')
	[ -n "$p" ] || { p=0; f=1; }
	[ "$rc" = 0 ] || [ "${f:-0}" != 0 ] || f=1
	tp=$((tp + p)) tf=$((tf + ${f:-0})) ts=$((ts + ${s:-0}))
	printf '%-14s %s\n' "$name" "${last:-no summary (exit $rc)}"
	if [ "${f:-0}" != 0 ]; then
		bad="$bad $name"
		grep -E '^(not ok|FAIL)|failed' "$log" | head -n 20 | sed 's/^/    /'
	fi
	grep -E '^(SKIP|skipped)' "$log" | head -n 5 | sed 's/^/    /'
}
for t in "$@"; do
	suite "$(basename "$t")" "$t"
done
[ -x tests/fuzz/fuzz_decode ] && suite fuzz-decode tests/fuzz/fuzz_decode tests/fuzz/corpus/decode
[ -x tests/fuzz/fuzz_planfile ] && suite fuzz-planfile tests/fuzz/fuzz_planfile tests/fuzz/corpus/planfile
[ -x tests/fuzz/fuzz_proxmox ] && suite fuzz-proxmox tests/fuzz/fuzz_proxmox tests/fuzz/corpus/proxmox \
	tests/proxmox/conf
[ -x tests/fuzz/fuzz_libvirt ] && suite fuzz-libvirt tests/fuzz/fuzz_libvirt tests/fuzz/corpus/libvirt
[ -x tests/fuzz/fuzz_qemucmd ] && suite fuzz-qemucmd tests/fuzz/fuzz_qemucmd tests/fuzz/corpus/qemucmd
[ -x tests/fuzz/fuzz_domain ] && suite fuzz-domain tests/fuzz/fuzz_domain tests/fuzz/corpus/domain tests/libvirt/domains
[ -x tests/fuzz/fuzz_qmp ] && suite fuzz-qmp tests/fuzz/fuzz_qmp tests/fuzz/corpus/qmp
[ -x tests/fuzz/fuzz_guestplan ] && suite fuzz-guestplan tests/fuzz/fuzz_guestplan tests/fuzz/corpus/guestplan
[ -x tests/fuzz/fuzz_dumpread ] && suite fuzz-dumpread tests/fuzz/fuzz_dumpread examples tests/data/bad \
	tests/fuzz/corpus/dumpread tests/fuzz/corpus/dump
[ -x tests/fuzz/fuzz_dump ] && suite fuzz-dump tests/fuzz/fuzz_dump examples/gpu-workstation.lspci tests/data/bad tests/fuzz/corpus/dump
suite golden sh tests/run-golden.sh
suite dump-readers sh tests/dump-readers.sh
suite corpus "$PYTHON" tests/corpus.py
[ -f tests/sysfs.sh ] && suite sysfs sh tests/sysfs.sh
[ -f tests/hostile.sh ] && suite hostile sh tests/hostile.sh
[ -f tests/input-programs.sh ] && suite input-programs sh tests/input-programs.sh
[ -f tests/consistency.sh ] && suite consistency sh tests/consistency.sh
[ -f tests/completion-zsh.sh ] && suite zsh-completion sh tests/completion-zsh.sh
[ -f tests/ecosystem.sh ] && suite ecosystem sh tests/ecosystem.sh
[ -f tests/qemu/run.sh ] && suite qemu sh tests/qemu/run.sh
[ -f tests/qemu/check.py ] && suite qemu-check "$PYTHON" tests/qemu/check.py
[ -f tests/guest/check.py ] && suite guest-check "$PYTHON" tests/guest/check.py
[ -f tests/libvirt/run.sh ] && suite libvirt sh tests/libvirt/run.sh
[ -f tests/libvirt/check.py ] && suite libvirt-check "$PYTHON" tests/libvirt/check.py
[ -f tests/libvirt/corpus.py ] && suite libvirt-corpus "$PYTHON" tests/libvirt/corpus.py
[ -f tests/proxmox/run.sh ] && suite proxmox sh tests/proxmox/run.sh
echo
[ -z "$bad" ] || echo "failed suites:$bad (logs in tests/out/)"
if [ "$ts" -gt 0 ]; then
	echo "$tp passed, $tf failed, $ts skipped"
else
	echo "$tp passed, $tf failed"
fi
[ "$tf" = 0 ]

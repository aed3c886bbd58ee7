#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# src/host/dumpread.c against libpci's own dump reader (PCILINK_DUMP_READER=libpci): the same
# output, diagnostics and exit code for every dump we have (the examples, the malformed corpus,
# the fuzz corpus, the real machines in ../shared/fixtures, synthetic hosts) and several
# selections (slot, vendor:device, class filters run libpci's filter on the cached functions).
# Also: a dump from a pipe, as from --dump <(ssh host lspci -xxx), is read whole, once.
set -u
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-/usr/bin/python3}
T=tests/out/dump-readers
pass=0 fail=0 skip=0
mkdir -p "$T"
run() { # READER FILE ARGS...: one file holding stdout, stderr and the exit code
	r=$1 f=$2
	shift 2
	PCILINK_DUMP_READER=$r ./pcilink "$@" --dump "$f" >"$T/out" 2>"$T/err"
	echo "rc=$?" >>"$T/out"
	sed "s|$f|DUMP|g" "$T/err" >>"$T/out"
	cat "$T/out"
}
same() { # FILE ARGS...
	run native "$@" >"$T/a"
	run libpci "$@" >"$T/b"
	if cmp -s "$T/a" "$T/b"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $*: the two readers differ"
		diff "$T/b" "$T/a" | head -n 10
	fi
}
check() { # FILE
	same "$1" probe --all --format json
	same "$1" probe
	same "$1" probe -s 00: --format yaml
	same "$1" probe -d 10de: --all
	same "$1" probe -d ::0604 --all
	same "$1" gen-qemu-args --qemu-version 10.0
}
rm -rf "$T/synth"
mkdir -p "$T/synth"
for n in 1 40 300; do
	$PYTHON tests/tools/synth.py $n "$T/synth/h$n" >/dev/null 2>&1 || echo "FAIL synth.py $n"
done
for f in examples/*.lspci tests/data/bad/*.lspci tests/fuzz/corpus/dump/* "$T"/synth/*.dump; do
	[ -f "$f" ] && check "$f"
done
if [ -d ../shared/fixtures ]; then
	for f in $(find ../shared/fixtures -name '*.dump' -type f | sort); do
		check "$f"
	done
else
	skip=$((skip + 1))
	echo "SKIP ../shared/fixtures is absent: the real machines' dumps"
fi
# a pipe (one read only) and stdin give what the file gives, but for the source's path
whole() { # NAME [VAR=VALUE] COMMAND: the JSON report without its path line
	name=$1
	shift
	env "$@" 2>&1 | grep -v '"path":' >"$T/$name.json"
}
whole file ./pcilink probe --all --format json --dump examples/gpu-workstation.lspci
whole pipe bash -c './pcilink probe --all --format json --dump <(cat examples/gpu-workstation.lspci)'
whole pipe-libpci PCILINK_DUMP_READER=libpci \
	bash -c './pcilink probe --all --format json --dump <(cat examples/gpu-workstation.lspci)'
whole stdin sh -c './pcilink probe --all --format json --dump - <examples/gpu-workstation.lspci'
for n in pipe pipe-libpci stdin; do
	if [ -s "$T/file.json" ] && cmp -s "$T/file.json" "$T/$n.json"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL a dump from $n differs from the file"
	fi
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]

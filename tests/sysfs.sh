#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pcilink on fake sysfs trees (libpci's sysfs method, the live code path): trees are built from
# the example dump and tests/data/*.props.yaml, golden cases in tests/golden-sysfs run on them,
# an ordinary user probes an unprivileged tree, broken trees give clear diagnostics, and strace
# proves that nothing is opened for writing and nothing is written but stdout and stderr.
set -u
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-/usr/bin/python3}
T=tests/out/sysfs
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
mk() { # NAME [mksysfs options]
	name=$1; shift
	rm -rf "$T/$name"
	$PYTHON tests/tools/mksysfs.py examples/gpu-workstation.lspci "$T/$name" \
		--props tests/data/gpu-workstation.props.yaml -q "$@" || bad "mksysfs $name"
}
mkdir -p "$T"
mk gpu
mk gpu-nonroot --unprivileged
# broken trees: a function that vanished after the scan (no config: ENOENT), a config file
# shorter than the header, a dangling driver link, a missing mandatory attribute
mk broken
rm "$T/broken/bus/pci/devices/0000:04:00.0/config"
head -c 20 "$T/broken/bus/pci/devices/0000:06:00.0/config" > "$T/broken/cfg" &&
	mv "$T/broken/cfg" "$T/broken/bus/pci/devices/0000:06:00.0/config"
ln -sfn ../../../../bus/pci/drivers/gone "$T/broken/bus/pci/devices/0000:05:00.0/driver"
mk novendor
rm "$T/novendor/bus/pci/devices/0000:05:00.0/vendor"
# a synthetic host with switches and SR-IOV VFs (physfn links)
rm -rf "$T/synth100.sysfs"
$PYTHON tests/tools/synth.py 100 "$T/synth100" --sysfs >/dev/null 2>&1 || bad "synth.py 100"

GOLDEN_DIR=tests/golden-sysfs sh tests/run-golden.sh > "$T/golden.log" 2>&1
g=$(tail -n 1 "$T/golden.log")
gp=$(echo "$g" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
gf=$(echo "$g" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
pass=$((pass + ${gp:-0})) fail=$((fail + ${gf:-1}))
grep -E '^(FAIL|[-+@])' "$T/golden.log" | head -n 40

# an ordinary user on the unprivileged tree: useful output, one note on stderr
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups ./pcilink probe --sysfs "$T/gpu-nonroot" \
		-n >"$T/nobody.out" 2>"$T/nobody.err"
	rc=$?
	[ $rc = 0 ] && grep -q 'Recommend: x-speed=16,x-width=16' "$T/nobody.out" &&
		[ "$(grep -c 'needs root' "$T/nobody.err")" = 1 ] && ok "non-root probe on a 64-byte-config tree" ||
		bad "non-root probe: rc=$rc $(cat "$T/nobody.err")"
	# a config file that cannot be opened at all: a warning naming it, the rest still handled
	mk noperm
	chmod 000 "$T/noperm/bus/pci/devices/0000:04:00.0/config"
	setpriv --reuid=65534 --regid=65534 --clear-groups ./pcilink probe --sysfs "$T/noperm" --all -n \
		-o json >"$T/noperm.out" 2>"$T/noperm.err"
	rc=$?
	[ $rc = 0 ] && grep -q 'Cannot open.*0000:04:00.0/config' "$T/noperm.out" &&
		grep -q '"slot": "0000:07:00.1"' "$T/noperm.out" && ok "unreadable config file" ||
		bad "unreadable config: rc=$rc $(head -c 300 "$T/noperm.err")"
else
	echo "SKIP non-root runs: need root and setpriv to switch to nobody"
	skip=$((skip + 2))
fi

# a FIFO or a directory where libpci opens a file: a FIFO blocked forever; refused, one line
D=bus/pci/devices/0000:04:00.0
for case in fifo:config fifo:vendor fifo:resource dir:config; do
	kind=${case%%:*} file=${case#*:}
	mk "$kind-$file"
	rm "$T/$kind-$file/$D/$file"
	if [ "$kind" = fifo ]; then mkfifo "$T/$kind-$file/$D/$file"; else mkdir "$T/$kind-$file/$D/$file"; fi
	timeout 10 ./pcilink probe --sysfs "$T/$kind-$file" --all >"$T/$kind-$file.out" 2>"$T/$kind-$file.err"
	rc=$?
	what=$([ "$kind" = fifo ] && echo "a FIFO" || echo "a directory")
	[ $rc = 1 ] && [ ! -s "$T/$kind-$file.out" ] && [ "$(wc -l <"$T/$kind-$file.err")" = 1 ] &&
		grep -q "0000:04:00.0/$file: $what, not a regular file: not a sysfs tree" "$T/$kind-$file.err" &&
		ok "$what as $file refused" || bad "$what as $file: rc=$rc $(head -c 300 "$T/$kind-$file.err")"
done
# an attribute pcilink reads itself (link facts of a 64-byte-config tree): taken as absent
mk fifo-attr --unprivileged
rm "$T/fifo-attr/bus/pci/devices/0000:03:00.0/max_link_speed"
mkfifo "$T/fifo-attr/bus/pci/devices/0000:03:00.0/max_link_speed"
timeout 10 ./pcilink probe --sysfs "$T/fifo-attr" 03:00.0 -o json >"$T/fifo-attr.out" 2>"$T/fifo-attr.err"
rc=$?
[ $rc = 0 ] && $PYTHON -c 'import json, sys; l = json.load(sys.stdin)["devices"][0]["pcie"]["link"]
assert l["max_speed"] is None and l["max_width"] == 16, l' <"$T/fifo-attr.out" &&
	ok "a FIFO as max_link_speed: unknown" || bad "a FIFO as max_link_speed: rc=$rc $(head -c 300 "$T/fifo-attr.err")"

# a link name quoted in a warning: a short excerpt, terminal escapes written as \xNN
mk physfn
ln -sfn "../$(printf 'x\033[2J%.0s' $(seq 1 20))" "$T/physfn/bus/pci/devices/0000:03:00.0/physfn"
./pcilink probe --sysfs "$T/physfn" 03:00.0 >"$T/physfn.out" 2>&1
grep -q "physfn link points to 'x\\\\x1b\[2Jx.*\.\.\.', which" "$T/physfn.out" && ! grep -q "$(printf '\033')" "$T/physfn.out" &&
	ok "a hostile physfn link quoted as an excerpt" || bad "physfn excerpt: $(grep physfn "$T/physfn.out" | head -c 300)"

# this very machine: every function lspci sees, with or without root
if [ -d /sys/bus/pci/devices ] && command -v lspci >/dev/null; then
	want=$(lspci -D | wc -l)
	got=$(./pcilink probe --all -n -o json | $PYTHON -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')
	[ "$got" = "$want" ] && ok "live probe --all: $got functions, as lspci -D" || bad "live probe: $got, lspci $want"
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups ./pcilink probe --all -n >"$T/live-nobody.out" 2>"$T/live-nobody.err"
		rc=$?
		n=$(grep -c '^[0-9a-f]\{4\}:' "$T/live-nobody.out")
		[ $rc = 0 ] && [ "$n" = "$want" ] && ok "live probe --all as nobody: $n functions" ||
			bad "live probe as nobody: rc=$rc, $n functions: $(head -c 300 "$T/live-nobody.err")"
	fi
else
	echo "SKIP live probe: no /sys/bus/pci or lspci"
	skip=$((skip + 1))
fi

# read-only, proven: every open is read-only, every write goes to stdout or stderr
if command -v strace >/dev/null; then
	chmod -R a-w "$T/gpu"
	for args in "probe --sysfs $T/gpu --all -o json" "probe --sysfs $T/gpu" \
		"probe --dump examples/gpu-workstation.lspci --all -o yaml" \
		"gen-qemu-args --sysfs $T/gpu --qemu-version 9.0 -o json" \
		"gen-qemu-args --dump examples/gpu-workstation.lspci --qemu-version 7.2 --all"; do
		strace -f -qq -o "$T/strace.log" -e trace=open,openat,openat2,creat,write,writev,pwrite64,truncate,ftruncate,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,chmod,fchmod,fchmodat \
			./pcilink $args >/dev/null 2>&1
		w=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|creat\(|truncate|unlink|rename|mkdir|chmod' "$T/strace.log" |
			grep -v 'ENOENT' | head -n 3)
		o=$(grep -E '^[0-9]+ +(write|writev|pwrite64)\(' "$T/strace.log" | grep -vE '\((1|2), ' | head -n 3)
		n=$(grep -cE 'open' "$T/strace.log")
		[ -z "$w$o" ] && [ "$n" -gt 10 ] && ok "read-only: pcilink $args ($n opens, all O_RDONLY)" ||
			bad "read-only: pcilink $args: $w $o"
	done
	chmod -R u+w "$T/gpu"
else
	echo "SKIP read-only proof: strace not installed"
	skip=$((skip + 1))
fi
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail = 0 ]

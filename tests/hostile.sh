#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input (issue 10): endless and huge input is capped, a dump that shrinks while it is
# read is no crash, nesting is capped, and cost grows linearly with the input (a time bound
# generous enough for sanitizer builds on a loaded machine, far below the quadratic code's).
set -u
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-/usr/bin/python3}
T=tests/out/hostile
P=${PCILINK:-./pcilink}
E=examples/gpu-workstation.lspci
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
mkdir -p "$T"

# expect NAME RC PATTERN CMD...: exit status RC, one stderr line matching PATTERN, empty stdout
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	if [ "$rc" = "$want" ] && [ ! -s "$T/$name.out" ] && [ "$(wc -l <"$T/$name.err")" = 1 ] &&
		grep -q -- "$pat" "$T/$name.err"; then
		ok "$name"
	else
		bad "$name: rc=$rc (want $want) stdout=$(wc -c <"$T/$name.out")B stderr: $(head -c 300 "$T/$name.err")"
	fi
}

# CPU seconds a command takes, user and system (wall time depends on the machine's load);
# stdout, stderr and the exit status go to $T/NAME.{out,err,rc}
timed() {
	name=$1
	shift
	$PYTHON -c 'import resource, subprocess, sys
t = sys.argv[1]
with open(t + ".out", "wb") as o, open(t + ".err", "wb") as e:
    rc = subprocess.call(sys.argv[2:], stdout=o, stderr=e)
open(t + ".rc", "w").write("%d\n" % rc)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f" % (r.ru_utime + r.ru_stime))' "$T/$name" "$@"
}

# CPU time limits: 5 s (the linear code takes under 1 s), 15 s in sanitizer builds (make check
# SANITIZE=1), both far below the quadratic code's (9 to 26 s, minutes under ASan)
LIMIT=5
[ -n "${SANITIZE:-}" ] && LIMIT=15

# within NAME SECONDS LIMIT: SECONDS (from timed) below LIMIT
within() {
	if awk -v t="$2" -v l="$3" 'BEGIN { exit !(t < l) }'; then
		ok "$1 (${2}s)"
	else
		bad "$1 took ${2}s, limit ${3}s"
	fi
}

# endless or huge input stops at the cap, with the cap in the message
expect dump-dev-zero 1 'dev/zero: more than 256 MiB: not an lspci dump' $P probe --dump /dev/zero
expect dump-endless-pipe 1 '^pcilink: probe: -: more than 256 MiB' sh -c "yes '00: 00' | $P probe --dump -"
expect dump-directory 1 'tests: cannot read: Is a directory' $P probe --dump tests
expect plan-dev-zero 1 '/dev/zero: more than 16 MiB: not a plan' \
	$P gen-qemu-args -F $E --qemu-version 7.2 --plan /dev/zero 03:00.0
expect plan-endless-pipe 1 '^pcilink: gen-qemu-args: -: more than 16 MiB' \
	sh -c "yes 'x: y' | $P gen-qemu-args -F $E --qemu-version 7.2 --plan - 03:00.0"

# a dump that shrinks while it is read: it was mapped, and the next page faulted in died of SIGBUS
head -c 200000000 /dev/zero | tr '\0' '\n' >"$T/shrink.lspci"
$P probe --dump "$T/shrink.lspci" >/dev/null 2>"$T/shrink.err" &
pid=$!
sleep 0.2
: >"$T/shrink.lspci"
wait $pid
rc=$?
rm -f "$T/shrink.lspci"
[ $rc -lt 128 ] && ok "dump truncated while read (rc=$rc)" || bad "dump truncated while read: rc=$rc $(head -c 300 "$T/shrink.err")"

# 40,000 levels of nesting: libyaml's loader took 14 s; refused at level 17
$PYTHON -c 'n = 40000; print("[" * n + "]" * n)' >"$T/deep.yaml"
s=$(timed plan-deep $P gen-qemu-args -F $E --qemu-version 7.2 --plan "$T/deep.yaml" 03:00.0)
within "plan nested 40,000 levels" "$s" $LIMIT
grep -q 'deep.yaml:1:17: nested deeper than 16 levels: not a plan' "$T/plan-deep.err" &&
	[ "$(cat "$T/plan-deep.rc")" = 1 ] && ok "plan nesting capped" || bad "plan nesting: $(head -c 300 "$T/plan-deep.err")"

# 100,000 overrides of one device: adding each to the front of the list took 9 s
$PYTHON -c 'print("pcilink_plan: 1\ndevices:\n" + "- slot: \"03:00.0\"\n  speed: \"8\"\n" * 100000)' >"$T/many.yaml"
s=$(timed plan-many $P gen-qemu-args -F $E --qemu-version 7.2 --plan "$T/many.yaml" -o args)
within "plan with 100,000 overrides" "$s" $LIMIT
grep -q 'x-speed=8,' "$T/plan-many.out" && [ "$(cat "$T/plan-many.rc")" = 0 ] && ok "100,000 overrides applied" ||
	bad "100,000 overrides: $(head -c 300 "$T/plan-many.err")"

# 40,000 parentless bridges: a scan of parentless devices x bridges took 11 to 26 s
$PYTHON tests/tools/bridges.py 40000 >"$T/bridges.lspci"
s=$(timed bridges $P probe --dump "$T/bridges.lspci" 0000:00:01.0)
within "dump of 40,000 bridges, one slot" "$s" $LIMIT
grep -q '^0000:00:01.0 ' "$T/bridges.out" && [ "$(cat "$T/bridges.rc")" = 0 ] && ok "40,000 bridges probed" ||
	bad "40,000 bridges: rc=$(cat "$T/bridges.rc") $(head -c 300 "$T/bridges.err")"
# 20,000 assigned devices, 40,000 findings: growing the findings one element at a time copied
# them all for each (1.3 KB each; quadratic under ASan, 83 fuzz inputs/s)
$PYTHON -c 'print("qemu-system-x86_64 -machine q35 " + " ".join("-device vfio-pci,host=03:00.0,id=h%d" % i
    for i in range(20000)))' >"$T/many-devices.sh"
s=$(timed check-many $P check --qemu-cmdline "$T/many-devices.sh" --dump $E --qemu-version 9.2 -o json)
within "check of 20,000 devices" "$s" $LIMIT
[ "$(grep -c '"code"' "$T/check-many.out")" = 40000 ] && [ "$(cat "$T/check-many.rc")" = 3 ] &&
	ok "20,000 devices checked" || bad "20,000 devices: rc=$(cat "$T/check-many.rc") $(head -c 300 "$T/check-many.err")"
# a domain with 20,000 stale pcilink ports (one index, which libvirt would refuse) and 20,000
# override devices of theirs: each port was compared with every device (21.9 s); all go
$PYTHON -c 'n = 20000
print("<domain type=\"qemu\" xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\"><name>t</name>"
      "<os><type arch=\"x86_64\" machine=\"q35\">hvm</type></os><devices>"
      "<controller type=\"pci\" index=\"0\" model=\"pcie-root\"/>"
      + "<controller type=\"pci\" index=\"9\" model=\"pcie-root-port\"><alias name=\"ua-rp-77-00\"/></controller>\n" * n
      + "</devices><qemu:override>"
      + "<qemu:device alias=\"ua-rp-77-00\"><qemu:frontend><qemu:property name=\"x-speed\" type=\"string\" "
        "value=\"8\"/></qemu:frontend></qemu:device>\n" * n + "</qemu:override></domain>")' >"$T/stale.xml"
s=$(timed stale $P gen-libvirt-xml -F $E --qemu-version 7.2 --domain "$T/stale.xml" 04:00.0)
within "domain with 20,000 stale ports and their override devices" "$s" $LIMIT
[ "$(cat "$T/stale.rc")" = 0 ] && ! grep -q ua-rp-77 "$T/stale.out" && ok "20,000 stale ports removed" ||
	bad "20,000 stale ports: rc=$(cat "$T/stale.rc") $(head -c 300 "$T/stale.err")"
rm -f "$T/bridges.lspci" "$T/many.yaml" "$T/many-devices.sh" "$T/stale.xml"

echo "$pass passed, $fail failed"
[ $fail = 0 ]

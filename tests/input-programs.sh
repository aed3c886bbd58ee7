#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A program named inside an input file (a plan's target qemu, a domain's <emulator>) runs only
# when it and every directory above it are owned by root and writable by no one else (OpenSSH's
# rule for helper programs); a QEMU given with --qemu runs as the user's choice. The fake QEMU
# leaves a marker file when it runs.
set -u
cd "$(dirname "$0")/.." || exit 1
T=$PWD/tests/out/input-programs
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
rm -rf "$T" && mkdir -p "$T" && chmod 755 "$T" || exit 1
MARK=$T/ran
DUMP=examples/gpu-workstation.lspci

# fake QEMU DIR: DIR/qemu, 0755, answering as QEMU 7.2 does
fake() {
	mkdir -p "$1"
	cat > "$1/qemu" <<EOF
#!/bin/sh
touch '$MARK'
case "\$1" in
--version) echo 'QEMU emulator version 7.2.0' ;;
*) printf 'pcie-root-port options:\n  x-speed=<PCIELinkSpeed> - 2_5/5/8/16 (default: "16")\n  x-width=<PCIELinkWidth> - 1/2/4/8/12/16/32 (default: "32")\n' ;;
esac
EOF
	chmod 755 "$1/qemu"
}
plan() { printf 'pcilink_plan: 1\ntarget:\n  qemu: %s\n' "$1" > "$T/plan.yaml"; }
domain() { sed "s|<emulator>.*</emulator>|<emulator>$1</emulator>|" tests/libvirt/domains/q35-default.xml > "$T/vm.xml"; }
gen_plan() { rm -f "$MARK"; ./pcilink gen-qemu-args -F $DUMP --plan "$T/plan.yaml" 04:00.0 >"$T/out" 2>"$T/err"; }
gen_domain() { rm -f "$MARK"; ./pcilink gen-libvirt-xml -F $DUMP --domain "$T/vm.xml" 04:00.0 >"$T/out" 2>"$T/err"; }
# refused: exit 0, not run, one warning naming the file and why
refused() { # WHAT RC WHY
	if [ "$2" = 0 ] && [ ! -e "$MARK" ] && [ "$(wc -l < "$T/err")" = 1 ] &&
		grep -q "warning: .*not run: .*$3.*; planning for" "$T/err"; then
		ok "$1: not run ($(cut -c1-150 "$T/err"))"
	else
		bad "$1: rc=$2 ran=$([ -e "$MARK" ] && echo yes || echo no) $(cat "$T/err")"
	fi
}
ran() { # WHAT RC
	if [ "$2" = 0 ] && [ -e "$MARK" ] && ! grep -q 'not run' "$T/err" &&
		grep -q 'x-speed' "$T/out"; then
		ok "$1: run"
	else
		bad "$1: rc=$2 ran=$([ -e "$MARK" ] && echo yes || echo no) $(cat "$T/err")"
	fi
}

# a directory writable by its group, anywhere
fake "$T/gw"
chmod 775 "$T/gw"
plan "$T/gw/qemu"; gen_plan; refused "plan qemu in a group-writable directory" $? "is writable by its group"
domain "$T/gw/qemu"; gen_domain; refused "domain emulator in a group-writable directory" $? "is writable by its group"
# the program itself writable by others
fake "$T/ow"
chmod 757 "$T/ow/qemu"
plan "$T/ow/qemu"; gen_plan; refused "plan qemu writable by others" $? "is writable by others"
# under a world-writable directory (/tmp), however tight the folders below it
tmp=$(mktemp -d /tmp/pcilink-test.XXXXXX) && chmod 755 "$tmp" && fake "$tmp/bin"
domain "$tmp/bin/qemu"; gen_domain; refused "domain emulator under /tmp" $? "/tmp is writable by others"
# a root-owned path that is a symlink to it: the resolved path counts
if [ "$(id -u)" = 0 ]; then
	fake "$T/own"
	ln -s "$tmp/bin/qemu" "$T/own/link"
	plan "$T/own/link"; gen_plan; refused "plan qemu symlinked to /tmp" $? "/tmp is writable by others"
	chown 65534 "$T/own/qemu"
	plan "$T/own/qemu"; gen_plan; refused "plan qemu owned by another user" $? "is owned by uid 65534, not root"
fi
# what the user names on the command line runs, wherever it is
rm -f "$MARK"
./pcilink gen-qemu-args -F $DUMP --plan "$T/plan.yaml" --qemu "$tmp/bin/qemu" 04:00.0 >"$T/out" 2>"$T/err"
ran "--qemu under /tmp" $?
# a domain whose <emulator> does not exist: said, and what is used instead
domain /nonexistent/qemu-system-x86_64; gen_domain
rc=$?
[ $rc = 0 ] && grep -q '<emulator> /nonexistent/qemu-system-x86_64: not run: it does not exist; planning for ' "$T/err" &&
	ok "domain emulator that does not exist: $(cat "$T/err")" || bad "missing emulator: rc=$rc $(cat "$T/err")"
# a name with a terminal escape in it is quoted escaped, never sent to the terminal
printf 'pcilink_plan: 1\ntarget:\n  qemu: "/nonexistent/\\e[2Jqemu"\n' > "$T/plan.yaml"; gen_plan
rc=$?
[ $rc = 0 ] && grep -q 'nonexistent/\\x1b\[2Jqemu: not run: it does not exist' "$T/err" && ! grep -q "$(printf '\033')" "$T/err" &&
	ok "escape in a named program: $(cat "$T/err" | cut -c1-120)" || bad "escape in a name: rc=$rc $(cat -v "$T/err")"
rm -rf "$tmp"

# runs: a root-owned 0755 program in root-owned 0755 folders up to /
if [ "$(id -u)" = 0 ]; then
	safe=$(mktemp -d /var/lib/pcilink-test.XXXXXX) && chmod 755 "$safe" && fake "$safe"
	# every folder up to / root's and writable by no one else (else this machine cannot say)
	d=$safe chain=yes
	while [ -n "$d" ]; do
		m=$(stat -c '%u %a' "$d/" 2>/dev/null)
		case $m in 0\ *[0145][0145]) ;; *) chain=no ;; esac
		d=${d%/*}
	done
	if [ -n "$safe" ] && [ $chain = yes ]; then
		plan "$safe/qemu"; gen_plan; ran "plan qemu, root-owned 0755 path" $?
		domain "$safe/qemu"; gen_domain; ran "domain emulator, root-owned 0755 path" $?
	else
		echo "SKIP a trusted program runs: /var/lib is not root's and closed to others here"
		skip=$((skip + 1))
	fi
	rm -rf "$safe"
else
	echo "SKIP a trusted program runs: needs root to make a root-owned one"
	skip=$((skip + 1))
fi
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail = 0 ]

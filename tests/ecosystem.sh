#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pcilink where hypervisor people use it: the shipped Ansible local fact under Debian's real
# ansible, the jq recipe that compares two hosts, and make install/uninstall into a DESTDIR.
set -u
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# Ansible: the shipped fact, run by ansible's setup module from a fact_path, this tree's pcilink first
if command -v ansible >/dev/null; then
	mkdir -p "$T/facts.d" "$T/bin"
	cp examples/ansible/pcilink.fact "$T/facts.d/"
	ln -s "$PWD/pcilink" "$T/bin/pcilink"
	PATH="$T/bin:$PATH" ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
		ANSIBLE_LOCAL_TEMP="$T/tmp" ANSIBLE_HOME="$T/home" \
		timeout 120 ansible localhost -c local -m setup -a "filter=ansible_local fact_path=$T/facts.d" \
		>"$T/ansible.out" 2>"$T/ansible.err"
	rc=$?
	n=$(sed '1s/^localhost | SUCCESS => /{/; 1s/^{{$/{/' "$T/ansible.out" | $PYTHON -c '
import json, sys
d = json.load(sys.stdin)["ansible_facts"]["ansible_local"]["pcilink"]
assert d["schema"] == 1, d.get("schema")
print(len(d["devices"]))' 2>"$T/py.err")
	want=$(lspci -D 2>/dev/null | wc -l)
	[ $rc = 0 ] && [ -n "$n" ] && [ "$n" = "$want" ] &&
		ok "ansible localhost -m setup: ansible_local.pcilink has all $n functions (schema 1)" ||
		bad "ansible fact: rc=$rc n=$n want=$want $(head -c 300 "$T/ansible.err" "$T/py.err")"
else
	echo "SKIP ansible not installed"
	skip=$((skip + 1))
fi

# the jq recipe: host B is the example with the NIC's link repaired (x4) and a wider 4090 slot
$PYTHON - "$T/b.lspci" <<'PY'
import sys
s = open("examples/gpu-workstation.lspci").read().split("\n\n")
def patch(block, off, val):
    lines = block.split("\n")
    row, col = 1 + off // 16, off % 16
    b = lines[row].split(" ")
    b[1 + col] = "%02x" % val
    lines[row] = " ".join(b)
    return "\n".join(lines)
for i, b in enumerate(s):
    if b.startswith("0000:06:00.0") or b.startswith("0000:00:08.1"):
        s[i] = patch(b, 0x52, 0x43)              # LnkSta 8GT/s x4
    if b.startswith("0000:00:01.2"):
        s[i] = patch(patch(b, 0x4c, 0x04), 0x4d, 0x05)   # LnkCap 16GT/s x16
        s[i] = patch(s[i], 0x52, 0x04); s[i] = patch(s[i], 0x53, 0x01)
open(sys.argv[1], "w").write("\n\n".join(s))
PY
if command -v jq >/dev/null; then
	./pcilink probe -F examples/gpu-workstation.lspci --all -n -o json >"$T/a.json"
	./pcilink probe -F "$T/b.lspci" --all -n -o json >"$T/b.json"
	jq -n --slurpfile a "$T/a.json" --slurpfile b "$T/b.json" -f examples/pcilink-diff.jq >"$T/diff.json"
	models=$(jq -r '[.[].model] | join(" ")' "$T/diff.json")
	[ "$models" = "1022:14db 1022:14dd 10de:22ba 10de:2684 8086:1563" ] && ok "jq diff recipe names the models that differ: $models" ||
		bad "jq diff: got '$models'"
	w=$(jq -r '.[] | select(.model == "8086:1563") | "\(.a[0].width) \(.b[0].width)"' "$T/diff.json")
	[ "$w" = "2 4" ] && ok "jq diff shows the NIC at x2 on host A and x4 on host B" || bad "jq diff NIC: '$w'"
	same=$(jq -n --slurpfile a "$T/a.json" --slurpfile b "$T/a.json" -f examples/pcilink-diff.jq -c)
	[ "$same" = "[]" ] && ok "jq diff of a host with itself is empty" || bad "jq diff self: $same"
else
	echo "SKIP jq not installed"
	skip=$((skip + 1))
fi

# make install / uninstall with PREFIX and DESTDIR, where Debian expects the files
D=$T/destdir
make -s install DESTDIR="$D" PREFIX=/usr >"$T/install.log" 2>&1 || bad "make install: $(cat "$T/install.log")"
for f in usr/bin/pcilink usr/share/man/man1/pcilink.1 usr/share/bash-completion/completions/pcilink \
	usr/share/zsh/vendor-completions/_pcilink usr/share/fish/vendor_completions.d/pcilink.fish; do
	[ -f "$D/$f" ] && ok "installed $f" || bad "make install did not install $f"
done
v=$("$D/usr/bin/pcilink" --version | awk '{ print $2 }')
mv=$(sed -n 's/^\.TH .*"pcilink \([0-9.]*\)".*/\1/p' "$D/usr/share/man/man1/pcilink.1")
[ "$v" = "$mv" ] && ok "installed pcilink --version $v matches the man page" || bad "version $v, man $mv"
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$D/usr/share/man/man1/pcilink.1" 2>/dev/null | grep -q 'EXIT STATUS' &&
		ok "man -l renders the installed page" || bad "man -l cannot render the page"
fi
make -s uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
left=$(find "$D" -type f | wc -l)
[ "$left" = 0 ] && ok "make uninstall removes every installed file" || bad "uninstall left $left files"

if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail = 0 ]

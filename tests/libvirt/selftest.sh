#!/bin/sh
# Self-test of the libvirt test tools (lv.sh, lv-check.py) against the real
# libvirt and QEMU of this machine: a hand-written q35 domain (one
# pcie-root-port with alias ua-rp-01-00, a <hostdev> on it, a <qemu:override>
# setting x-speed 8 / x-width 4), the mistakes libvirt lets through silently
# (TESTING.md's table) and the virt-install domains in domains/. Proves the
# tools report each case so that pcilink's tests can catch it.
#
# Usage: tests/libvirt/selftest.sh [--libvirt11] [--no-boot] [-v]
#   --libvirt11  use libvirt 11.x (setup-libvirt11.sh) instead of Debian 12's
#   --no-boot    skip the guest boots (~10 s each; conversions only)
#   -v           print every check, not only failures
# Prints "N passed, N failed"; exit 0 only if nothing failed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
LVC="$HERE/lv-check.py"
LV="$HERE/lv.sh"
V11='' BOOT=--boot VERBOSE=''
for a in "$@"; do
    case $a in
    --libvirt11) V11=--libvirt11 ;;
    --no-boot) BOOT= ;;
    -v) VERBOSE=1 ;;
    *) sed -n '/^# Usage:/,/^# Prints/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done

T=$(mktemp -d "${TMPDIR:-/tmp}/lv-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); [ -z "$VERBOSE" ] || echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1${2:+: $2}"; }

# lvcheck NAME FILE [OPTS...]: lv-check.py's JSON into $T/NAME.json
lvcheck() {
    name=$1 file=$2
    shift 2
    rc=0
    # shellcheck disable=SC2086
    "$LVC" $V11 "$@" "$file" >"$T/$name.json" 2>"$T/$name.err" || rc=$?
    if [ "$rc" -eq 0 ] && [ -s "$T/$name.json" ]; then
        ok "$name: lv-check.py ran"
    else
        bad "$name: lv-check.py exited $rc" "$(tail -n 3 "$T/$name.err")"
        echo '{}' >"$T/$name.json"
    fi
}

# check NAME PYTHON-EXPR DESCRIPTION: EXPR over d (the JSON), g (d["guest"]),
# p (d["ports"]), gp (d["guest"]["ports"])
check() {
    if out=$("$PY" - "$T/$1.json" "$2" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
g = d.get("guest") or {}
p = d.get("ports") or {}
gp = g.get("ports") or {}
try:
    r = eval(sys.argv[2])
except Exception as e:
    print("%s: %s" % (type(e).__name__, e))
    sys.exit(1)
sys.exit(0 if r else 1)
EOF
    ); then
        ok "$1: $3"
    else
        bad "$1: $3" "[$2] ${out}"
    fi
}

# --- fixtures -------------------------------------------------------------------
cat >"$T/base.xml" <<'EOF'
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>pcilink-selftest</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <features>
    <acpi/>
  </features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='1' port='0x10'/>
      <alias name='ua-rp-01-00'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </controller>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
      </source>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </hostdev>
  </devices>
  <qemu:override>
    <qemu:device alias='ua-rp-01-00'>
      <qemu:frontend>
        <qemu:property name='x-speed' type='string' value='8'/>
        <qemu:property name='x-width' type='string' value='4'/>
      </qemu:frontend>
    </qemu:device>
  </qemu:override>
</domain>
EOF
B=$T/base.xml
sed "s/type='string'/type='unsigned'/" "$B" >"$T/unsigned.xml"
sed "s/ xmlns:qemu='[^']*'//" "$B" >"$T/nons.xml"
sed "s/ua-rp-01-00/rp-01-00/g" "$B" >"$T/noua.xml"
sed "s/<qemu:device alias='ua-rp-01-00'>/<qemu:device alias='ua-rp-09-00'>/" "$B" >"$T/nomatch.xml"
sed "s/value='8'/value='32'/" "$B" >"$T/speed32.xml"
sed "s/<model name='pcie-root-port'\/>/<model name='ioh3420'\/>/" "$B" >"$T/ioh3420.xml"
for f in unsigned nons noua nomatch speed32 ioh3420; do
    cmp -s "$B" "$T/$f.xml" && bad "fixture $f: sed changed nothing"
done

# --- 0. the tools themselves ------------------------------------------------
if "$LV" $V11 setup >/dev/null 2>"$T/setup.err"; then ok "lv.sh setup"; else bad "lv.sh setup" "$(cat "$T/setup.err")"; fi
if "$LV" $V11 validate "$B" >/dev/null 2>&1; then ok "lv.sh validate: base is valid"; else bad "lv.sh validate: base is valid"; fi
if "$LV" $V11 validate "$T/nons.xml" >/dev/null 2>&1; then bad "lv.sh validate: missing xmlns:qemu is invalid"; else ok "lv.sh validate: missing xmlns:qemu is invalid"; fi
# Without <driver name='vfio'/> libvirt refuses to convert a <hostdev> here
# (9.0: "invalid PCI passthrough type 'default'"; 11.3: "host doesn't support
# passthrough of host PCI devices"); lv-check.py adds it to its copy.
if "$LV" $V11 native "$B" >/dev/null 2>&1; then
    bad "lv.sh native: hostdev without vfio driver is refused (libvirt changed?)"
else
    ok "lv.sh native: hostdev without vfio driver is refused"
fi
sed "s|<hostdev mode='subsystem' type='pci' managed='yes'>|&<driver name='vfio'/>|" "$B" >"$T/vfio.xml"
if "$LV" $V11 native "$T/vfio.xml" >"$T/vfio.argv" 2>&1 && grep -q '"x-speed":"8"' "$T/vfio.argv"; then
    ok "lv.sh native: argv has \"x-speed\":\"8\""
else
    bad "lv.sh native: argv has \"x-speed\":\"8\"" "$(tail -n 2 "$T/vfio.argv")"
fi

# --- 1. the hand-written domain ----------------------------------------------
lvcheck base "$B" $BOOT
check base 'd["valid"] is True and d["validate_error"] is None' "valid"
check base 'd["native_error"] is None' "converts"
check base 'd["vfio_added"] == 1' "one vfio driver added to the copy"
check base 'd["machine"].startswith("pc-q35-")' "machine is q35"
check base 'p["ua-rp-01-00"]["driver"] == "pcie-root-port"' "port ua-rp-01-00 is a pcie-root-port"
check base 'p["ua-rp-01-00"]["x-speed"] == "8"' "x-speed is the string \"8\""
check base 'p["ua-rp-01-00"]["x-width"] == "4"' "x-width is the string \"4\""
check base 'p["ua-rp-01-00"]["chassis"] == 1 and p["ua-rp-01-00"]["port"] == 16' "chassis 1, port 0x10"
check base 'p["ua-rp-01-00"]["bus"] == "pcie.0" and p["ua-rp-01-00"]["addr"] == "0x2"' "on pcie.0 at 0x2"
check base '[h["host"] for h in d["hostdevs"]] == ["0000:01:00.0"]' "one hostdev, host 0000:01:00.0"
check base 'd["hostdevs"][0]["bus"] == "ua-rp-01-00" and d["hostdevs"][0]["addr"] == "0x0"' "hostdev sits on ua-rp-01-00 at 0x0"
check base 'sum(1 for v in p.values() if v["x-speed"] is not None) == 1' "no other port got x-speed"
check base 'any("\"x-speed\":\"8\"" in a and "\"id\":\"ua-rp-01-00\"" in a for a in d["argv"])' "argv carries the override"
if [ -n "$BOOT" ]; then
    check base 'g["ok"] and g["complete"] and g["error"] is None' "guest booted and reported"
    check base 'gp["ua-rp-01-00"]["slot"] == "0000:00:02.0"' "guest: ua-rp-01-00 is 0000:00:02.0"
    check base 'gp["ua-rp-01-00"]["max_link_speed"] == "8.0 GT/s PCIe"' "guest: max_link_speed 8.0 GT/s"
    check base 'gp["ua-rp-01-00"]["max_link_width"] == "4"' "guest: max_link_width 4"
    check base 'gp["ua-rp-01-00"]["x-speed"] == "8" and gp["ua-rp-01-00"]["x-width"] == "4"' "guest: port at x-speed 8 / x-width 4"
    check base 'gp["ua-rp-01-00"]["current_link_speed"] == "2.5 GT/s PCIe"' "guest: current link = the e1000e stand-in (2.5 GT/s)"
    check base '[x["id"] for x in gp["ua-rp-01-00"]["below"]] == ["8086:10d3"]' "guest: the e1000e stand-in sits below ua-rp-01-00"
    check base 'len(g["standins"]) == 1 and g["standins"][0]["host"] == "0000:01:00.0"' "one stand-in, for 0000:01:00.0"
    check base 'g["unmapped_ports"] == []' "guest: every port mapped to its alias"
fi

# --- 2. silent failures (TESTING.md) ----------------------------------------------
lvcheck unsigned "$T/unsigned.xml" $BOOT
check unsigned 'd["valid"] is True' "type=unsigned: still valid"
check unsigned 'type(p["ua-rp-01-00"]["x-speed"]) is int and p["ua-rp-01-00"]["x-speed"] == 8' "type=unsigned: x-speed is the number 8"
check unsigned 'type(p["ua-rp-01-00"]["x-width"]) is int' "type=unsigned: x-width is a number"
if [ -n "$BOOT" ]; then
    check unsigned 'g["ok"] is False and "expected: string" in (g["qemu_error"] or "")' "type=unsigned: QEMU refuses it at start"
fi

lvcheck nons "$T/nons.xml" $BOOT
check nons 'd["valid"] is False' "no xmlns:qemu: invalid"
check nons '"Namespace prefix qemu" in (d["validate_error"] or "")' "no xmlns:qemu: validate_error names the prefix"
check nons 'd["native_error"] is None' "no xmlns:qemu: still converts"
check nons 'p["ua-rp-01-00"]["x-speed"] is None and p["ua-rp-01-00"]["x-width"] is None' "no xmlns:qemu: override dropped"
if [ -n "$BOOT" ]; then
    check nons 'g["ok"] and gp["ua-rp-01-00"]["x-speed"] == "16" and gp["ua-rp-01-00"]["x-width"] == "32"' "no xmlns:qemu: guest sees the defaults 16/32"
fi

lvcheck noua "$T/noua.xml" $BOOT
check noua 'd["valid"] is True' "alias without ua-: still valid"
check noua '"rp-01-00" not in p' "alias without ua-: alias dropped"
check noua 'all(v["x-speed"] is None and v["x-width"] is None for v in p.values())' "alias without ua-: override dropped"
check noua '[k for k, v in p.items() if v["addr"] == "0x2" and v["bus"] == "pcie.0"] == ["pci.1"]' "alias without ua-: the port is libvirt's pci.1"
if [ -n "$BOOT" ]; then
    check noua 'g["ok"] and gp["pci.1"]["x-speed"] == "16" and gp["pci.1"]["x-width"] == "32"' "alias without ua-: guest sees the defaults"
fi

lvcheck nomatch "$T/nomatch.xml"
check nomatch 'd["valid"] is True' "override alias matching nothing: valid"
check nomatch 'all(v["x-speed"] is None for v in p.values())' "override alias matching nothing: dropped"

lvcheck speed32 "$T/speed32.xml" $BOOT
check speed32 'd["valid"] is True and p["ua-rp-01-00"]["x-speed"] == "32"' "x-speed 32: valid and passed through"
if [ -n "$BOOT" ]; then
    check speed32 'g["ok"] is False and "does not accept value '"'32'"'" in (g["qemu_error"] or "")' "x-speed 32: QEMU 7.2 refuses it at start"
fi

lvcheck ioh3420 "$T/ioh3420.xml" $BOOT
check ioh3420 'd["valid"] is True and p["ua-rp-01-00"]["driver"] == "ioh3420"' "ioh3420: valid and passed through"
if [ -n "$BOOT" ]; then
    check ioh3420 'g["ok"] is False and "not found" in (g["qemu_error"] or "")' "ioh3420: QEMU: property not found"
fi

# --- 3. the virt-install domains -------------------------------------------------
D=$HERE/domains
for f in "$D"/*.xml; do
    n=dom-$(basename "$f" .xml)
    lvcheck "$n" "$f"
    check "$n" 'd["valid"] is True and d["native_error"] is None' "valid and converts"
done
check dom-pc-i440fx 'd["machine"].startswith("pc-i440fx-") and p == {}' "i440fx: no PCIe ports"
check dom-q35-default 'len(p) == 14 and all(v["driver"] == "pcie-root-port" for v in p.values())' "virt-install's 14 root ports"
check dom-q35-default-defined 'sorted(p) == sorted("pci.%d" % i for i in range(1, 15))' "stored form: ports pci.1..pci.14"
check dom-q35-hostdev 'd["hostdevs"][0]["host"] == "0000:01:00.0" and d["vfio_added"] == 1' "hostdev converts with vfio added"
check dom-q35-hostdev-defined 'd["hostdevs"][0]["bus"] == "pci.1"' "stored form: hostdev on pci.1"
check dom-q35-rootports 'p["ua-existing-rp"]["chassis"] == 16 and p["ua-existing-rp"]["port"] == 32 and p["ua-existing-rp"]["addr"] == "0x5"' "existing ua- root port kept"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

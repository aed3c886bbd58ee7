#!/bin/sh
# Self-test of qemu-check.py on hand-written argument files, against Debian 12's
# QEMU 7.2 and (when setup-qemu10.sh works) QEMU 10.0 from bookworm-backports.
#
# Usage: tests/qemu/selftest.sh [--no-boot]
# Prints one line per case and "N passed, N failed"; exits non-zero on failure.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
CHECK=$HERE/qemu-check.py
BOOT=--boot
[ "${1:-}" = "--no-boot" ] && BOOT=

T=$(mktemp -d "${TMPDIR:-/tmp}/qemu-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# check NAME QEMU "CHECK-OPTIONS" ARGSFILE EXPR...
# Each EXPR is a Python expression over r (qemu-check's JSON) that must be true.
# Helpers: port(id) = r["ports"][id], dev(id) = the devices entry with that id,
# gport(id) = what the guest saw on root port id, gdev(id) = on device id.
check() {
    name=$1 qemu=$2 opts=$3 file=$4
    shift 4
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    if ! "$CHECK" --qemu "$qemu" $opts "$file" >"$T/out.json" 2>"$T/err"; then
        echo "FAIL $name: qemu-check.py failed: $(cat "$T/err")"
        fail=$((fail + 1))
        return 0
    fi
    secs=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
    if "$PY" - "$T/out.json" "$@" <<'EOF'; then
import json, sys
r = json.load(open(sys.argv[1]))
def port(i): return r["ports"][i]
def dev(i): return next(d for d in r["devices"] if d["id"] == i)
def gport(i): return r["guest"][r["port_slots"][i]]
def gdev(i): return r["guest"][dev(i)["guest_slot"]]
bad = []
for expr in sys.argv[2:]:
    try:
        ok = eval(expr)
    except Exception as e:
        ok = "%s: %s" % (type(e).__name__, e)
    if ok is not True:
        bad.append("  %s -> %s" % (expr, ok))
if bad:
    print("\n".join(bad))
    print("  JSON: " + json.dumps({k: v for k, v in r.items() if k != "argv"})[:3000])
    sys.exit(1)
EOF
        echo "ok   $name (${secs}s)"
        pass=$((pass + 1))
    else
        echo "FAIL $name (${secs}s)"
        fail=$((fail + 1))
    fi
}

# --- argument files, as pcilink would write them -----------------------------
cat >"$T/x8.args" <<'EOF'
-device
pcie-root-port,id=rp-01-00,bus=pcie.0,chassis=1,port=0x10,addr=0x2,x-speed=8,x-width=4
-device
vfio-pci,host=0000:01:00.0,bus=rp-01-00,addr=0x0
EOF
# Two multifunction root ports (slot 2, functions 0 and 1); behind the first a
# two-function device (GPU + audio style), behind the second a single device.
cat >"$T/mf.args" <<'EOF'
-device
pcie-root-port,id=rp-01-00,bus=pcie.0,chassis=1,port=0x10,addr=0x2.0,x-speed=16,x-width=16,multifunction=on
-device
pcie-root-port,id=rp-02-00,bus=pcie.0,chassis=2,port=0x11,addr=0x2.1,x-speed=5,x-width=8
-device
vfio-pci,host=0000:01:00.0,bus=rp-01-00,addr=0x0.0,multifunction=on
-device
vfio-pci,host=0000:01:00.1,bus=rp-01-00,addr=0x0.1
-device
vfio-pci,host=0000:02:00.0,bus=rp-02-00,addr=0x0
EOF
printf '%s\0' -device \
    'pcie-root-port,id=rp-41-00,bus=pcie.0,chassis=3,port=0x12,addr=0x3,x-speed=32,x-width=16' \
    -device 'vfio-pci,host=0000:41:00.0,bus=rp-41-00,addr=0x0' >"$T/gen5.nul"
cat >"$T/gen1.args" <<'EOF'
-device
pcie-root-port,id=rp-05-00,bus=pcie.0,chassis=4,port=0x13,addr=0x4,x-speed=2_5,x-width=1,hotplug=off
-device
vfio-pci,host=0000:05:00.0,bus=rp-05-00,addr=0x0
EOF
cat >"$T/badwidth.args" <<'EOF'
-device
pcie-root-port,id=rp-01-00,bus=pcie.0,chassis=1,port=0x10,addr=0x2,x-speed=8,x-width=3
EOF

# --- the QEMU columns ----------------------------------------------------------
column() {
    v=$1 qemu=$2
    check "$v: x-speed=8,x-width=4 + vfio-pci" "$qemu" "$BOOT" "$T/x8.args" \
        'r["accepted"] is True' \
        'port("rp-01-00")["x-speed"] == "8" and port("rp-01-00")["x-width"] == "4"' \
        'dev("pcilink-standin-0")["parent"] == "rp-01-00"' \
        'dev("pcilink-standin-0")["swapped_from"] == "vfio-pci"' \
        'r["swapped"] == {"pcilink-standin-0": "0000:01:00.0"}' \
        ${BOOT:+'gport("rp-01-00")["max_speed"] == "8.0 GT/s PCIe"'} \
        ${BOOT:+'gport("rp-01-00")["max_width"] == "4"'} \
        ${BOOT:+'gport("rp-01-00")["lnkcap"].endswith("443")'} \
        ${BOOT:+'r["port_slots"]["rp-01-00"] == "0000:00:02.0"'}
    check "$v: multifunction ports and devices" "$qemu" "$BOOT" "$T/mf.args" \
        'r["accepted"] is True' \
        'port("rp-01-00")["multifunction"] is True and port("rp-01-00")["addr"] == 0x10' \
        'port("rp-02-00")["addr"] == 0x11 and port("rp-02-00")["x-speed"] == "5"' \
        'sorted((d["parent"], d["slot"], d["function"]) for d in r["devices"] if d.get("swapped_from")) == [("rp-01-00", 0, 0), ("rp-01-00", 0, 1), ("rp-02-00", 0, 0)]' \
        ${BOOT:+'r["port_slots"] == {"rp-01-00": "0000:00:02.0", "rp-02-00": "0000:00:02.1"}'} \
        ${BOOT:+'gdev("pcilink-standin-1")["vendor_device"] == "8086:10d3"'} \
        ${BOOT:+'dev("pcilink-standin-1")["guest_slot"] == "0000:01:00.1"'} \
        ${BOOT:+'gport("rp-01-00")["max_speed"] == "16.0 GT/s PCIe" and gport("rp-01-00")["max_width"] == "16"'} \
        ${BOOT:+'gport("rp-02-00")["max_speed"] == "5.0 GT/s PCIe" and gport("rp-02-00")["max_width"] == "8"'}
    check "$v: x-speed=2_5,x-width=1,hotplug=off" "$qemu" "$BOOT" "$T/gen1.args" \
        'r["accepted"] is True' \
        'port("rp-05-00")["x-speed"] == "2_5" and port("rp-05-00")["x-width"] == "1"' \
        'port("rp-05-00")["hotplug"] is False' \
        ${BOOT:+'gport("rp-05-00")["max_speed"] == "2.5 GT/s PCIe" and gport("rp-05-00")["max_width"] == "1"'}
    check "$v: x-width=3 refused" "$qemu" "" "$T/badwidth.args" \
        'r["accepted"] is False' \
        '"x-width" in r["error"] and "3" in r["error"]'
}

column 7.2 "$(command -v qemu-system-x86_64)"
check "7.2: x-speed=32 refused (NUL-separated input)" "$(command -v qemu-system-x86_64)" \
    --nul "$T/gen5.nul" \
    'r["accepted"] is False' \
    'r["error"].endswith("Parameter '"'"'x-speed'"'"' does not accept value '"'"'32'"'"'")' \
    'r["qemu_version"].startswith("7.2.")'

if Q10=$("$HERE/setup-qemu10.sh" 2>"$T/setup.err"); then
    column 10.0 "$Q10"
    check "10.0: x-speed=32 accepted (NUL-separated input)" "$Q10" "--nul $BOOT" "$T/gen5.nul" \
        'r["accepted"] is True and r["qemu_version"].startswith("10.")' \
        'port("rp-41-00")["x-speed"] == "32"' \
        ${BOOT:+'gport("rp-41-00")["max_speed"] == "32.0 GT/s PCIe"'}
else
    echo "SKIP 10.0: $(tail -n 3 "$T/setup.err")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

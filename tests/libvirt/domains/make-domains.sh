#!/bin/sh
# Regenerate the domain XMLs in this directory with real tools: Debian 12's
# virt-install (--print-xml) against a private libvirtd (../lv.sh daemon), and
# the stored form of some of them through `virsh define` + `virsh dumpxml`.
# See README.md for what each file is. Writes into this directory (or $1).
#
# Usage: tests/libvirt/domains/make-domains.sh [OUTDIR]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# Runs inside the private libvirtd's mount namespace (LV_DAEMON_URI is set).
# shellcheck disable=SC2016 # the script runs in the namespace, with its own $vars
"$HERE/../lv.sh" daemon sh -eu -c '
OUT=$1
U=$LV_DAEMON_URI
vi() { # NAME UUID MACHINE [EXTRA...]
    name=$1 uuid=$2 machine=$3
    shift 3
    virt-install --connect "$U" --print-xml --name "$name" --uuid "$uuid" \
        --memory 2048 --vcpus 2 --arch x86_64 --machine "$machine" --virt-type qemu \
        --osinfo detect=on,require=off --disk none --network none --graphics none \
        --boot hd "$@"
}
stored() { # IN OUT: define, dumpxml --inactive (the stored form), undefine
    name=$(sed -n "s:.*<name>\(.*\)</name>.*:\1:p" "$1" | head -n1)
    virsh -q -c "$U" define "$1" >/dev/null
    virsh -q -c "$U" dumpxml --inactive "$name" >"$2"
    virsh -q -c "$U" undefine "$name" >/dev/null
}

# (a) plain q35 guest, virt-install defaults
vi pcilink-q35 6c1f3b1e-0a01-4c1a-9a01-000000000001 q35 >"$OUT/q35-default.xml"

# (b) q35 guest that already has extra pcie-root-port controllers: one fully
#     specified (index, chassis/port, slot, user alias), one with just an index
vi pcilink-q35-rp 6c1f3b1e-0a01-4c1a-9a01-000000000002 q35 \
    --controller type=pci,model=pcie-root-port,index=16,target.chassis=16,target.port=0x20,address.type=pci,address.domain=0,address.bus=0,address.slot=0x05,address.function=0,alias.name=ua-existing-rp \
    --controller type=pci,model=pcie-root-port,index=17 >"$OUT/q35-rootports.xml"

# (c) q35 guest with an existing <hostdev>: --host-device with a bare PCI
#     address looks the device up in the node devices (fails when absent), so
#     the source address is written with xpath sub-options instead
vi pcilink-q35-hd 6c1f3b1e-0a01-4c1a-9a01-000000000003 q35 \
    --host-device "type=pci,xpath0.set=./source/address/@domain=0x0000,xpath1.set=./source/address/@bus=0x01,xpath2.set=./source/address/@slot=0x00,xpath3.set=./source/address/@function=0x0" \
    >"$OUT/q35-hostdev.xml"

# (d) stored forms (define + dumpxml --inactive)
stored "$OUT/q35-hostdev.xml" "$OUT/q35-hostdev-defined.xml"
stored "$OUT/q35-rootports.xml" "$OUT/q35-rootports-defined.xml"
stored "$OUT/q35-default.xml" "$OUT/q35-default-defined.xml"

# (e) i440fx (pc) guest, for the refusal test
vi pcilink-pc 6c1f3b1e-0a01-4c1a-9a01-000000000005 pc >"$OUT/pc-i440fx.xml"
' lv-domains "$OUT"

{
    echo "virt-install $(virt-install --version) (Debian package virtinst $(dpkg-query -W -f '${Version}' virtinst 2>/dev/null || echo '?'))"
    echo "libvirt $(virsh --version) (Debian package libvirt-daemon $(dpkg-query -W -f '${Version}' libvirt-daemon 2>/dev/null || echo '?'))"
    echo "osinfo-db $(dpkg-query -W -f '${Version}' osinfo-db 2>/dev/null || echo '?')"
    qemu-system-x86_64 --version | head -n1
} >"$OUT/VERSIONS"
ls "$OUT"/*.xml

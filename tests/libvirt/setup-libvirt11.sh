#!/bin/sh
# Fetch libvirt 11.x from bookworm-backports into tests/.cache/libvirt11/
# without installing it and without touching the host's apt setup (private
# apt state, dpkg-deb -x into a private root). The host's QEMU (7.2) is used.
# Prints a directory of wrappers (virsh, libvirtd, virt-xml-validate) that run
# the private copies; put it first in PATH. Chatter goes to stderr.
# Idempotent: a finished tree is reused (fast path, no network).
#
# Why wrappers: the private virsh/libvirtd need LD_LIBRARY_PATH (else they
# load the host's libvirt.so 9.0) and LIBVIRT_DRIVER_DIR (else the host's 9.0
# QEMU driver); cpu_map and schemas are compiled-in paths under
# /usr/share/libvirt, so as root the wrappers bind the 11.x copy over it in a
# private mount namespace; virt-xml-validate is a script with the schema
# directory written in, so the wrapper is a copy pointing at 11.x's schemas.
#
# Usage: tests/libvirt/setup-libvirt11.sh
# Exit:  0 and the wrapper directory on stdout; non-zero and a reason on stderr.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PCILINK_TEST_CACHE:-$(cd "$HERE/../.." && pwd)/tests/.cache}
DIR=$CACHE/libvirt11
ROOT=$DIR/root
BIN=$DIR/bin
STAMP=$DIR/done

if [ -f "$STAMP" ] && [ -x "$BIN/virsh" ]; then
    echo "$BIN"
    exit 0
fi

die() { echo "setup-libvirt11: $*" >&2; exit 1; }

mkdir -p "$DIR"
exec 9>"$DIR/lock"
flock 9
if [ -f "$STAMP" ] && [ -x "$BIN/virsh" ]; then echo "$BIN"; exit 0; fi

for t in apt-get dpkg-deb ldd xmllint; do
    command -v "$t" >/dev/null || die "'$t' not found"
done
. "$HERE/../lib/private-apt.sh"
papt_init "$DIR/apt" backports

papt update --error-on=any >&2 || die "apt-get update failed (is $MIRROR reachable?)"

DL=$(mktemp -d "$DIR/dl.XXXXXX")
NEW=$(mktemp -d "$DIR/root.XXXXXX")
trap 'rm -rf "$DL" "$NEW"' EXIT
# libvirt0: the library; libvirt-common: schemas, cpu_map; libvirt-clients:
# virsh, virt-xml-validate; libvirt-daemon-driver-qemu: the QEMU driver;
# libvirt-daemon: libvirtd (for the private daemon).
( cd "$DL" && papt download \
    libvirt0/bookworm-backports \
    libvirt-common/bookworm-backports \
    libvirt-clients/bookworm-backports \
    libvirt-daemon-driver-qemu/bookworm-backports \
    libvirt-daemon/bookworm-backports ) >&2 ||
    die "apt-get download from bookworm-backports failed"

for deb in "$DL"/*.deb; do
    dpkg-deb -x "$deb" "$NEW" || die "dpkg-deb -x $(basename "$deb") failed"
done
LIB=$NEW/usr/lib/x86_64-linux-gnu
for f in usr/bin/virsh usr/sbin/libvirtd usr/bin/virt-xml-validate \
         usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so \
         usr/share/libvirt/schemas/domain.rng; do
    [ -e "$NEW/$f" ] || die "no /$f in the downloaded packages"
done
# Every library must resolve on this host (Debian 12 has what 11.x needs).
missing=$(for f in "$NEW/usr/bin/virsh" "$NEW/usr/sbin/libvirtd" \
                   "$LIB/libvirt/connection-driver/libvirt_driver_qemu.so"; do
              LD_LIBRARY_PATH=$LIB ldd "$f" | grep 'not found' || :
          done)
[ -z "$missing" ] || die "libraries missing on this host: $missing"

rm -rf "$ROOT" "$BIN"
mv "$NEW" "$ROOT"
chmod 755 "$ROOT"
LIB=$ROOT/usr/lib/x86_64-linux-gnu
mkdir -p "$BIN"

for prog in usr/bin/virsh usr/sbin/libvirtd; do
    cat >"$BIN/$(basename "$prog")" <<EOF
#!/bin/sh
# Runs libvirt 11.x's /$prog from $ROOT (made by setup-libvirt11.sh).
LD_LIBRARY_PATH=$LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
LIBVIRT_DRIVER_DIR=$LIB/libvirt/connection-driver
export LD_LIBRARY_PATH LIBVIRT_DRIVER_DIR
if [ -z "\${PCILINK_LV11_NS:-}" ] && [ "\$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    PCILINK_LV11_NS=1
    export PCILINK_LV11_NS
    exec unshare --mount --propagation private sh -c \\
        'mount --bind "\$0" /usr/share/libvirt ||
         echo "libvirt11 wrapper: using the host /usr/share/libvirt" >&2
         exec "\$@"' \\
        "$ROOT/usr/share/libvirt" "$ROOT/$prog" "\$@"
fi
exec "$ROOT/$prog" "\$@"
EOF
    chmod +x "$BIN/$(basename "$prog")"
done
sed "s|/usr/share/libvirt/schemas|$ROOT/usr/share/libvirt/schemas|g" \
    "$ROOT/usr/bin/virt-xml-validate" >"$BIN/virt-xml-validate"
chmod +x "$BIN/virt-xml-validate"
grep -q "$ROOT/usr/share/libvirt/schemas" "$BIN/virt-xml-validate" ||
    die "virt-xml-validate does not name /usr/share/libvirt/schemas any more"

v=$("$BIN/virsh" --version) || die "the private virsh does not run"
echo "setup-libvirt11: libvirt $v ready in $ROOT" >&2
date -u +%FT%TZ >"$STAMP"
echo "$BIN"

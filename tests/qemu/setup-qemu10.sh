#!/bin/sh
# Fetch QEMU 10.0.x from bookworm-backports into tests/.cache/qemu10/ without
# installing it and without touching the host's apt setup (private apt state).
# Prints the path of the qemu-system-x86_64 binary on stdout; all chatter goes
# to stderr. Idempotent: a finished tree is reused (fast path, no network).
#
# Usage: tests/qemu/setup-qemu10.sh
# Exit:  0 and the binary path on stdout; non-zero and a reason on stderr.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PCILINK_TEST_CACHE:-$(cd "$HERE/../.." && pwd)/tests/.cache}
DIR=$CACHE/qemu10
ROOT=$DIR/root
BIN=$ROOT/usr/bin/qemu-system-x86_64
STAMP=$DIR/done

# Fast path: nothing to do.
if [ -f "$STAMP" ] && [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi

die() { echo "setup-qemu10: $*" >&2; exit 1; }

mkdir -p "$DIR"
exec 9>"$DIR/lock"
flock 9                     # concurrent test runs wait for one another
if [ -f "$STAMP" ] && [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

for t in apt-get dpkg-deb ldd; do
    command -v "$t" >/dev/null || die "'$t' not found"
done
. "$HERE/../lib/private-apt.sh"
papt_init "$DIR/apt" backports

papt update --error-on=any >&2 || die "apt-get update failed (is $MIRROR reachable?)"

DL=$(mktemp -d "$DIR/dl.XXXXXX")
NEW=$(mktemp -d "$DIR/root.XXXXXX")
trap 'rm -rf "$DL" "$NEW"' EXIT
( cd "$DL" && papt download \
    qemu-system-x86/bookworm-backports \
    qemu-system-common/bookworm-backports \
    qemu-system-data/bookworm-backports \
    seabios/bookworm-backports \
    ipxe-qemu ) >&2 || die "apt-get download from bookworm-backports failed"

for deb in "$DL"/*.deb; do
    dpkg-deb -x "$deb" "$NEW" || die "dpkg-deb -x $(basename "$deb") failed"
done
[ -x "$NEW/usr/bin/qemu-system-x86_64" ] || die "no qemu-system-x86_64 in the downloaded packages"

# Debian's QEMU finds firmware and modules relative to <bindir>/qemu-bundle.
ln -sfn ../.. "$NEW/usr/bin/qemu-bundle"

# Must run with this host's libraries (Debian 12's QEMU 7.2 pulls them in).
missing=$(ldd "$NEW/usr/bin/qemu-system-x86_64" 2>&1 | grep 'not found' || true)
[ -z "$missing" ] || die "QEMU 10 lacks host libraries (install Debian 12's qemu-system-x86 first):
$missing"
ver=$("$NEW/usr/bin/qemu-system-x86_64" --version 2>&1 | head -n1) ||
    die "QEMU 10 does not start: $ver"
# bookworm-backports keeps only its newest QEMU; anything >= 9.0 (x-speed=32/64) will do.
case $ver in
    *"version 10.0."*) ;;
    *"version "9.*|*"version "[1-9][0-9].*) echo "setup-qemu10: note: got $ver, not 10.0" >&2 ;;
    *) die "unexpected version from bookworm-backports: $ver" ;;
esac

chmod 755 "$NEW"
rm -rf "$ROOT"
mv "$NEW" "$ROOT"
ls "$DL" >"$DIR/packages.txt"
echo "$ver" >"$STAMP"
rm -rf "$APT"               # 20 MB of package lists, not needed any more
echo "setup-qemu10: $ver in $ROOT" >&2
echo "$BIN"

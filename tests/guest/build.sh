#!/bin/sh
# Build the tiny test guest in tests/.cache/guest/: Debian 12's cloud kernel
# (vmlinuz) and a busybox initramfs (initramfs.cpio.gz) whose /init (this
# directory's `init`) prints PCILINK lines for every PCI device and powers off.
# Nothing is installed: packages are fetched with a private apt state and
# unpacked with dpkg-deb. Idempotent; rebuilds the initramfs when `init` changes.
#
# Usage: tests/guest/build.sh
# Prints the directory holding vmlinuz and initramfs.cpio.gz on stdout;
# chatter on stderr; non-zero exit with a reason on failure.
#
# Boot it with (TCG, ~3 s):
#   qemu-system-x86_64 -machine q35 -accel tcg -m 512 -smp 1 -nodefaults -no-user-config \
#     -display none -serial file:serial.log -no-reboot -kernel DIR/vmlinuz \
#     -initrd DIR/initramfs.cpio.gz -append "console=ttyS0 panic=-1 quiet" -device ...
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PCILINK_TEST_CACHE:-$(cd "$HERE/../.." && pwd)/tests/.cache}
G=$CACHE/guest
PY=/usr/bin/python3

fresh() {
    [ -s "$G/vmlinuz" ] && [ -s "$G/initramfs.cpio.gz" ] && cmp -s "$HERE/init" "$G/init.used"
}
if fresh; then echo "$G"; exit 0; fi

die() { echo "guest/build.sh: $*" >&2; exit 1; }

mkdir -p "$G"
exec 9>"$G/lock"
flock 9
if fresh; then echo "$G"; exit 0; fi

TMP=$(mktemp -d "$G/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --- kernel and busybox: downloaded once, kept as $G/vmlinuz and $G/busybox ---
if [ ! -s "$G/vmlinuz" ] || [ ! -s "$G/busybox" ]; then
    for t in apt-get dpkg-deb tar; do
        command -v "$t" >/dev/null || die "'$t' not found"
    done
    . "$HERE/../lib/private-apt.sh"
    papt_init "$TMP/apt"
    papt update --error-on=any >&2 || die "apt-get update failed (is $MIRROR reachable?)"
    mkdir "$TMP/dl"
    ( cd "$TMP/dl" && papt download linux-image-cloud-amd64 busybox-static ) >&2 ||
        die "apt-get download linux-image-cloud-amd64 busybox-static failed"
    # The metapackage only depends on the versioned image package holding the kernel.
    img=$(dpkg-deb -f "$TMP"/dl/linux-image-cloud-amd64_*.deb Depends |
          tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*-cloud-amd64\).*/\1/p' | head -n1)
    [ -n "$img" ] || die "cannot find the kernel image package behind linux-image-cloud-amd64"
    ( cd "$TMP/dl" && papt download "$img" ) >&2 || die "apt-get download $img failed"

    mkdir "$TMP/x"
    dpkg-deb --fsys-tarfile "$TMP"/dl/"$img"_*.deb |
        tar -x -C "$TMP/x" --wildcards './boot/vmlinuz-*' || die "no vmlinuz in $img"
    dpkg-deb --fsys-tarfile "$TMP"/dl/busybox-static_*.deb |
        tar -x -C "$TMP/x" ./bin/busybox || die "no /bin/busybox in busybox-static"
    "$TMP/x/bin/busybox" true || die "the extracted busybox does not run"
    mv "$TMP"/x/boot/vmlinuz-* "$G/vmlinuz"
    mv "$TMP/x/bin/busybox" "$G/busybox"
    ls "$TMP/dl" >"$G/packages.txt"
fi

# --- initramfs: newc cpio written by Python (no cpio tool needed, no root) ---
"$PY" - "$G/busybox" "$HERE/init" "$TMP/initramfs.cpio.gz" <<'EOF' || die "writing the initramfs failed"
import gzip, sys
busybox, init, out = sys.argv[1:4]
ino = [100]
def entry(f, name, mode, data=b"", rdev=(0, 0)):
    ino[0] += 1
    name = name.encode() + b"\0"
    hdr = "070701" + "".join("%08x" % v for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name), 0))
    f.write(hdr.encode() + name + b"\0" * (-(110 + len(name)) % 4))
    f.write(data + b"\0" * (-len(data) % 4))
with gzip.open(out, "wb", compresslevel=9) as f:
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        entry(f, d, 0o040755)
    entry(f, "dev/console", 0o020600, rdev=(5, 1))
    entry(f, "bin/busybox", 0o100755, open(busybox, "rb").read())
    entry(f, "bin/sh", 0o120777, b"busybox")
    entry(f, "init", 0o100755, open(init, "rb").read())
    entry(f, "TRAILER!!!", 0)
EOF
mv "$TMP/initramfs.cpio.gz" "$G/initramfs.cpio.gz"
cp "$HERE/init" "$G/init.used"
echo "guest/build.sh: guest ready in $G" >&2
echo "$G"

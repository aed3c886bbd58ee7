#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt's own test domains (tests/qemuxml2argvdata, tests/qemuxml2xmloutdata) from Debian 12's
# libvirt source package, for tests/libvirt/corpus.py: the .dsc and tarball are fetched with a
# private deb-src list (tests/lib/private-apt.sh; nothing under /etc/apt is touched, nothing is
# built) and only those *.xml files are unpacked, under $PCILINK_TEST_CACHE/libvirt-src/.
# Prints the folder that holds qemuxml2argvdata/ and qemuxml2xmloutdata/.
# Exit: 0; 3 when the source cannot be had (no network, no apt): the caller skips.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PCILINK_TEST_CACHE:-$(cd "$HERE/../.." && pwd)/tests/.cache}
DIR=$CACHE/libvirt-src
die() { echo "fetch-libvirt-src.sh: $*" >&2; exit 3; }

if [ -f "$DIR/ready" ]; then
	cat "$DIR/ready"
	exit 0
fi
command -v apt-get >/dev/null || die "apt-get not found"
. "$HERE/../lib/private-apt.sh"
papt_init "$DIR/apt"
sed -i 's/^deb /deb-src /' "$DIR/apt/etc/sources.list"
papt update >"$DIR/apt.log" 2>&1 || die "apt-get update failed (see $DIR/apt.log)"
mkdir -p "$DIR/dl"
(cd "$DIR/dl" && papt source --download-only libvirt) >>"$DIR/apt.log" 2>&1 ||
	die "apt-get source --download-only libvirt failed (see $DIR/apt.log)"
tarball=$(ls "$DIR"/dl/libvirt_*.orig.tar.xz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || die "no libvirt_*.orig.tar.xz downloaded"
ver=$(basename "$tarball" .orig.tar.xz | sed 's/^libvirt_//')
rm -rf "$DIR/$ver"
mkdir -p "$DIR/$ver"
tar -xJf "$tarball" -C "$DIR/$ver" --strip-components=2 --wildcards \
	'*/tests/qemuxml2argvdata/*.xml' '*/tests/qemuxml2xmloutdata/*.xml' ||
	die "unpacking $tarball failed"
rm -rf "$DIR/dl" "$DIR/apt"
echo "$DIR/$ver" >"$DIR/ready"
cat "$DIR/ready"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages pcilink needs: 'build' for make, 'test' for make check.
# Does nothing when they are present; needs root otherwise (a fresh Debian 12 machine).
set -eu
build="gcc make pkg-config libpci-dev libyaml-dev libxml2-dev"
test="$build pciutils pci.ids python3 python3-yaml groff-base strace time
	qemu-system-x86 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libxml2-utils virtinst
	bash-completion zsh fish cpio gzip ca-certificates ansible-core jq man-db util-linux"
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "pcilink: missing Debian packages:$missing" >&2
		echo "pcilink: run 'make deps' (build) or 'make check' as root, or apt-get install them" >&2
		exit 1
	fi
	echo "pcilink: installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# libvirt's QEMU driver wants this user even when it runs QEMU as root
if [ "${1:-build}" = test ] && [ "$(id -u)" = 0 ] && ! getent passwd libvirt-qemu >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir /var/lib/libvirt \
		--shell /usr/sbin/nologin libvirt-qemu
fi
exit 0

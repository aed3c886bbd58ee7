# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the test set-up scripts: a private apt for Debian 12 (bookworm, -updates, -security,
# and with "backports" bookworm-backports) whose lists and downloads live in a folder of the
# tests. Nothing under /etc/apt or /var/lib/apt is touched and nothing is installed: packages are
# fetched with 'papt download' and unpacked with dpkg-deb -x. The caller defines die().

# papt_init DIR [backports]: write the sources and state folders under DIR.
papt_init() {
	APT=$1
	KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"
	MIRROR=${PCILINK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	SECMIRROR=${PCILINK_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
	mkdir -p "$APT/etc/sources.list.d" "$APT/etc/preferences.d" \
		"$APT/state/lists/partial" "$APT/cache/archives/partial"
	{
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm main"
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm-updates main"
		echo "deb [signed-by=$KEYRING] $SECMIRROR bookworm-security main"
		[ "${2:-}" != backports ] || echo "deb [signed-by=$KEYRING] $MIRROR bookworm-backports main"
	} >"$APT/etc/sources.list"
	: >"$APT/etc/preferences"
}

# papt ARGS: apt-get on the private state (the host's dpkg status, so dependencies resolve).
papt() {
	apt-get -q \
		-o Dir::Etc::sourcelist="$APT/etc/sources.list" \
		-o Dir::Etc::sourceparts="$APT/etc/sources.list.d" \
		-o Dir::Etc::preferences="$APT/etc/preferences" \
		-o Dir::Etc::preferencesparts="$APT/etc/preferences.d" \
		-o Dir::State="$APT/state" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o Dir::Cache="$APT/cache" \
		-o APT::Sandbox::User=root \
		"$@"
}

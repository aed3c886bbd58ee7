#!/bin/sh
# libvirt helpers for pcilink's tests. libvirt runs without a system daemon:
# the QEMU driver is embedded in virsh (qemu:///embed?root=DIR) with all state
# under tests/.cache/, or, for tools that need a daemon (virt-install), a
# private libvirtd runs in a private mount namespace for the length of one
# command. Nothing on the host is configured; see TESTING.md for why each
# qemu.conf line is there.
#
# Usage: tests/libvirt/lv.sh [--libvirt11] COMMAND [ARG...]
#   setup             prepare the embedded-driver root (idempotent, ~5 s the
#                     first time, a few ms after); prints the root directory
#   uri               print the embedded driver's URI
#   version           print the libvirt version in use (e.g. 9.0.0)
#   validate FILE     virt-xml-validate FILE domain (exit 0 = valid)
#   native FILE       virsh domxml-to-native qemu-argv FILE (prints the argv)
#   virsh ARG...      virsh on the embedded driver (serialised by a lock)
#   daemon CMD ARG... run CMD while a private libvirtd runs; CMD gets
#                     LV_DAEMON_URI (qemu:///system?socket=...) in its env
# --libvirt11 uses libvirt 11.3 from bookworm-backports (setup-libvirt11.sh)
# with its own roots (tests/.cache/libvirt11-*).
#
# Environment: PCILINK_TEST_CACHE (default tests/.cache), LV_EMBED_ROOT
# (another embedded root, e.g. a throw-away one), LV_TIMEOUT (seconds for one
# virsh/daemon command, default 300).
# Exit: the command's status; 2 on usage errors; 3 if setup failed.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SELF=$HERE/$(basename "$0")
CACHE=${PCILINK_TEST_CACHE:-$(cd "$HERE/../.." && pwd)/tests/.cache}
TMO=${LV_TIMEOUT:-300}

die() { echo "lv.sh: $*" >&2; exit 3; }
usage() { sed -n '/^# Usage:/,/^# Exit:/s/^# \{0,1\}//p' "$SELF" >&2; exit 2; }

V11=
if [ "${1:-}" = --libvirt11 ]; then
    V11=11
    shift
    BIN=$("$HERE/setup-libvirt11.sh") || die "setup-libvirt11.sh failed"
    PATH=$BIN:$PATH
    export PATH
fi
ROOT=${LV_EMBED_ROOT:-$CACHE/libvirt$V11-embed}
URI="qemu:///embed?root=$ROOT"
# libvirt's own log goes to a file: warnings such as "security driver none"
# or dmidecode failing would otherwise clutter every call's stderr. virsh
# still prints "error: ..." for real failures.
LIBVIRT_LOG_OUTPUTS="3:file:$ROOT/virsh.log"
export LIBVIRT_LOG_OUTPUTS

qemu_conf() {
    # user/group root: else libvirt re-probes QEMU on every call (48 s) here.
    # namespaces = []: no private /dev per guest (fails in chroots, and tests
    # need none). stdio_handler file: no virtlogd. security_driver none: no
    # AppArmor helper. dynamic_ownership/remember_owner off: QEMU runs as
    # root anyway, and the shared guest kernel must not get chown'd or
    # xattr-labelled by parallel boots.
    cat <<'EOF'
user = "root"
group = "root"
stdio_handler = "file"
security_driver = "none"
namespaces = []
dynamic_ownership = 0
remember_owner = 0
EOF
}

need_user() {
    # libvirt's QEMU driver insists on its configured default user existing,
    # even when qemu.conf says root.
    getent passwd libvirt-qemu >/dev/null && return 0
    [ "$(id -u)" = 0 ] || die "user libvirt-qemu missing (create it as root, see TESTING.md)"
    echo "lv.sh: creating system user libvirt-qemu (needed by libvirt's QEMU driver)" >&2
    useradd --system --user-group --no-create-home --home-dir /var/lib/libvirt \
        --shell /usr/sbin/nologin libvirt-qemu || die "useradd libvirt-qemu failed"
}

setup() {
    if [ -f "$ROOT/ready" ] && [ "$(qemu_conf)" = "$(cat "$ROOT/etc/qemu.conf" 2>/dev/null)" ]; then
        return 0
    fi
    for t in virsh virt-xml-validate flock timeout; do
        command -v "$t" >/dev/null || die "'$t' not found (install libvirt-clients, libxml2-utils)"
    done
    need_user
    mkdir -p "$ROOT/etc"
    exec 8>"$ROOT.lock"
    flock 8
    if [ "$(qemu_conf)" != "$(cat "$ROOT/etc/qemu.conf" 2>/dev/null)" ]; then
        rm -f "$ROOT/ready"
        qemu_conf >"$ROOT/etc/qemu.conf"
    fi
    if [ ! -f "$ROOT/ready" ]; then
        # Warm up: the first connection probes QEMU's capabilities (~4 s) and
        # caches them under $ROOT/cache; later calls take ~0.07 s.
        tmp=$(mktemp "$ROOT/warm.XXXXXX.xml")
        cat >"$tmp" <<'EOF'
<domain type='qemu'><name>lv-warmup</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>
EOF
        if ! timeout "$TMO" virsh -q -c "$URI" domxml-to-native qemu-argv "$tmp" >/dev/null; then
            rm -f "$tmp"
            die "the embedded QEMU driver does not work (see $ROOT/virsh.log)"
        fi
        rm -f "$tmp"
        virsh --version >"$ROOT/ready"
    fi
    # keep libvirt's log from growing without bound
    if [ -f "$ROOT/virsh.log" ] && [ "$(wc -c <"$ROOT/virsh.log")" -gt 1048576 ]; then
        : >"$ROOT/virsh.log"
    fi
    exec 8>&-
}

run_virsh() {
    setup
    flock -w "$TMO" "$ROOT.lock" timeout "$TMO" virsh -q -c "$URI" "$@"
}

# --- private libvirtd ---------------------------------------------------------
DAEMON=$CACHE/libvirt$V11-daemon

daemon_outer() {
    [ $# -gt 0 ] || usage
    [ "$(id -u)" = 0 ] || die "a private libvirtd needs root (mount namespace)"
    command -v libvirtd >/dev/null || die "libvirtd not found (install libvirt-daemon)"
    need_user
    mkdir -p "$DAEMON/etc" "$DAEMON/run" "$DAEMON/lib" "$DAEMON/cache" "$DAEMON/log"
    qemu_conf >"$DAEMON/etc/qemu.conf"
    cat >"$DAEMON/etc/libvirtd.conf" <<EOF
unix_sock_dir = "/run/libvirt"
unix_sock_group = "root"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$DAEMON/libvirtd.log"
EOF
    for f in libvirt.conf libvirt-admin.conf; do
        [ -f "/etc/libvirt/$f" ] && cp "/etc/libvirt/$f" "$DAEMON/etc/"
    done
    # Mount points for the private directories; only created when absent
    # (Debian's libvirt-daemon-system would create them).
    for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
        [ -d "$d" ] || mkdir -p "$d"
    done
    # libvirtd and the clients in CMD log to one file (the env beats the config)
    LIBVIRT_LOG_OUTPUTS="3:file:$DAEMON/libvirtd.log"
    export LIBVIRT_LOG_OUTPUTS
    exec 8>"$DAEMON.lock"
    flock -w "$TMO" 8 || die "another private libvirtd holds $DAEMON"
    if [ -n "$V11" ]; then
        exec unshare --mount --propagation private "$SELF" --libvirt11 __daemon-inner "$@"
    fi
    exec unshare --mount --propagation private "$SELF" __daemon-inner "$@"
}

daemon_inner() {
    mount --bind "$DAEMON/etc" /etc/libvirt
    mount --bind "$DAEMON/run" /run/libvirt
    mount --bind "$DAEMON/lib" /var/lib/libvirt
    mount --bind "$DAEMON/cache" /var/cache/libvirt
    mount --bind "$DAEMON/log" /var/log/libvirt
    rm -f "$DAEMON/run/libvirt-sock" "$DAEMON/run/libvirt-sock-ro" "$DAEMON/run/libvirtd.pid"
    libvirtd -p "$DAEMON/run/libvirtd.pid" 2>>"$DAEMON/libvirtd.log" &
    dpid=$!
    trap 'kill "$dpid" 2>/dev/null || :' EXIT
    i=0
    while [ ! -S "$DAEMON/run/libvirt-sock" ]; do
        kill -0 "$dpid" 2>/dev/null || die "libvirtd exited (see $DAEMON/libvirtd.log)"
        i=$((i + 1))
        [ "$i" -le 300 ] || die "libvirtd did not create its socket in 30 s"
        sleep 0.1
    done
    LV_DAEMON_URI="qemu:///system?socket=$DAEMON/run/libvirt-sock"
    export LV_DAEMON_URI
    rc=0
    timeout "$TMO" "$@" || rc=$?
    kill "$dpid" 2>/dev/null || :
    wait "$dpid" 2>/dev/null || :
    trap - EXIT
    exit "$rc"
}

[ $# -gt 0 ] || usage
cmd=$1
shift
case $cmd in
setup)
    [ $# -eq 0 ] || usage
    setup
    echo "$ROOT"
    ;;
uri)
    echo "$URI"
    ;;
version)
    virsh --version
    ;;
validate)
    [ $# -eq 1 ] || usage
    virt-xml-validate "$1" domain
    ;;
native)
    [ $# -eq 1 ] || usage
    run_virsh domxml-to-native qemu-argv "$1"
    ;;
virsh)
    run_virsh "$@"
    ;;
daemon)
    daemon_outer "$@"
    ;;
__daemon-inner)
    daemon_inner "$@"
    ;;
-h|--help|help)
    usage
    ;;
*)
    usage
    ;;
esac

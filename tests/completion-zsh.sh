#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Drive zsh's real completion system (compinit, _arguments, compadd) on completions/_pcilink.
# An interactive 'zsh -f -i' runs under zsh/zpty with fpath starting at completions/ and PATH
# at this tree, so 'pcilink' is this tree's binary. Each check types a line plus TABs into it;
# a widget bound to ^T appends $BUFFER to a file after every TAB, and ^G drops the line, so
# nothing typed is ever run. menu_complete is set: the first TAB inserts the only or the first
# match and further TABs cycle through all of them, so the line says what was offered.
# Every wait is bounded; the whole run is also under timeout(1) when there is one.
set -u
cd "$(dirname "$0")/.." || exit 1
if ! command -v zsh >/dev/null 2>&1; then
	echo "SKIP zsh not installed"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x ./pcilink ]; then
	echo "FAIL setup: ./pcilink is missing; run make first"
	echo "0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcilink-zsh.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

cat >"$tmp/driver.zsh" <<'EOF'
top=$1 tmp=$2
if ! zmodload zsh/zpty 2>/dev/null; then
	print "SKIP zsh has no zsh/zpty module"
	print "0 passed, 0 failed, 1 skipped"
	exit 0
fi
zmodload zsh/zselect zsh/datetime || exit 1
export LC_ALL=C TERM=xterm HOME=$tmp ZDOTDIR=$tmp
unset VISUAL EDITOR
integer pass=0 fail=0 up=0 broken=0
ok() { (( ++pass )); print -r -- "ok $1" }
bad() { (( ++fail )); print -r -- "FAIL $1: $2" }

# read and drop what the pty shell printed, so it never blocks on a full pty
drain() { local junk; while zpty -r -t Z junk 2>/dev/null; do :; done }
# wait until the file $1 has at least $2 lines or $3 seconds have passed
await() {
	local -a l
	float end=$(( EPOCHREALTIME + $3 ))
	while (( EPOCHREALTIME < end )); do
		drain
		if [[ -f $1 ]]; then
			l=(${(f)"$(<$1)"})
			(( $#l >= $2 )) && return 0
		fi
		zselect -t 2
	done
	return 1
}
stop() { (( up )) && zpty -d Z 2>/dev/null; up=0 }
trap stop EXIT
start() {
	(( broken )) && return 1
	rm -f $tmp/ready; : >$tmp/out
	zpty Z zsh -f -i || return 1
	up=1
	# typed into zle as a user would: no TABs, no '!' in these lines
	zpty -w Z "bindkey -e; unset zle_bracketed_paste; PS1='%% '; RPS1=; PS2="
	zpty -w Z "path=(${(q)top} \$path); hash -r; fpath=(${(q)top}/completions \$fpath)"
	zpty -w Z "autoload -Uz compinit && compinit -u -D"
	zpty -w Z "setopt menu_complete no_auto_list no_list_beep no_beep"
	zpty -w Z "_t_dump() { print -r -- \"\$BUFFER\" >>${(q)tmp}/out }; zle -N _t_dump; bindkey '^T' _t_dump"
	zpty -w Z "print -rl -- \$commands[pcilink] \${^fpath}/_pcilink(N[1]) >${(q)tmp}/r && mv ${(q)tmp}/r ${(q)tmp}/ready"
	if ! await $tmp/ready 2 10; then
		# a shell that does not come up once will not the next time either
		broken=1
		stop
		return 1
	fi
	local -a r
	r=(${(f)"$(<$tmp/ready)"})
	[[ $r[1] == $top/pcilink && $r[2] == $top/completions/_pcilink ]] && return 0
	bad setup "zsh would use pcilink '$r[1]' and _pcilink '$r[2]'"
	broken=1
	stop
	return 1
}

# type LINE, then N times TAB and ^T, then ^G; reply = the N lines seen after each TAB
typed() {
	local line=$1 keys=
	local -a l
	integer n=$2 before i
	l=(${(f)"$(<$tmp/out)"}); before=$#l
	for ((i = 0; i < n; i++)); do keys+=$'\t\x14'; done
	zpty -w -n Z "$line$keys"$'\x07'
	if ! await $tmp/out $((before + n)) 5; then
		l=(${(f)"$(<$tmp/out)"})
		reply=("${(@)l[before+1,-1]}")
		stop
		return 1
	fi
	l=(${(f)"$(<$tmp/out)"})
	reply=("${(@)l[before+1,before+n]}")
}

# check NAME LINE WANT...: one TAB must turn LINE into one of the WANTs
check() {
	local name=$1 line=$2 w
	shift 2
	(( up )) || start || { bad $name "could not start an interactive zsh under zpty"; return }
	if ! typed $line 1; then
		bad $name "no answer from zsh within 5s for '$line<TAB>'"
		return
	fi
	for w in "$@"; do
		[[ $reply[1] == $w ]] && { ok $name; return }
	done
	bad $name "'$line<TAB>' became '$reply[1]', wanted '${(j:' or ':)@}'"
}

# offers NAME LINE WORD...: cycling the menu for LINE must offer exactly these last words
offers() {
	local name=$1 line=$2 base
	shift 2
	local -a want got
	want=(${(ou)@})
	(( up )) || start || { bad $name "could not start an interactive zsh under zpty"; return }
	# one TAB more than there are matches: any extra match shows
	if ! typed $line $(( $#want + 1 )); then
		bad $name "no answer from zsh within 5s for '$line<TAB>...'"
		return
	fi
	base=${line% *}
	got=(${(ou)${${reply#$base }% }})
	if [[ ${(j: :)got} == ${(j: :)want} ]]; then
		ok $name
	else
		bad $name "'$line<TAB>...' offered '${(j: :)got}', wanted '${(j: :)want}'"
	fi
}

dump=examples/gpu-workstation.lspci
check command 'pcilink pro' 'pcilink probe '
check format-json 'pcilink probe --format j' 'pcilink probe --format json '
check format-yaml 'pcilink probe --format y' 'pcilink probe --format yaml '
# the formats are asked from pcilink itself, plus 'help'
offers format-list 'pcilink gen-qemu-args --format ' \
	${(f)"$($top/pcilink gen-qemu-args --format help | cut -f1)"} help
check dump-slot "pcilink probe --dump $dump 0000:05" "pcilink probe --dump $dump 0000:05:00.0 "
check dump-slot-short "pcilink probe -F $dump 0000:05" "pcilink probe -F $dump 0000:05:00.0 "
check dump-slot-equals "pcilink probe --dump=$dump 0000:05" \
	"pcilink probe --dump=$dump 0000:05:00.0 "
offers dump-slots "pcilink probe --dump $dump 0000:07" 0000:07:00.0 0000:07:00.1
check dump-slot-option "pcilink probe --dump $dump -s 0000:04" \
	"pcilink probe --dump $dump -s 0000:04:00.0 "
check policy-option 'pcilink gen-qemu-args --pol' \
	'pcilink gen-qemu-args --policy=' 'pcilink gen-qemu-args --policy '
offers policy-values 'pcilink gen-qemu-args --policy=' \
	--policy=host --policy=device --policy=max
# zsh quotes the glob character when it inserts -? on the line
offers global-options 'pcilink -' --help --usage --version -V '-\?' -h
offers help-commands 'pcilink help ' probe gen-qemu-args gen-libvirt-xml gen-proxmox check
stop
print "$pass passed, $fail failed"
(( fail == 0 ))
EOF

to=
command -v timeout >/dev/null 2>&1 && to="timeout -k 2 120"
$to zsh -f "$tmp/driver.zsh" "$PWD" "$tmp" >"$tmp/log" 2>&1
rc=$?
cat "$tmp/log"
if ! tail -n 1 "$tmp/log" | grep -qE '^[0-9]+ passed, [0-9]+ failed'; then
	# killed or crashed before its summary: count what it printed, plus this failure
	echo "FAIL driver: zsh exited with status $rc before the end"
	p=$(grep -c '^ok ' "$tmp/log")
	f=$(grep -c '^FAIL ' "$tmp/log")
	echo "$p passed, $((f + 1)) failed"
	exit 1
fi
exit $rc

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI, the man page and the three completions agree: every command and every option in
# --help appears in man/pcilink.1 and in bash, zsh and fish completions, and the reverse; the
# man page is clean under groff -ww; versions match; completions work in bash and fish.
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
comps="completions/pcilink.bash completions/_pcilink completions/pcilink.fish"

# the man page with roff's escaped hyphens read as plain ones
man=$(sed 's/\\-/-/g' man/pcilink.1)
verbs=$(./pcilink --help | sed -n '/^Commands:/,/^$/p' | grep -E '^  [a-z-]+  ' | awk '{ print $1 }')
[ -n "$verbs" ] && ok || bad "no commands in pcilink --help"
# one line per command: a summary argp would wrap (over 79 columns) breaks the list
w=$(./pcilink --help | sed -n '/^Commands:/,/^$/p' | grep -vE '^(Commands:|  [a-z-]+  .*|)$')
[ -z "$w" ] && ok || bad "pcilink --help: a command's summary wraps: $w"
all_opts=
for v in $verbs; do
	echo "$man" | grep -q "^\.SS \"pcilink $v" && ok || bad "man page has no section for '$v'"
	for c in $comps; do
		grep -qw -- "$v" "$c" && ok || bad "$c does not know command '$v'"
	done
	opts=$(./pcilink "$v" --help | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
	all_opts="$all_opts $(echo $opts)"
	for o in $opts; do
		echo "$man" | grep -qE -- "--${o#--}\b" && ok || bad "man page lacks $v $o"
		for c in $comps; do
			grep -qE -- "(--|-l )${o#--}\b" "$c" && ok || bad "$c lacks $v $o"
		done
	done
done
# help: 'pcilink help V', 'pcilink V -h' and 'pcilink V --help' say the same; no empty group
# header (a header line followed by a blank one)
[ "$(./pcilink help)" = "$(./pcilink --help)" ] && [ "$(./pcilink -h)" = "$(./pcilink --help)" ] && ok ||
	bad "'pcilink help' or 'pcilink -h' differs from 'pcilink --help'"
for v in $verbs; do
	[ "$v" = help ] && continue
	h=$(./pcilink "$v" --help)
	[ "$(./pcilink help "$v")" = "$h" ] && [ "$(./pcilink "$v" -h)" = "$h" ] && ok ||
		bad "'pcilink help $v' or 'pcilink $v -h' differs from 'pcilink $v --help'"
	e=$(echo "$h" | awk '/^ [A-Z][^:]*:$/ { hdr = $0; next } hdr != "" && /^$/ { print hdr } { hdr = "" }')
	[ -z "$e" ] && ok || bad "pcilink $v --help: empty group header:$e"
done

# the reverse: completions offer nothing pcilink does not have
for c in completions/pcilink.bash completions/_pcilink; do
	for o in $(grep -oE -- '--[a-z][a-z0-9-]*' "$c" | sort -u); do
		echo " $all_opts " | grep -q -- " $o " && ok || bad "$c offers $o, which no command has"
	done
done
for o in $(grep '^complete' completions/pcilink.fish | grep -oE -- ' -l [a-z][a-z0-9-]*'  | awk '{ print "--" $2 }' | sort -u); do
	echo " $all_opts " | grep -q -- " $o " && ok || bad "fish completion offers $o, which no command has"
done
for w in $(grep -oE 'commands="[^"]*"' completions/pcilink.bash | cut -d'"' -f2); do
	echo " $verbs " | tr '\n' ' ' | grep -qw -- "$w" && ok || bad "bash completion offers unknown command $w"
done

# man page
if command -v groff >/dev/null; then
	w=$(groff -man -ww -z man/pcilink.1 2>&1)
	[ -z "$w" ] && ok || bad "groff warnings: $w"
else
	echo "SKIP groff not installed"
fi
mv=$(sed -n 's/^\.TH .*"pcilink \([0-9.]*\)".*/\1/p' man/pcilink.1)
kv=$(sed -n 's/^VERSION = //p' Makefile)
pv=$(./pcilink --version | awk '{ print $2 }')
[ "$mv" = "$kv" ] && [ "$kv" = "$pv" ] && ok || bad "versions differ: man $mv, Makefile $kv, binary $pv"
# every format in the registry is documented
for v in $verbs; do
	for f in $(./pcilink "$v" --format help | cut -f1); do
		grep -q "^\.B $f\$" man/pcilink.1 && ok || bad "man page does not document format $f"
	done
done

# drive the completion machinery, with this tree's pcilink first on PATH
export PATH="$PWD:$PATH"
skip=0
if [ -f /usr/share/bash-completion/bash_completion ]; then
	r=$(bash -c 'source /usr/share/bash-completion/bash_completion; source completions/pcilink.bash
		COMP_WORDS=(pcilink pro); COMP_CWORD=1; COMP_LINE="pcilink pro"; COMP_POINT=11
		_pcilink pcilink pro pcilink; echo "${COMPREPLY[*]}"')
	[ "$r" = probe ] && ok || bad "bash: 'pcilink pro<TAB>' gave '$r'"
	r=$(bash -c 'source /usr/share/bash-completion/bash_completion; source completions/pcilink.bash
		COMP_WORDS=(pcilink probe --format j); COMP_CWORD=3; COMP_LINE="pcilink probe --format j"
		COMP_POINT=24; _pcilink pcilink j --format; echo "${COMPREPLY[*]}"')
	[ "$r" = json ] && ok || bad "bash: 'probe --format j<TAB>' gave '$r'"
	r=$(bash -c 'source /usr/share/bash-completion/bash_completion; source completions/pcilink.bash
		COMP_WORDS=(pcilink probe --dump examples/gpu-workstation.lspci 0000:07); COMP_CWORD=4
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _pcilink; echo "${COMPREPLY[*]}"')
	[ "$r" = "07:00.0 07:00.1" ] && ok || bad "bash: slots from --dump gave '$r'"
else
	echo "SKIP bash-completion not installed"; skip=$((skip + 1))
fi
if command -v fish >/dev/null; then
	r=$(fish -c 'source completions/pcilink.fish; complete -C "pcilink pro"' | cut -f1)
	[ "$r" = probe ] && ok || bad "fish: 'pcilink pro<TAB>' gave '$r'"
	r=$(fish -c 'source completions/pcilink.fish; complete -C "pcilink probe --format y"' | cut -f1)
	[ "$r" = yaml ] && ok || bad "fish: '--format y<TAB>' gave '$r'"
	r=$(fish -c 'source completions/pcilink.fish; complete -C "pcilink probe -F examples/gpu-workstation.lspci 0000:05"' | cut -f1)
	[ "$r" = 0000:05:00.0 ] && ok || bad "fish: slots from --dump gave '$r'"
else
	echo "SKIP fish not installed"; skip=$((skip + 1))
fi
if command -v zsh >/dev/null; then
	zsh -n completions/_pcilink && ok || bad "zsh: syntax error in completions/_pcilink"
else
	echo "SKIP zsh not installed"; skip=$((skip + 1))
fi
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail = 0 ]

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden CLI tests: $GOLDEN_DIR (default tests/golden)/NAME.cmd holds the arguments (one shell line, run from the
# top folder); NAME.out, NAME.err and NAME.rc the expected stdout, stderr and exit status.
# --update rewrites the expectations from what pcilink does now (review the diff).
set -u
cd "$(dirname "$0")/.." || exit 1
dir=${GOLDEN_DIR:-tests/golden}
PYTHON=${PYTHON:-/usr/bin/python3}
export PYTHON
update=0
[ "${1:-}" = --update ] && update=1
if [ -n "${VALGRIND:-}" ]; then
	WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --suppressions=$PWD/tests/valgrind.supp"
fi
pass=0 fail=0
out=tests/out/$(basename "$dir")
mkdir -p "$out"
for cmd in "$dir"/*.cmd; do
	name=$(basename "$cmd" .cmd)
	args=$(cat "$cmd")
	# the .cmd line may use a pipe or redirect; PCILINK is the binary under test
	# VALGRIND=1: every run under valgrind; an error or a definite leak exits 99 and fails the case
	PCILINK=./pcilink eval "${WRAP:-} ./pcilink $args" >"$out/$name.out" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
	if [ $update = 1 ]; then
		for k in out err rc; do cp "$out/$name.$k" "$dir/$name.$k"; done
		pass=$((pass + 1))
		continue
	fi
	ok=1
	for k in out err rc; do
		if ! cmp -s "$out/$name.$k" "$dir/$name.$k"; then
			ok=0
			echo "FAIL $name: $k differs"
			diff -u "$dir/$name.$k" "$out/$name.$k" | head -n 20
		fi
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "ok $name"
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

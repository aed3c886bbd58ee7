#!/usr/bin/python3
"""Check that a mksysfs.py tree decodes like its dump, with lspci itself as the judge.

usage: check_mksysfs.py [--props PROPS.yaml] [--unprivileged] [--keep DIR] [-v] DUMP...

For every DUMP: builds the tree (mksysfs.py, in a temporary directory or DIR/NAME with --keep),
then runs `lspci -F DUMP -vvv` and `lspci -A linux-sysfs -O sysfs.path=TREE/bus/pci -vvv`, and
the same pair with `-tv`. One line per dump: functions seen by each, lspci stderr lines, whether
the trees are identical, and how many -vvv lines differ for each known reason:

  props     lines only the sysfs side can have: Kernel driver in use, Kernel modules, NUMA node,
            IOMMU group, Physical Slot, DeviceName (from the sidecar)
  window    "... behind bridge:" of a 64-bit prefetchable or 32-bit I/O window: libpci 3.9
            takes the window type from the low bits of the kernel's start address, so sysfs
            prints [32-bit] / [16-bit] (as on a real host)
  irq       "Interrupt: pin ? routed to IRQ N": the dump has a line but no pin; Linux sets irq 0
            when there is no pin, so sysfs prints nothing
  region    "Region N:" lines of unassigned BARs, and lspci 3.9's dump-mode misreading of the
            upper half of a 64-bit BAR above 4G as a BAR of its own (with IO_FLAGS known, as
            from sysfs, lspci uses the kernel's flags instead)

Any other difference is "other" and fails the check (exit 1), as do a differing function count,
stderr output other than lspci's "Unable to load libkmod resources" (no /lib/modules here), or
differing -tv trees. With --unprivileged only the function count, stderr and the tree are
checked (capabilities then read "<access denied>" on the sysfs side, by design). -v prints the
"other" lines.
"""
import argparse
import collections
import difflib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True          # no __pycache__ in tests/tools
sys.path.insert(0, HERE)
import mksysfs  # noqa: E402

PROPS_RE = re.compile(r"^\t(Kernel driver in use|Kernel modules|NUMA node|IOMMU group|"
                      r"Physical Slot|DeviceName):")
WINDOW_RE = re.compile(r"^\t(I/O|Memory|Prefetchable memory) behind bridge: "
                       r"0*([0-9a-f]+)-0*([0-9a-f]+)(.*?) \[(16|32|64)-bit\]$")
IRQ_RE = re.compile(r"^\tInterrupt: pin \? routed to IRQ \d+$")
REGION_RE = re.compile(r"^\tRegion \d+: (Memory at|I/O ports at) (<unassigned>|<ignored>|0000\b)")
NOISE_RE = re.compile(r"Unable to load libkmod resources")


def lspci(args):
    r = subprocess.run(["lspci"] + args, capture_output=True, text=True)
    err = [ln for ln in r.stderr.splitlines() if ln and not NOISE_RE.search(ln)]
    if r.returncode:
        err.append("lspci exit status %d" % r.returncode)
    return r.stdout, err


def normalise(text, counts, side):
    """Drop or rewrite the lines of known differences; counts get +1 (dump) / -1 (sysfs)."""
    out, sign = [], 1 if side == "d" else -1
    for ln in text.splitlines():
        if side == "s" and PROPS_RE.match(ln):
            counts["props"] += 1
            continue
        if IRQ_RE.match(ln):
            counts["irq"] += sign
            continue
        if REGION_RE.match(ln):
            counts["region"] += sign
            continue
        m = WINDOW_RE.match(ln)
        if m:
            ln = "\t%s behind bridge: %s-%s%s" % m.group(1, 2, 3, 4)
        out.append(ln)
    return out


def check(dump, props, unprivileged, keep, verbose):
    name = os.path.splitext(os.path.basename(dump))[0]
    tmp = None
    if keep:
        tree = os.path.join(keep, name)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="mksysfs-check-")
        tree = os.path.join(tmp.name, name)
    try:
        mksysfs.QUIET = True
        mksysfs.build(dump, tree, props, unprivileged, force=True)
        sysarg = ["-A", "linux-sysfs", "-O", "sysfs.path=%s/bus/pci" % tree]
        d, derr = lspci(["-F", dump, "-vvv"])
        s, serr = lspci(sysarg + ["-vvv"])
        dt, dterr = lspci(["-F", dump, "-tv"])
        st, sterr = lspci(sysarg + ["-tv"])
    finally:
        if tmp:
            tmp.cleanup()
    nd = sum(1 for ln in d.splitlines() if ln[:1] not in ("", "\t"))
    ns = sum(1 for ln in s.splitlines() if ln[:1] not in ("", "\t"))
    errs = derr + serr + dterr + sterr
    counts = {"props": 0, "window": 0, "irq": 0, "region": 0}
    other = []
    if not unprivileged:
        a, b = normalise(d, counts, "d"), normalise(s, counts, "s")
        left = collections.Counter(s.splitlines())
        for ln in d.splitlines():
            if WINDOW_RE.match(ln):
                if left[ln]:
                    left[ln] -= 1
                else:
                    counts["window"] += 1
        other = [ln for ln in difflib.unified_diff(a, b, lineterm="", n=0)
                 if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    tree_ok = dt == st
    ok = nd == ns and not errs and tree_ok and not other
    print("%s %s: functions dump=%d sysfs=%d, stderr=%d, tree %s, diff: props=%d window=%d "
          "irq=%d region=%d other=%d"
          % ("ok  " if ok else "FAIL", name, nd, ns, len(errs), "same" if tree_ok else "DIFFERS",
             counts["props"], counts["window"], abs(counts["irq"]), abs(counts["region"]),
             len(other)))
    if verbose or not ok:
        for ln in errs:
            print("    stderr: " + ln)
        for ln in other[:40]:
            print("    " + ln)
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(prog="check_mksysfs.py",
                                 description="Compare lspci on a dump and on its mksysfs tree.")
    ap.add_argument("dumps", metavar="DUMP", nargs="+")
    ap.add_argument("--props", metavar="PROPS.yaml")
    ap.add_argument("--unprivileged", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="build the trees in DIR/NAME and keep them")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.props and len(a.dumps) > 1:
        ap.error("--props goes with a single DUMP")
    bad = 0
    for dump in a.dumps:
        try:
            bad += not check(dump, a.props, a.unprivileged, a.keep, a.verbose)
        except (mksysfs.Error, OSError) as e:
            print("FAIL %s: %s" % (dump, e))
            bad += 1
    print("%d passed, %d failed" % (len(a.dumps) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

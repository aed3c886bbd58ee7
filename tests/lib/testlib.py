# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by the Python test suites: a tally that prints 'ok'/'FAIL'/'SKIP' lines and the closing
'N passed, N failed[, N skipped]', and a namespace-blind XML reader for libvirt domains."""
import os
import subprocess
import xml.etree.ElementTree as ET
import xml.parsers.expat

SETUP_QEMU10 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu", "setup-qemu10.sh")


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def result(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print("ok", name)
        else:
            self.failed += 1
            print("FAIL", name, detail)
        return ok

    def skip(self, name, why, n=1):
        self.skipped += n
        print("SKIP %s: %s" % (name, why))

    def summary(self):
        """Print the closing line; return the exit status."""
        if self.skipped:
            print("%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped))
        else:
            print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def qemus():
    """[(version, binary)] of the QEMUs the suites run on: Debian 12's 7.2 and 10.0 from
    bookworm-backports (tests/qemu/setup-qemu10.sh); a SKIP line for each one missing."""
    out = []
    if os.access("/usr/bin/qemu-system-x86_64", os.X_OK):
        out.append(("7.2", "/usr/bin/qemu-system-x86_64"))
    else:
        print("SKIP QEMU 7.2: /usr/bin/qemu-system-x86_64 not installed")
    r = subprocess.run(["sh", SETUP_QEMU10], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        out.append(("10.0", r.stdout.strip()))
    else:
        print("SKIP QEMU 10.0: " + (r.stderr.strip() or "setup-qemu10.sh failed")[-300:])
    return out


def literal_xml(text):
    """Parse XML without namespace processing: 'qemu:override' stays a plain tag and 'xmlns:qemu' a
    plain attribute, so a <domain> without the declaration still parses (as libvirt accepts it)
    and the tree serialises back to what it was. Comments are dropped."""
    b = ET.TreeBuilder()
    p = xml.parsers.expat.ParserCreate()
    p.StartElementHandler = b.start
    p.EndElementHandler = b.end
    p.CharacterDataHandler = b.data
    p.Parse(text, True)
    return b.close()

# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by the Python test suites: a tally that prints 'ok'/'FAIL'/'SKIP' lines and the closing
'N passed, N failed[, N skipped]', and a namespace-blind XML reader for libvirt domains."""
import xml.etree.ElementTree as ET
import xml.parsers.expat


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

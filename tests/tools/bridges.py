#!/usr/bin/python3
"""Write an `lspci -x` dump of N PCI-to-PCI bridges, all on root buses: 255 a domain (bus 00,
every device and function but 00.0), each leading to a bus of its own. A scale test for the topology:
every bridge is parentless, so a scan of parentless devices x bridges is N squared.

usage: bridges.py N > FILE"""
import sys

n = int(sys.argv[1])
out = []
for i in range(n):
    dom, k = divmod(i, 255)
    sec = k + 1
    dev, fn = divmod(sec, 8)
    cfg = bytearray(64)
    cfg[0:4] = bytes([0x86, 0x80, 0x10, 0x34])     # 8086:3410
    cfg[0x0a:0x0c] = bytes([0x04, 0x06])           # class 0604
    cfg[0x0e] = 0x81                               # type 1, multi-function
    cfg[0x18:0x1b] = bytes([0, sec, sec])          # primary, secondary, subordinate
    out.append("%04x:00:%02x.%d PCI bridge: Intel Corporation Device 3410\n" % (dom, dev, fn))
    for off in range(0, 64, 16):
        out.append("%02x: %s\n" % (off, " ".join("%02x" % b for b in cfg[off:off + 16])))
    out.append("\n")
sys.stdout.write("".join(out))

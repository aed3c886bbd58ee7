#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write tests/data/bad/*.lspci: malformed and hostile dumps, one problem each, for the golden
tests (expected outcomes in tests/golden/bad-*) and as fuzz seeds. Run from the top folder."""
import os

OUT = "tests/data/bad"


def cfg(vendor=0x10de, device=0x2684, ht=0, cls=0x030000, cap=0x40, typ=0, ver=2, lnkcap=0x104, lnksta=0x104,
        lnkcap2=0x1e, devcap2=0, bus=None, caps=None):
    c = bytearray(256)
    c[0:2], c[2:4] = vendor.to_bytes(2, "little"), device.to_bytes(2, "little")
    c[9:12] = cls.to_bytes(3, "little")
    c[0x0e] = ht
    if bus:
        c[0x18:0x1b] = bytes(bus)
    if cap is not None:
        c[6] = 0x10
        c[0x34] = cap
        if caps is None:
            c[cap] = 0x10
            c[cap + 2:cap + 4] = (ver | typ << 4).to_bytes(2, "little")
            c[cap + 0xc:cap + 0x10] = lnkcap.to_bytes(4, "little")
            c[cap + 0x12:cap + 0x14] = lnksta.to_bytes(2, "little")
            c[cap + 0x24:cap + 0x28] = devcap2.to_bytes(4, "little")
            c[cap + 0x2c:cap + 0x30] = lnkcap2.to_bytes(4, "little")
        else:
            for off, (cid, nxt) in caps.items():
                c[off], c[off + 1] = cid, nxt
    return c


def block(slot, c, n=None):
    n = len(c) if n is None else n
    lines = ["%s test device" % slot]
    for off in range(0, n, 16):
        lines.append("%02x: %s" % (off, " ".join("%02x" % b for b in c[off:min(off + 16, n)])))
    return "\n".join(lines) + "\n"


def rp(slot, sec, sub, **kw):
    return block(slot, cfg(0x8086, 0x1234, 1, 0x060400, typ=4, bus=(0, sec, sub), devcap2=0x3c0, **kw))


def write(name, text, mode="w"):
    with open(os.path.join(OUT, name), mode) as f:
        f.write(text)


os.makedirs(OUT, exist_ok=True)
good_ep = block("01:00.0", cfg())
write("empty.lspci", "")
write("not-a-dump.lspci", "this is a README, not lspci output\nat all\n")
write("binary.lspci", bytes(range(256)).decode("latin-1") * 4, "w")
write("line-too-long.lspci", "01:00.0 " + "x" * 300 + "\n00: " + " ".join(["00"] * 16) + "\n")
write("no-final-newline.lspci", rp("00:01.0", 1, 1) + "\n" + good_ep.rstrip("\n"))
write("truncated-lines.lspci", rp("00:01.0", 1, 1) + "\n" + "01:00.0 short lines\n00: de 10 84 26 00\n10: 00 00\n")
write("non-hex.lspci", rp("00:01.0", 1, 1) + "\n" + "01:00.0 junk\n00: zz 10 84 26 07 05 10 00 a1 00 00 03 00 00 80 00\n")
write("odd-size-block.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(), 100))
big = cfg() + bytes(4096)
write("over-4096.lspci", "01:00.0 too big\n" + "".join("%03x: %s\n" % (o, " ".join(["00"] * 16)) for o in range(0, 4112, 16)))
write("header-only.lspci", rp("00:01.0", 1, 1) + "\n01:00.0 no data follows\n\n")
write("x-only-64-bytes.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(), 64))
write("duplicate-slot.lspci", rp("00:01.0", 1, 1) + "\n" + good_ep + "\n" + block("01:00.0", cfg(vendor=0x1002)))
# a spliced dump: one slot three times, apart; its first block (10de) is used, one warning
write("slot-three-times.lspci", block("01:00.0", cfg(vendor=0x10de)) + "\n" + rp("00:01.0", 1, 1) + "\n" +
      block("01:00.0", cfg(vendor=0x1002)) + "\n" + block("01:00.0", cfg(vendor=0x8086)))
write("cap-loop.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(caps={0x40: (0x01, 0x50), 0x50: (0x05, 0x40)})))
write("cap-into-header.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(caps={0x40: (0x01, 0x10)})))
write("cap-misaligned.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(cap=0x42)))
write("cap-out-of-range.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(caps={0x40: (0x01, 0xfe)}), 256))
write("pcie-version-0.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(ver=0)))
write("pcie-version-3.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(ver=3)))
write("reserved-speed.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(lnkcap=0x107, lnksta=0x10f, lnkcap2=0)))
write("width-0-and-63.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(lnkcap=0x3f4, lnksta=0x004)))
write("lnkcap2-gaps.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", cfg(lnkcap=0x103, lnksta=0x103, lnkcap2=0x0a)))
write("bus-overlap.lspci", rp("00:01.0", 1, 4) + "\n" + rp("00:02.0", 3, 5) + "\n" + rp("00:03.0", 1, 1) + "\n" + good_ep)
write("bus-cycle.lspci", rp("00:01.0", 1, 2) + "\n" + block("01:00.0", cfg(0x8086, 0x1235, 1, 0x060400, typ=5, bus=(1, 0, 0))) +
      "\n" + block("02:00.0", cfg(0x8086, 0x1236, 1, 0x060400, typ=6, bus=(2, 1, 2))) + "\n" + block("03:00.0", cfg()))
write("orphan-bus.lspci", rp("00:01.0", 1, 5) + "\n" + block("03:00.0", cfg()))
write("all-ones.lspci", rp("00:01.0", 1, 1) + "\n" + block("01:00.0", bytearray([0xff] * 256)))
write("crlf.lspci", (rp("00:01.0", 1, 1) + "\n" + good_ep).replace("\n", "\r\n"))
# an offset libpci 3.9 takes as a negative int (lspci -F crashes on it): pcilink refuses it first
write("offset-huge.lspci", "01:00.0 x\n7fffffff: 00\n")

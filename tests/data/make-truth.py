#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write tests/data/speed-*.lspci: hosts whose LnkCap2 lists speeds above LnkCap's Max Link Speed,
which Linux 6.13 and later ignore (REFERENCE 8.1), and tests/data/no-root-port.lspci: a device
whose root port is not in the dump. Expected outcomes: tests/golden/*speed-*, *no-root-port*.
Run from the top folder."""
import os


def cfg(vendor, device, cls, typ, lnkcap, lnksta, lnkcap2, devcap2=0, bus=None):
    c = bytearray(256)
    c[0:2], c[2:4] = vendor.to_bytes(2, "little"), device.to_bytes(2, "little")
    c[9:12] = cls.to_bytes(3, "little")
    c[0x0e] = 1 if bus else 0
    if bus:
        c[0x18:0x1b] = bytes(bus)
    c[6], c[0x34], cap = 0x10, 0x40, 0x40
    c[cap] = 0x10
    c[cap + 2:cap + 4] = (2 | typ << 4).to_bytes(2, "little")
    c[cap + 0xc:cap + 0x10] = lnkcap.to_bytes(4, "little")
    c[cap + 0x12:cap + 0x14] = lnksta.to_bytes(2, "little")
    c[cap + 0x24:cap + 0x28] = devcap2.to_bytes(4, "little")
    c[cap + 0x2c:cap + 0x30] = lnkcap2.to_bytes(4, "little")
    return c


def block(slot, name, c):
    lines = ["%s %s" % (slot, name)]
    lines += ["%02x: %s" % (o, " ".join("%02x" % b for b in c[o:o + 16])) for o in range(0, 256, 16)]
    return "\n".join(lines) + "\n"


def link(code, width):
    return code | width << 4


def write(name, blocks):
    with open(os.path.join("tests/data", name), "w") as f:
        f.write("\n".join(blocks))


BRIDGE, GPU, AUDIO = 0x060400, 0x030000, 0x040300
ROOT, UP, DOWN, EP, LEGACY = 4, 5, 6, 0, 1
ATOMICS_RP = 0x1c0          # AtomicOp routing, 32- and 64-bit completer
# A Thunderbolt 3 host: root port 8GT/s x4, the controller's ports say 2.5GT/s x4 in LnkCap (the
# USB4 spec asks for it) and 2.5-8GT/s in LnkCap2; an eGPU trained at 2.5GT/s x4 behind them.
write("speed-thunderbolt.lspci", [
    block("00:1c.4", "PCI bridge: Intel Corporation Cannon Lake PCH PCI Express Root Port #5",
          cfg(0x8086, 0xa33c, BRIDGE, ROOT, link(3, 4), link(3, 4), 0x0e, ATOMICS_RP, (0, 5, 8))),
    block("05:00.0", "PCI bridge: Intel Corporation JHL7540 Thunderbolt 3 Bridge [Titan Ridge 4C 2018]",
          cfg(0x8086, 0x15ea, BRIDGE, UP, link(1, 4), link(3, 4), 0x0e, 0, (5, 6, 8))),
    block("06:01.0", "PCI bridge: Intel Corporation JHL7540 Thunderbolt 3 Bridge [Titan Ridge 4C 2018]",
          cfg(0x8086, 0x15ea, BRIDGE, DOWN, link(1, 4), link(1, 4), 0x0e, 0, (6, 8, 8))),
    block("08:00.0", "VGA compatible controller: NVIDIA Corporation GP104GL [Quadro P4000]",
          cfg(0x10de, 0x1bb1, GPU, LEGACY, link(3, 16), link(1, 4), 0x0e)),
    block("08:00.1", "Audio device: NVIDIA Corporation GP104 High Definition Audio Controller",
          cfg(0x10de, 0x10f0, AUDIO, EP, link(3, 16), link(1, 4), 0x0e)),
])
# An AMD APU: the GPU's internal root port and the GPU say 8GT/s x16 in LnkCap, 2.5-16GT/s in LnkCap2.
write("speed-amd-apu.lspci", [
    block("00:08.1", "PCI bridge: Advanced Micro Devices, Inc. [AMD] Renoir Internal PCIe GPP Bridge to Bus",
          cfg(0x1022, 0x1635, BRIDGE, ROOT, link(3, 16), link(3, 16), 0x1e, ATOMICS_RP, (0, 4, 4))),
    block("04:00.0", "VGA compatible controller: Advanced Micro Devices, Inc. [AMD/ATI] Renoir",
          cfg(0x1002, 0x1636, GPU, LEGACY, link(3, 16), link(3, 16), 0x1e, 0x180)),
    block("04:00.1", "Audio device: Advanced Micro Devices, Inc. [AMD/ATI] Renoir Radeon High Definition Audio Controller",
          cfg(0x1002, 0x1637, AUDIO, EP, link(3, 16), link(3, 16), 0x1e)),
])
# A GPU (AtomicOp completers) and its audio function, the link at x8 of x16, no port above them.
write("no-root-port.lspci", [
    block("01:00.0", "VGA compatible controller: NVIDIA Corporation AD102 [GeForce RTX 4090]",
          cfg(0x10de, 0x2684, GPU, LEGACY, link(4, 16), link(4, 8), 0x1e, 0x180)),
    block("01:00.1", "Audio device: NVIDIA Corporation AD102 High Definition Audio Controller",
          cfg(0x10de, 0x22ba, AUDIO, EP, link(4, 16), link(4, 8), 0x1e)),
])

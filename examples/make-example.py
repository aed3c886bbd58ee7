#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write examples/gpu-workstation.lspci: a made-up but realistic Zen 4 GPU workstation, in
'lspci -xxx' format, that shows each of pcilink's findings. Regenerate with
  ./examples/make-example.py > examples/gpu-workstation.lspci
Functions:
  00:01.1 root port Gen4 x16 -> Navi 31 internal switch 01:00.0/02:00.0 -> GPU 03:00.0 + audio 03:00.1
          (the GPU's own link is synthetic; idle at 2.5GT/s)
  00:01.2 root port Gen4 x8 (bifurcated slot) -> RTX 4090 07:00.0 + audio 07:00.1 (Gen4 x16 card)
  00:02.1 root port Gen4 x4 -> NVMe 04:00.0
  00:03.1 root port Gen5 x4 -> Gen5 NVMe 05:00.0 (needs x-speed=32, QEMU >= 9.0)
  00:08.1 root port Gen3 x4 -> X550 NIC 06:00.0 trained at x2 (a degraded link)
Root ports complete 32/64/128-bit AtomicOps; the switch ports route them.
"""

SPEED = {2.5: 1, 5: 2, 8: 3, 16: 4, 32: 5, 64: 6}
VEC = {2.5: 0x02, 5: 0x06, 8: 0x0e, 16: 0x1e, 32: 0x3e, 64: 0x7e}
TYPE = {"ep": 0, "leg": 1, "rp": 4, "usp": 5, "dsp": 6}


def dev(slot, name, vid, did, cls, typ=None, cap=None, sta=None, devcap2=0, bus=None, port=0):
    c = bytearray(256)
    c[0:2] = vid.to_bytes(2, "little")
    c[2:4] = did.to_bytes(2, "little")
    c[4:6] = (0x0406).to_bytes(2, "little")
    c[8] = 0xc1
    c[9:12] = cls.to_bytes(3, "little")
    bridge = typ in ("rp", "usp", "dsp")
    c[0x0e] = 1 if bridge else (0x80 if slot.endswith(".0") and "audio" in name.lower() else 0)
    if bridge:
        pri, sec, sub = bus
        c[0x18:0x1b] = bytes([pri, sec, sub])
    else:
        c[0x10:0x14] = (0xf6000000).to_bytes(4, "little")      # a memory BAR
    if typ:
        c[0x06] = 0x10                                          # capability list
        c[0x34] = 0x40
        c[0x40] = 0x10
        c[0x42:0x44] = (2 | TYPE[typ] << 4 | (0x100 if typ in ("rp", "dsp") else 0)).to_bytes(2, "little")
        (cs, cw), (ss, sw) = cap, sta
        c[0x4c:0x50] = (SPEED[cs] | cw << 4 | 0x400 | port << 24).to_bytes(4, "little")
        c[0x52:0x54] = (SPEED[ss] | sw << 4).to_bytes(2, "little")
        c[0x64:0x68] = devcap2.to_bytes(4, "little")
        c[0x6c:0x70] = VEC[cs].to_bytes(4, "little")
        c[0x70:0x72] = SPEED[cs].to_bytes(2, "little")
    lines = ["%s %s" % (slot, name)]
    for off in range(0, 256, 16):
        lines.append("%02x: %s" % (off, " ".join("%02x" % b for b in c[off:off + 16])))
    return "\n".join(lines) + "\n"


RP_ATOM = 0x3c0        # routing + 32/64/128-bit completer
ROUTE = 0x40
GPU_ATOM = 0x180       # 32/64-bit completer

devices = [
    dev("0000:00:00.0", "Host bridge: Advanced Micro Devices, Inc. [AMD] Device 14d8", 0x1022, 0x14d8, 0x060000),
    dev("0000:00:01.1", "PCI bridge: Advanced Micro Devices, Inc. [AMD] Device 14db", 0x1022, 0x14db, 0x060400,
        "rp", (16, 16), (16, 16), RP_ATOM, (0, 1, 3), port=1),
    dev("0000:00:01.2", "PCI bridge: Advanced Micro Devices, Inc. [AMD] Device 14db", 0x1022, 0x14db, 0x060400,
        "rp", (16, 8), (16, 8), RP_ATOM, (0, 7, 7), port=2),
    dev("0000:00:02.1", "PCI bridge: Advanced Micro Devices, Inc. [AMD] Device 14db", 0x1022, 0x14db, 0x060400,
        "rp", (16, 4), (16, 4), RP_ATOM, (0, 4, 4), port=3),
    dev("0000:00:03.1", "PCI bridge: Advanced Micro Devices, Inc. [AMD] Device 14db", 0x1022, 0x14db, 0x060400,
        "rp", (32, 4), (32, 4), RP_ATOM, (0, 5, 5), port=4),
    dev("0000:00:08.1", "PCI bridge: Advanced Micro Devices, Inc. [AMD] Device 14dd", 0x1022, 0x14dd, 0x060400,
        "rp", (8, 4), (8, 2), RP_ATOM, (0, 6, 6), port=5),
    dev("0000:01:00.0", "PCI bridge: Advanced Micro Devices, Inc. [AMD/ATI] Navi 10 XL Upstream Port of PCI Express Switch",
        0x1002, 0x1478, 0x060400, "usp", (16, 16), (16, 16), ROUTE, (1, 2, 3)),
    dev("0000:02:00.0", "PCI bridge: Advanced Micro Devices, Inc. [AMD/ATI] Navi 10 XL Downstream Port of PCI Express Switch",
        0x1002, 0x1479, 0x060400, "dsp", (16, 16), (2.5, 16), ROUTE, (2, 3, 3)),
    dev("0000:03:00.0", "VGA compatible controller: Advanced Micro Devices, Inc. [AMD/ATI] Navi 31 [Radeon RX 7900 XT/7900 XTX]",
        0x1002, 0x744c, 0x030000, "ep", (16, 16), (2.5, 16), GPU_ATOM),
    dev("0000:03:00.1", "Audio device: Advanced Micro Devices, Inc. [AMD/ATI] Navi 31 HDMI/DP Audio",
        0x1002, 0xab30, 0x040300, "ep", (16, 16), (2.5, 16), 0),
    dev("0000:04:00.0", "Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller S4LV008[Pascal]",
        0x144d, 0xa80c, 0x010802, "ep", (16, 4), (16, 4), 0),
    dev("0000:05:00.0", "Non-Volatile memory controller: Micron/Crucial Technology T700 NVMe PCIe SSD",
        0xc0a9, 0x5419, 0x010802, "ep", (32, 4), (32, 4), 0),
    dev("0000:06:00.0", "Ethernet controller: Intel Corporation Ethernet Controller 10G X550T",
        0x8086, 0x1563, 0x020000, "ep", (8, 4), (8, 2), 0),
    dev("0000:07:00.0", "VGA compatible controller: NVIDIA Corporation AD102 [GeForce RTX 4090]",
        0x10de, 0x2684, 0x030000, "leg", (16, 16), (16, 8), 0),
    dev("0000:07:00.1", "Audio device: NVIDIA Corporation AD102 High Definition Audio Controller",
        0x10de, 0x22ba, 0x040300, "ep", (16, 16), (16, 8), 0),
]
print("\n".join(devices), end="")

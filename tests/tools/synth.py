#!/usr/bin/python3
"""Generate a synthetic PCI Express host of about N functions, for benchmarks and scale tests.

usage: synth.py N OUTPREFIX [--sysfs] [--unprivileged] [--switch-ports K] [--max-vfs V]
                [--numa-nodes M]

Writes
  OUTPREFIX.dump        `lspci -xxx` format: a `DDDD:BB:DD.F Class: Vendor Device` header line,
                        16 lines of 16 bytes (256 bytes of config space), a blank line
  OUTPREFIX.props.yaml  mksysfs.py sidecar: driver, iommu_group, numa_node, physfn of every VF
  OUTPREFIX.sysfs/      with --sysfs: the matching fake sysfs tree (tests/tools/mksysfs.py),
                        replaced if it exists and was made by mksysfs.py

Exactly N functions (N >= 1), deterministic: the same N and options give byte-identical files
(no randomness at all). Each PCI domain has a host bridge at DDDD:00:00.0 and root ports on bus
00 (device 01.. function 0-3, type-1 headers with programmed primary/secondary/subordinate bus
numbers, memory windows covering the BARs below them). Below the root ports, in a fixed cycle:
  gpu       GPU (VGA, 3 BARs, I/O BAR while legacy I/O space lasts) + HD audio at .1,
            multifunction, Gen4 x16 (every other one trained at x8)
  nvme      NVMe SSD, Gen4 x4; every third one is a Gen5 drive behind a Gen5 root port
  switch    switch upstream port + K downstream ports (K=4, or 8 from N=1000; --switch-ports),
            each with an NVMe SSD or an E810 NIC (E810: x16 card in a x4 port, "downgraded")
  sriov     NIC PF at 00.0 plus V VFs of one device ID on the same bus at ARI device/function
            numbers 00.1, 00.2, ... 1f.7 (up to 255 VFs, 256 functions on a bus); the root port
            has ARI forwarding enabled. Intel X710-style VFs have zero link registers (as real
            i40e VFs: "Speed unknown, Width x0"); ConnectX-5-style VFs mirror the PF's link.
            V = min(--max-vfs (255), max(4, N // 32)): 255 VFs (256 functions on one bus)
            from N = 8160.
  empty     hot-plug root port with nothing in the slot (link down)
NUMA: every function's numa_node is its domain modulo 2, or with --numa-nodes M the unit's number
modulo M (units in the cycle above: with M = 2 or 4 every node gets GPUs and NICs).
A new domain (0001, 0002, ...) starts when bus numbers or root-port slots run out, so large N
spreads over several domains (N=10000: 2 domains). The last unit is shrunk so that the total is
exactly N. Memory: 32-bit BARs from 0x80000000, 64-bit prefetchable BARs (and the VF BAR space of
each PF) from 0x4000000000, legacy I/O from 0x1000 until 64K is used up (later GPUs get an
unassigned I/O BAR); bridge windows cover exactly the BARs below them. Past ~20000 functions the
32-bit hole is reused, so far-apart root ports then have overlapping non-prefetchable windows.

Every function has the capability pointer at 0x34, Status bit 4 (capability list) set and a
PCI Express capability version 2 at 0x70 (DEVCAP, LNKCAP, LNKSTA, SLTCAP, DEVCAP2, LNKCAP2,
LNKCTL2, LNKSTA2 filled in): PM (0x40) -> MSI (0x50) -> PCIe (0x70) -> MSI-X (0xb0, endpoints)
or Subsystem ID (0xb0, bridges). VFs have PCIe -> MSI-X only, zero BARs and no INTx (as real
VFs). The host bridge is a Root Complex Integrated Endpoint (no link registers).
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True          # no __pycache__ in tests/tools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MB = 1 << 20

# model: (vendor, device, class24, rev, subsys (svid, sid), name for the header line)
AMD, NV, SAMSUNG, INTEL, MLX, BRCM = 0x1022, 0x10de, 0x144d, 0x8086, 0x15b3, 0x1000
MODELS = {
    "host":   (AMD, 0x1480, 0x060000, 0x00, (AMD, 0x1480),
               "Host bridge: Advanced Micro Devices, Inc. [AMD] Starship/Matisse Root Complex"),
    "rp":     (AMD, 0x1483, 0x060400, 0x00, (AMD, 0x1453),
               "PCI bridge: Advanced Micro Devices, Inc. [AMD] Starship/Matisse GPP Bridge"),
    "gpu":    (NV, 0x2204, 0x030000, 0xa1, (0x1043, 0x87b3),
               "VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090]"),
    "audio":  (NV, 0x1aef, 0x040300, 0xa1, (0x1043, 0x87b3),
               "Audio device: NVIDIA Corporation GA102 High Definition Audio Controller"),
    "nvme4":  (SAMSUNG, 0xa80a, 0x010802, 0x00, (SAMSUNG, 0xa801),
               "Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller "
               "PM9A1/PM9A3/980PRO"),
    "nvme5":  (SAMSUNG, 0xa826, 0x010802, 0x00, (SAMSUNG, 0xa813),
               "Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller "
               "PM174X"),
    "nvmei":  (INTEL, 0x0b60, 0x010802, 0x00, (INTEL, 0x8008),
               "Non-Volatile memory controller: Intel Corporation NVMe DC SSD [3DNAND, Sentinel "
               "Rock Controller]"),
    "usp":    (BRCM, 0xc010, 0x060400, 0xb0, (BRCM, 0xa064),
               "PCI bridge: Broadcom / LSI PEX880xx PCIe Gen 4 Switch"),
    "dsp":    (BRCM, 0xc010, 0x060400, 0xb0, (BRCM, 0xa064),
               "PCI bridge: Broadcom / LSI PEX880xx PCIe Gen 4 Switch"),
    "e810":   (INTEL, 0x1593, 0x020000, 0x02, (INTEL, 0x0002),
               "Ethernet controller: Intel Corporation Ethernet Controller E810-C for SFP"),
    "x710":   (INTEL, 0x1572, 0x020000, 0x02, (INTEL, 0x0000),
               "Ethernet controller: Intel Corporation Ethernet Controller X710 for 10GbE SFP+"),
    "x710vf": (INTEL, 0x154c, 0x020000, 0x02, (INTEL, 0x0000),
               "Ethernet controller: Intel Corporation Ethernet Virtual Function 700 Series"),
    "cx5":    (MLX, 0x1017, 0x020000, 0x00, (MLX, 0x0020),
               "Ethernet controller: Mellanox Technologies MT27800 Family [ConnectX-5]"),
    "cx5vf":  (MLX, 0x1018, 0x020000, 0x00, (MLX, 0x0020),
               "Ethernet controller: Mellanox Technologies MT27800 Family [ConnectX-5 Virtual "
               "Function]"),
}
DRIVERS = {"rp": "pcieport", "usp": "pcieport", "dsp": "pcieport", "gpu": "vfio-pci",
           "audio": "vfio-pci", "nvme4": "nvme", "nvme5": "nvme", "nvmei": "nvme",
           "e810": "ice", "x710": "i40e", "x710vf": "iavf", "cx5": "mlx5_core",
           "cx5vf": "mlx5_core"}

# PCI Express device/port types
EP, LEG, RP, USP, DSP, RCIEP = 0x0, 0x1, 0x4, 0x5, 0x6, 0x9

CYCLE = ("gpu", "nvme", "switch", "sriov_intel", "nvme", "nvme", "empty", "sriov_mlx", "gpu")


class Cfg:
    """256 bytes of config space with little-endian setters."""

    def __init__(self):
        self.b = bytearray(256)

    def w8(self, off, v):
        self.b[off] = v & 0xff

    def w16(self, off, v):
        self.b[off:off + 2] = (v & 0xffff).to_bytes(2, "little")

    def w32(self, off, v):
        self.b[off:off + 4] = (v & 0xffffffff).to_bytes(4, "little")


class Fn:
    def __init__(self, domain, bus, dev, fn, model, cfg):
        self.domain, self.bus, self.dev, self.fn = domain, bus, dev, fn
        self.model, self.cfg = model, cfg
        self.props = {}

    @property
    def name(self):
        return "%04x:%02x:%02x.%d" % (self.domain, self.bus, self.dev, self.fn)


class Link:
    """One PCIe link: capability of each end and the trained state."""

    def __init__(self, speed, width, sta_speed=None, sta_width=None):
        self.speed, self.width = speed, width
        self.sta_speed = speed if sta_speed is None else sta_speed
        self.sta_width = width if sta_width is None else sta_width


def header(model, htype, multifunction=False, command=0x0006, pin=1, line=0xff):
    vid, did, cls, rev, (sv, sd), _ = MODELS[model]
    c = Cfg()
    c.w16(0x00, vid)
    c.w16(0x02, did)
    c.w16(0x04, command)
    c.w16(0x06, 0x0010)                      # capability list
    c.w8(0x08, rev)
    c.w8(0x09, cls & 0xff)
    c.w8(0x0a, (cls >> 8) & 0xff)
    c.w8(0x0b, cls >> 16)
    c.w8(0x0c, 0x10)                         # cache line 64 bytes
    c.w8(0x0e, htype | (0x80 if multifunction else 0))
    c.w8(0x34, 0x40)
    if pin:
        c.w8(0x3c, line)
        c.w8(0x3d, pin)
    if htype == 0:
        c.w16(0x2c, sv)
        c.w16(0x2e, sd)
    return c


def caps(c, ptype, link=None, port_speed=None, slot=None, port_no=0, devcap2=0, devctl2=0x0400,
         bridge=False, msix_vectors=0, first=0x40, mirror_link=True, flr=False):
    """PM(0x40) -> MSI(0x50) -> PCIe v2(0x70) -> MSI-X or SSVID (0xb0)."""
    tail = 0xb0 if (bridge or msix_vectors) else 0
    if first == 0x40:
        c.w16(0x40, 0x5001)                              # PM, next 0x50
        c.w16(0x42, 0xc803 if ptype in (RP, DSP, USP) else 0x0003)
        c.w16(0x44, 0x0008)                              # D0, NoSoftRst+
        c.w16(0x50, 0x7005)                              # MSI, next 0x70
        c.w16(0x52, 0x0081 if ptype in (RP, DSP, USP) else 0x0080)   # 64-bit (enabled on ports)
        c.w32(0x54, 0xfee00000 if ptype in (RP, DSP, USP) else 0)
        c.w16(0x5c, 0x0021 if ptype in (RP, DSP, USP) else 0)
    else:
        c.w8(0x34, 0x70)
    p = 0x70
    flags = 0x0002 | ptype << 4 | (0x0100 if slot is not None else 0)
    c.w16(p + 0x00, 0x10 | tail << 8)
    c.w16(p + 0x02, flags)
    devcap = 0x8000 | 0x0020                             # role-based errors, ext tag
    if ptype in (RP, DSP, USP):
        devcap |= 0x2                                    # MPS 512
        devctl = 0x002f
    else:
        devcap |= 0x1 | 0x7 << 6 | 0x7 << 9              # MPS 256, L0s/L1 acceptable: no limit
        devctl = 0x2930
    if flr:
        devcap |= 0x10000000
    c.w32(p + 0x04, devcap)
    c.w16(p + 0x08, devctl)
    has_link = ptype not in (RCIEP,) and link is not None and mirror_link
    if has_link:
        cap_speed = port_speed if port_speed else link.speed
        lnkcap = cap_speed | link.width << 4 | 0x2 << 10 | 0x6 << 12 | 0x6 << 15 | 0x400000
        if ptype in (RP, DSP):
            lnkcap |= 0x80000 | 0x100000 | 0x200000      # surprise down, DLLLA, LBN reporting
        if ptype in (EP, LEG):
            lnkcap |= 0x40000                            # clock PM
        lnkcap |= (port_no & 0xff) << 24
        c.w32(p + 0x0c, lnkcap)
        c.w16(p + 0x10, 0x0048 if ptype == RP else 0x0040)   # CommClk+ (+ RCB 128 on RPs)
        up = link.sta_width > 0
        lnksta = (link.sta_speed if up else 1) | link.sta_width << 4 | 0x1000
        if ptype in (RP, DSP) and up:
            lnksta |= 0x2000                             # data link layer active
        c.w16(p + 0x12, lnksta)
        vec = ((1 << cap_speed) - 1) << 1
        c.w32(p + 0x2c, vec)
        c.w16(p + 0x30, cap_speed)
        c.w16(p + 0x32, 0x001f if up and link.sta_speed >= 3 else (0x0001 if up else 0))
    if slot is not None:
        num, hotplug, present = slot
        sltcap = 75 << 7 | num << 19
        if hotplug:
            sltcap |= 0x20 | 0x40 | 0x40000              # surprise, hot-plug capable, no cmd cpl
        c.w32(p + 0x14, sltcap)
        c.w16(p + 0x18, 0x1028 if hotplug else 0)
        c.w16(p + 0x1a, 0x0040 if present else 0)
    c.w32(p + 0x24, devcap2)
    c.w16(p + 0x28, devctl2)
    if bridge:
        sv, sd = model_of(c)[4]
        c.w16(0xb0, 0x000d)                              # SSVID, last
        c.w16(0xb4, sv)
        c.w16(0xb6, sd)
    elif msix_vectors:
        c.w16(0xb0, 0x0011)                              # MSI-X, last
        c.w16(0xb2, 0x8000 | (msix_vectors - 1))         # enabled
        c.w32(0xb4, 0x00002000)                          # table at BAR0 + 0x2000
        c.w32(0xb8, 0x00003000)                          # PBA at BAR0 + 0x3000


def model_of(c):
    vid, did = c.b[0] | c.b[1] << 8, c.b[2] | c.b[3] << 8
    for m in MODELS.values():
        if m[0] == vid and m[1] == did:
            return m
    raise KeyError("%04x:%04x" % (vid, did))


DC2_PORT = 0x0f | 0x10 | 0x20 | 0x40 | 0x800 | 0x100000      # CTO, ARI fwd, atomic routing, LTR
DC2_USP = DC2_PORT & ~0x20                                   # ARI forwarding: downstream only
DC2_RP = DC2_PORT | 0x380 | 0x30000                           # + 32/64/128 completer, 10-bit tags
DC2_EP = 0x1f | 0x800 | 0x100000 | 0x10000


class Alloc:
    """Bump allocators for 32-bit non-prefetchable, 64-bit prefetchable and legacy I/O space."""

    def __init__(self):
        self.np = 0x80000000
        self.pf = 0x4000000000
        self.io = 0x1000

    def align(self, attr, a):
        v = getattr(self, attr)
        v = (v + a - 1) // a * a
        setattr(self, attr, v)
        return v

    def take(self, attr, size):
        v = self.align(attr, size)
        setattr(self, attr, v + size)
        return v


def set_bar(c, i, addr, kind):
    off = 0x10 + 4 * i
    if kind == "io":
        c.w32(off, addr | 1)
    elif kind == "m32":
        c.w32(off, addr)
    elif kind == "m64":
        c.w32(off, (addr & 0xffffffff) | 0x4)
        c.w32(off + 4, addr >> 32)
    elif kind == "p64":
        c.w32(off, (addr & 0xffffffff) | 0xc)
        c.w32(off + 4, addr >> 32)


class Window:
    """Records allocator positions around a subtree to program a bridge's windows."""

    def __init__(self, al):
        self.al = al
        self.s = {k: al.align(k, MB if k != "io" else 0x1000) for k in ("np", "pf", "io")}

    def close(self, c):
        e = {k: self.al.align(k, MB if k != "io" else 0x1000) for k in ("np", "pf", "io")}
        if e["io"] > self.s["io"]:
            c.w8(0x1c, (self.s["io"] >> 8) & 0xf0)
            c.w8(0x1d, ((e["io"] - 1) >> 8) & 0xf0)
            c.w16(0x04, c.b[4] | 0x1)
        else:
            c.w8(0x1c, 0xf0)
            c.w8(0x1d, 0x00)
        if e["np"] > self.s["np"] and e["np"] - self.s["np"] < 0x80000000:
            c.w16(0x20, self.s["np"] >> 16 & 0xfff0)
            c.w16(0x22, (e["np"] - 1) >> 16 & 0xfff0)
        else:
            c.w16(0x20, 0xfff0)
            c.w16(0x22, 0x0000)
        if e["pf"] > self.s["pf"]:
            c.w16(0x24, (self.s["pf"] >> 16 & 0xfff0) | 1)
            c.w16(0x26, ((e["pf"] - 1) >> 16 & 0xfff0) | 1)
            c.w32(0x28, self.s["pf"] >> 32)
            c.w32(0x2c, (e["pf"] - 1) >> 32)
        else:
            c.w16(0x24, 0xfff1)
            c.w16(0x26, 0x0001)


class Host:
    def __init__(self, n, switch_ports, max_vfs, numa_nodes=0):
        self.n = n
        self.numa_nodes = numa_nodes
        self.unit = 0
        self.k = switch_ports if switch_ports else (4 if n < 1000 else 8)
        self.vfs = max(1, min(max_vfs, 255, max(4, n // 32)))
        self.funcs = []
        self.al = Alloc()
        self.domain = -1
        self.group = 0
        self.counters = {"gpu": 0, "nvme": 0, "slot": 0}

    # -- bookkeeping
    def add(self, f, group=True, driver=True):
        if driver and f.model in DRIVERS:
            f.props["driver"] = DRIVERS[f.model]
        if group is True:
            self.group += 1
            f.props["iommu_group"] = self.group
        elif group is not None:
            f.props["iommu_group"] = group
        f.props["numa_node"] = self.unit % self.numa_nodes if self.numa_nodes else self.domain % 2
        self.funcs.append(f)
        return f

    def new_group(self):
        self.group += 1
        return self.group

    def new_domain(self):
        self.domain += 1
        self.next_bus = 1
        self.rp_index = 0
        c = header("host", 0, command=0x0000, pin=0)
        caps(c, RCIEP)
        self.add(Fn(self.domain, 0, 0, 0, "host", c), driver=False)

    def rp_slot(self):
        dev, fn = 1 + self.rp_index // 4, self.rp_index % 4
        return dev, fn

    def fits(self, buses):
        return self.rp_index < 31 * 4 and self.next_bus + buses - 1 <= 0xff

    # -- building blocks
    def root_port(self, sec, sub, link, port_speed=None, slot_present=True, hotplug=False, ari=False):
        dev, fn = self.rp_slot()
        self.rp_index += 1
        c = header("rp", 1, command=0x0406, pin=1)
        c.w8(0x18, 0)
        c.w8(0x19, sec)
        c.w8(0x1a, sub)
        c.w16(0x3e, 0x0002)                           # SERR# forwarding
        self.counters["slot"] += 1
        caps(c, RP, link, port_speed=port_speed, port_no=self.rp_index,
             slot=(self.counters["slot"], hotplug, slot_present), devcap2=DC2_RP,
             devctl2=0x0400 | (0x20 if ari else 0), bridge=True)
        return self.add(Fn(self.domain, 0, dev, fn, "rp", c))

    def endpoint(self, bus, dev, fn, model, link, bars, mf=False, msix=16, ptype=EP, pin=1,
                 group=True, devcap2=DC2_EP, flr=True):
        c = header(model, 0, multifunction=mf, pin=pin, line=0xff)
        cmd = 0x0006
        for i, (kind, size) in bars:
            if kind == "io":
                if self.al.io + size <= 0x10000:
                    set_bar(c, i, self.al.take("io", size), "io")
                    cmd |= 1
                else:
                    c.w32(0x10 + 4 * i, 0x1)          # no legacy I/O left: unassigned
            else:
                space = "pf" if kind == "p64" else "np"
                set_bar(c, i, self.al.take(space, size), kind)
        c.w16(0x04, cmd)
        caps(c, ptype, link, devcap2=devcap2, msix_vectors=msix, flr=flr)
        return self.add(Fn(self.domain, bus, dev, fn, model, c), group=group)

    # -- units: each returns the number of functions it added
    def unit_size(self, kind, vfs=None):
        return {"gpu": 3, "nvme": 2, "switch": 2 + 2 * self.k, "empty": 1}.get(
            kind, 2 + (self.vfs if vfs is None else vfs))

    def unit_buses(self, kind):
        return {"switch": 2 + self.k, "empty": 1}.get(kind, 1)

    def build_unit(self, kind, vfs=None):
        bus = self.next_bus
        self.next_bus += self.unit_buses(kind)
        sub = self.next_bus - 1
        rp_pos = len(self.funcs)
        if self.al.np > 0xf0000000:      # 32-bit MMIO hole used up (N > ~20000): start over;
            self.al.np = 0x80000000      # windows of far-apart root ports then overlap
        win = Window(self.al)
        if kind == "gpu":
            g = self.counters["gpu"]
            self.counters["gpu"] += 1
            link = Link(4, 16, 4, 8 if g % 2 else 16)
            self.root_port(bus, sub, link)
            grp = self.new_group()
            self.endpoint(bus, 0, 0, "gpu", link, [(0, ("m32", 16 * MB)), (1, ("p64", 256 * MB)),
                                                    (3, ("p64", 32 * MB)), (5, ("io", 0x80))],
                          mf=True, msix=0, group=grp, devcap2=DC2_EP | 0x180)
            self.endpoint(bus, 0, 1, "audio", link, [(0, ("m32", 0x4000))], msix=0, pin=2,
                          group=grp, flr=False)
        elif kind == "nvme":
            i = self.counters["nvme"]
            self.counters["nvme"] += 1
            gen5 = i % 3 == 2
            link = Link(5 if gen5 else 4, 4)
            self.root_port(bus, sub, link, hotplug=True)
            self.endpoint(bus, 0, 0, "nvme5" if gen5 else "nvme4", link,
                          [(0, ("m64", 0x4000))], msix=32)
        elif kind == "empty":
            self.root_port(bus, sub, Link(4, 4, 1, 0), slot_present=False, hotplug=True)
        elif kind == "switch":
            up = Link(4, 16)
            self.root_port(bus, sub, up)
            c = header("usp", 1, command=0x0406, pin=0)
            c.w8(0x18, bus)
            c.w8(0x19, bus + 1)
            c.w8(0x1a, sub)
            caps(c, USP, up, devcap2=DC2_USP, bridge=True)
            usp = self.add(Fn(self.domain, bus, 0, 0, "usp", c))
            set_bar(c, 0, self.al.take("np", 256 * 1024), "m32")   # on the primary side
            usp_win = Window(self.al)
            for j in range(self.k):
                dbus = bus + 2 + j
                e810 = j % 4 == 3
                link = Link(4, 16, 4, 4) if e810 else Link(4, 4)
                dwin = Window(self.al)
                c = header("dsp", 1, command=0x0406, pin=1)
                c.w8(0x18, bus + 1)
                c.w8(0x19, dbus)
                c.w8(0x1a, dbus)
                c.w16(0x3e, 0x0002)
                self.counters["slot"] += 1
                caps(c, DSP, Link(4, 4, link.sta_speed, link.sta_width), port_no=j,
                     slot=(self.counters["slot"], True, True), devcap2=DC2_PORT, bridge=True)
                dsp = self.add(Fn(self.domain, bus + 1, j, 0, "dsp", c))
                if e810:
                    self.endpoint(dbus, 0, 0, "e810", link, [(0, ("p64", 32 * MB)),
                                                              (3, ("p64", 64 * 1024))], msix=64)
                else:
                    self.endpoint(dbus, 0, 0, "nvmei", link, [(0, ("m64", 0x4000))], msix=32)
                dwin.close(dsp.cfg)
            usp_win.close(usp.cfg)
        else:                                          # sriov_intel / sriov_mlx
            mlx = kind == "sriov_mlx"
            nvf = self.vfs if vfs is None else vfs
            link = Link(3, 16, 3, 8) if mlx else Link(3, 8)
            self.root_port(bus, sub, link, ari=True)
            pf_model, vf_model = ("cx5", "cx5vf") if mlx else ("x710", "x710vf")
            bars = [(0, ("p64", 32 * MB))] if mlx else [(0, ("p64", 8 * MB)), (3, ("p64", 32768))]
            pf = self.endpoint(bus, 0, 0, pf_model, link, bars, msix=64)
            self.al.take("pf", max(MB, nvf * (MB if mlx else 0x10000)))  # VF BAR space (SR-IOV)
            for v in range(1, nvf + 1):
                c = header(vf_model, 0, command=0x0004, pin=0)
                c.w16(0x2c, 0)
                c.w16(0x2e, 0)
                caps(c, EP, link, devcap2=DC2_EP, msix_vectors=4 if mlx else 5, first=0x70,
                     mirror_link=mlx, flr=True)
                vf = self.add(Fn(self.domain, bus, v >> 3, v & 7, vf_model, c))
                vf.props["physfn"] = pf.name
        win.close(self.funcs[rp_pos].cfg)

    def build(self):
        self.new_domain()
        i = 0
        while len(self.funcs) < self.n:
            left = self.n - len(self.funcs)
            kind = CYCLE[i % len(CYCLE)]
            size, vfs = self.unit_size(kind), None
            if size > left:                            # shrink the last unit to hit N exactly
                if left >= 3:
                    kind, vfs = "sriov_intel", left - 2
                elif left == 2:
                    kind = "nvme"
                else:
                    kind = "empty"
                size = self.unit_size(kind, vfs)
            if not self.fits(self.unit_buses(kind)):
                self.new_domain()
                continue
            self.unit = i
            self.build_unit(kind, vfs)
            i += 1
        # Header Type bit 7 on function 0 exactly when the device has other functions
        devs = {}
        for f in self.funcs:
            devs.setdefault((f.domain, f.bus, f.dev), []).append(f)
        for fl in devs.values():
            for f in fl:
                if f.fn == 0:
                    f.cfg.b[0x0e] = (f.cfg.b[0x0e] & 0x7f) | (0x80 if len(fl) > 1 else 0)
        return self.funcs


def write_dump(funcs, path):
    out = []
    for f in sorted(funcs, key=lambda f: (f.domain, f.bus, f.dev, f.fn)):
        m = MODELS[f.model]
        rev = " (rev %02x)" % m[3] if m[3] else ""
        out.append("%s %s%s\n" % (f.name, m[5], rev))
        b = f.cfg.b
        for off in range(0, 256, 16):
            out.append("%02x: %s\n" % (off, " ".join("%02x" % x for x in b[off:off + 16])))
        out.append("\n")
    with open(path, "w") as fp:
        fp.write("".join(out))


def write_props(funcs, path, n):
    lines = ["# mksysfs.py sidecar written by synth.py %d\n" % n,
             "numa_node: -1\n", "devices:\n"]
    for f in sorted(funcs, key=lambda f: (f.domain, f.bus, f.dev, f.fn)):
        items = []
        for k in ("driver", "iommu_group", "numa_node", "physfn"):
            if k in f.props:
                v = f.props[k]
                items.append('%s: "%s"' % (k, v) if isinstance(v, str) else "%s: %d" % (k, v))
        lines.append('  "%s": {%s}\n' % (f.name, ", ".join(items)))
    with open(path, "w") as fp:
        fp.write("".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="synth.py",
                                 description="Generate a synthetic PCIe host of N functions "
                                 "(lspci -xxx dump + mksysfs sidecar, optionally the sysfs tree).")
    ap.add_argument("n", metavar="N", type=int)
    ap.add_argument("prefix", metavar="OUTPREFIX")
    ap.add_argument("--sysfs", action="store_true", help="also build OUTPREFIX.sysfs with mksysfs.py")
    ap.add_argument("--unprivileged", action="store_true", help="with --sysfs: 64-byte config files")
    ap.add_argument("--switch-ports", type=int, default=0, metavar="K",
                    help="downstream ports per switch (default 4, 8 from N=1000)")
    ap.add_argument("--max-vfs", type=int, default=255, metavar="V", help="VFs per PF cap (255)")
    ap.add_argument("--numa-nodes", type=int, default=0, metavar="M",
                    help="numa_node = unit number modulo M (default: domain modulo 2)")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("N must be at least 1")
    if not 1 <= (a.switch_ports or 4) <= 32:
        ap.error("--switch-ports must be 1..32")
    if a.numa_nodes < 0:
        ap.error("--numa-nodes must be 0 or more")
    host = Host(a.n, a.switch_ports, a.max_vfs, a.numa_nodes)
    funcs = host.build()
    dump, props = a.prefix + ".dump", a.prefix + ".props.yaml"
    write_dump(funcs, dump)
    write_props(funcs, props, a.n)
    domains = len({f.domain for f in funcs})
    buses = len({(f.domain, f.bus) for f in funcs})
    print("synth: %d functions, %d domain(s), %d buses -> %s, %s"
          % (len(funcs), domains, buses, dump, props), file=sys.stderr)
    if a.sysfs:
        import mksysfs
        mksysfs.QUIET = True
        try:
            mksysfs.build(dump, a.prefix + ".sysfs", props, a.unprivileged, force=True)
        except mksysfs.Error as e:
            print("synth: mksysfs: %s" % e, file=sys.stderr)
            return 1
        print("synth: sysfs tree -> %s.sysfs/bus/pci" % a.prefix, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

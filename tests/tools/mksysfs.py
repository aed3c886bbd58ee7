#!/usr/bin/python3
"""Build a fake Linux sysfs tree from an lspci dump (plus an optional sidecar of OS facts).

usage: mksysfs.py DUMP OUTDIR [--props PROPS.yaml] [--unprivileged] [--force] [--quiet]

DUMP is an `lspci -x`/`-xxx`/`-xxxx` file (libpci's dump format, see REFERENCE.md 6.2).
OUTDIR must not exist, or be empty, or be a tree this script made before (--force replaces it).
The result is read by libpci's sysfs method exactly like the live /sys:

    lspci -A linux-sysfs -O sysfs.path=OUTDIR/bus/pci -vvv

Layout (what Linux 6.1 shows, reduced to what libpci, lspci and pcilink read):

  OUTDIR/devices/pciDDDD:BB/                      one per root bus (bus not below any bridge)
  OUTDIR/devices/pciDDDD:BB/DDDD:BB:DD.F/...      functions nested under their parent bridges,
                                                  parents from the bridges' secondary/subordinate
                                                  bus numbers in the dump, narrowest range wins
                                                  (what `lspci -t` does); a VF named in the
                                                  sidecar is placed next to its PF, as Linux does
  OUTDIR/bus/pci/devices/DDDD:BB:DD.F             -> ../../../devices/pci.../DDDD:BB:DD.F
  OUTDIR/bus/pci/drivers/NAME/DDDD:BB:DD.F        -> the device directory (sidecar `driver`)
  OUTDIR/bus/pci/slots/NAME/address               "DDDD:BB:DD" (sidecar `slot`)
  OUTDIR/kernel/iommu_groups/N/devices/BDF        -> the device directory (sidecar `iommu_group`)
  OUTDIR/kernel/iommu_groups/N/type               "DMA"

Per function directory:
  config            the dump's bytes (all of them; 256 or 4096 for lspci -xxx/-xxxx);
                    --unprivileged keeps the first 64 bytes (128 for CardBus), which is what
                    the kernel gives a reader without CAP_SYS_ADMIN (REFERENCE.md 4.4)
  vendor device subsystem_vendor subsystem_device class revision irq
                    as the kernel prints them ("0x%04x", class "0x%06x", revision "0x%02x",
                    irq "%u"; subsystem from 0x2c, from the SSVID capability on type-1
                    headers, from 0x40 on CardBus; irq = Interrupt Line if a pin is set, else 0)
  resource          13 lines (17 for bridges: Linux with CONFIG_PCI_IOV) of
                    "0x%016x 0x%016x 0x%016x" start end flags; BARs, ROM and bridge windows
                    are decoded from config space with the kernel's IORESOURCE_* flags.
                    A dump has no BAR sizes: end = start (libpci reads size 0, like in dump mode);
                    a BAR with type bits but address 0 is "0 0 flags|IORESOURCE_UNSET", so libpci
                    sees the same base_addr (the type bits) as in dump mode
  numa_node         "-1" unless the sidecar says otherwise
  modalias uevent   as the kernel writes them
  subsystem         -> OUTDIR/bus/pci
  secondary_bus_number subordinate_bus_number   on bridges with a programmed secondary bus
  max_link_speed max_link_width current_link_speed current_link_width
                    on functions with a PCI Express capability, computed as Linux 6.1 does
                    (pcie_get_speed_cap, pcie_get_width_cap, pcie_link_speed[], pci_speed_string):
                    max speed from LNKCAP2 when the register is non-zero (PCIe cap version >= 2),
                    highest set bit of its Supported Link Speeds vector, else "Unknown"; with
                    LNKCAP2 == 0 from LNKCAP, where only 2.5 and 5.0 GT/s are recognised; width
                    from LNKCAP (255 when LNKCAP is 0); current speed/width from LNKSTA. LNKCAP
                    and LNKSTA read as 0 for port types without a link (RCiEP, RC event collector).
                    Strings: "2.5 GT/s PCIe" ... "64.0 GT/s PCIe", else "Unknown".
                    (6.1 specifics: a LNKCAP2 with no speed bit set gives "Unknown" rather than
                    the LNKCAP fallback, and LNKCAP2 counts for RCiEPs too; ~6.5+ kernels read
                    LNKCAP2 only on link-bearing types, ~6.13+ fall back when the vector is 0.)
  driver iommu_group physfn virtfnN sriov_*   from the sidecar (below)

Sidecar (YAML; every key optional; slots are strings, quote them; "BB:DD.F" means domain 0):

  numa_node: -1                  # default for every function (kernel prints -1 without NUMA)
  devices:
    "0000:01:00.0":
      driver: vfio-pci           # driver -> .../bus/pci/drivers/vfio-pci (dir created)
      iommu_group: 12            # iommu_group -> .../kernel/iommu_groups/12 (+ devices/ link back)
      numa_node: 0
      slot: "4"                  # physical slot name: bus/pci/slots/4/address = "0000:01:00"
      label: "Onboard NIC"       # label attribute
      attrs:                     # extra/override attributes, written verbatim (+ "\\n")
        current_link_speed: "8.0 GT/s PCIe"
    "0000:01:00.1":
      driver: vfio-pci
      iommu_group: 13
      physfn: "0000:01:00.0"     # this is a VF of 01:00.0: physfn link here, virtfnN on the PF
      vf_index: 0                # optional N of virtfnN; default: VFs of a PF in slot order

  A key whose value is null is ignored. Unknown keys and slots not in the dump are errors.
  `attrs` may add or replace any plain attribute (also vendor, resource, ...), not config or
  the links.

Notes
  * The link attributes stay complete with --unprivileged: the kernel computes them from the
    whole config space and they are world-readable (pitfall 8 of REFERENCE.md).
  * Functions a kernel would not list (all-ones vendor ID in the dump) are kept, so that the
    tree and the dump show the same functions.
  * About 28 entries per function: N=10000 is 280,000 files and symlinks, ~10 s on tmpfs;
    build large trees under /dev/shm, a virtual disk can be 3-10 times slower.
  * Check a tree against its dump with check_mksysfs.py (lspci on both, known differences).

Exit status: 0 ok, 1 bad input, 2 usage.
"""
import argparse
import os
import re
import shutil
import sys

try:
    import yaml
except ImportError:  # only needed with --props
    yaml = None

MARKER = ".mksysfs"

# include/linux/ioport.h
IORESOURCE_IO = 0x00000100
IORESOURCE_MEM = 0x00000200
IORESOURCE_PREFETCH = 0x00002000
IORESOURCE_READONLY = 0x00004000
IORESOURCE_SIZEALIGN = 0x00040000
IORESOURCE_MEM_64 = 0x00100000
IORESOURCE_WINDOW = 0x00200000
IORESOURCE_UNSET = 0x20000000

# Linux enum pci_bus_speed values used by pcie_link_speed[] and pci_speed_string()
SPEED_STR = {1: "2.5 GT/s PCIe", 2: "5.0 GT/s PCIe", 3: "8.0 GT/s PCIe", 4: "16.0 GT/s PCIe",
             5: "32.0 GT/s PCIe", 6: "64.0 GT/s PCIe"}   # keyed by LNKSTA/LNKCAP speed code
UNKNOWN = "Unknown"

# PCI Express port types that implement the link registers (pcie_cap_has_lnkctl, Linux 6.1)
LINK_TYPES = {0x0, 0x1, 0x4, 0x5, 0x6, 0x7, 0x8}

RESERVED_LINKS = {"driver", "iommu_group", "physfn", "subsystem"}
PROP_KEYS = {"driver", "iommu_group", "numa_node", "physfn", "vf_index", "slot", "label", "attrs"}

HDR_RE = re.compile(r"^(?:([0-9a-fA-F]{4,5}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7]) ")
DATA_RE = re.compile(r"^([0-9a-fA-F]{2,8}): ")
BYTES_RE = re.compile(r"[0-9a-fA-F]{2}(?: [0-9a-fA-F]{2})*(?= |$)")


class Error(Exception):
    pass


class Func:
    """One PCI function from the dump."""

    def __init__(self, domain, bus, dev, fn, lineno):
        self.domain, self.bus, self.dev, self.fn = domain, bus, dev, fn
        self.lineno = lineno
        self.data = bytearray()
        self.parent = None          # Func of the parent bridge, or None (root bus)
        self.relpath = None         # path of the device dir below OUTDIR

    @property
    def name(self):
        return "%04x:%02x:%02x.%d" % (self.domain, self.bus, self.dev, self.fn)

    def b(self, off):
        return self.data[off] if off < len(self.data) else 0xff

    def w(self, off):
        return self.b(off) | self.b(off + 1) << 8

    def l(self, off):
        return self.w(off) | self.w(off + 2) << 16

    @property
    def htype(self):
        return self.b(0x0e) & 0x7f

    def is_bridge(self):
        """A bridge as lspci -t sees it: base class 06 with a type 1 or 2 header."""
        return self.b(0x0b) == 0x06 and self.htype in (1, 2)

    def bus_range(self):
        """(secondary, subordinate) if this bridge can have children, else None."""
        if not self.is_bridge():
            return None
        sec, sub = self.b(0x19), self.b(0x1a)
        if sec == 0 or sub < sec or sec <= self.bus <= sub:
            return None
        return sec, sub

    def find_cap(self, cap_id):
        """Linux __pci_find_next_cap_ttl: offset of a standard capability, or 0."""
        if not (self.w(0x06) & 0x10):
            return 0
        pos = self.b(0x14 if self.htype == 2 else 0x34)
        for _ in range(48):
            if pos < 0x40:
                break
            pos &= ~3
            ent = self.w(pos)
            cid = ent & 0xff
            if cid == 0xff:
                break
            if cid == cap_id:
                return pos
            pos = ent >> 8
        return 0


def parse_dump(path):
    """Parse like libpci lib/dump.c: header line, hex lines, a blank line ends a device."""
    funcs, cur = [], None
    with open(path, "rb") as f:
        raw = f.read()
    for lineno, line in enumerate(raw.decode("latin-1").split("\n"), 1):
        line = line.rstrip("\r")
        m = HDR_RE.match(line)
        if m:
            dom = int(m.group(1), 16) if m.group(1) else 0
            cur = Func(dom, int(m.group(2), 16), int(m.group(3), 16), int(m.group(4)), lineno)
            funcs.append(cur)
            continue
        if not line:
            cur = None
            continue
        m = DATA_RE.match(line)
        if not (cur and m):
            continue
        off = int(m.group(1), 16)
        m2 = BYTES_RE.match(line, m.end())
        vals = bytes.fromhex(m2.group(0)) if m2 else b""
        if off + len(vals) > 4096:
            raise Error("%s:%d: more than 4096 bytes of config space" % (path, lineno))
        if off > len(cur.data):
            cur.data.extend(b"\xff" * (off - len(cur.data)))
        cur.data[off:off + len(vals)] = vals
    seen, out = {}, []
    for f in funcs:
        if f.name in seen:
            warn("%s:%d: duplicate function %s ignored (first at line %d)"
                 % (path, f.lineno, f.name, seen[f.name].lineno))
            continue
        seen[f.name] = f
        out.append(f)
    if not out:
        raise Error("%s: no devices found" % path)
    return out


QUIET = False


def warn(msg):
    if not QUIET:
        print("mksysfs: warning: " + msg, file=sys.stderr)


def norm_slot(s):
    m = re.fullmatch(r"(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])",
                     str(s).strip())
    if not m:
        raise Error("props: %r is not a PCI slot (DDDD:BB:DD.F)" % (s,))
    return "%04x:%02x:%02x.%d" % (int(m.group(1) or "0", 16), int(m.group(2), 16),
                                  int(m.group(3), 16), int(m.group(4)))


def load_props(path, funcs):
    if yaml is None:
        raise Error("python3-yaml is needed for --props")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml: 20x faster
    with open(path) as f:
        doc = yaml.load(f, Loader=loader) or {}
    if not isinstance(doc, dict):
        raise Error("props: top level must be a mapping")
    bad = set(doc) - {"devices", "numa_node"}
    if bad:
        raise Error("props: unknown top-level key(s): %s" % ", ".join(sorted(map(str, bad))))
    names = {f.name for f in funcs}
    devs = {}
    if not isinstance(doc.get("devices") or {}, dict):
        raise Error("props: devices must be a mapping of slot -> mapping")
    for slot, p in (doc.get("devices") or {}).items():
        name = norm_slot(slot)
        if name not in names:
            raise Error("props: %s is not in the dump" % name)
        if not isinstance(p or {}, dict):
            raise Error("props: %s: value must be a mapping" % name)
        if name in devs:
            raise Error("props: %s given twice" % name)
        p = {k: v for k, v in (p or {}).items() if v is not None}
        if not isinstance(p.get("attrs") or {}, dict):
            raise Error("props: %s: attrs must be a mapping" % name)
        bad = set(p) - PROP_KEYS
        if bad:
            raise Error("props: %s: unknown key(s): %s" % (name, ", ".join(sorted(map(str, bad)))))
        if "physfn" in p:
            p["physfn"] = norm_slot(p["physfn"])
            if p["physfn"] not in names:
                raise Error("props: %s: physfn %s is not in the dump" % (name, p["physfn"]))
        if "driver" in p and not re.fullmatch(r"[A-Za-z0-9_.+-]+", str(p["driver"])):
            raise Error("props: %s: bad driver name %r" % (name, p["driver"]))
        if "iommu_group" in p and not re.fullmatch(r"[0-9]+", str(p["iommu_group"])):
            raise Error("props: %s: iommu_group must be a number" % name)
        devs[name] = p
    return doc.get("numa_node", -1), devs


def build_topology(funcs, props):
    """Set f.parent for every function: narrowest programmed bridge range holding its bus."""
    bridges = {}
    for f in funcs:
        r = f.bus_range()
        if r:
            bridges.setdefault(f.domain, []).append((r[1] - r[0], r[0], r[1], f))
    for lst in bridges.values():
        lst.sort(key=lambda t: (t[0], t[3].bus, t[3].dev, t[3].fn))
    for f in funcs:
        for _, sec, sub, br in bridges.get(f.domain, ()):
            if br is not f and sec <= f.bus <= sub:
                f.parent = br
                break
    byname = {f.name: f for f in funcs}
    for name, p in props.items():
        if "physfn" in p:        # Linux puts a VF's device next to its PF, whatever its bus
            byname[name].parent = byname[p["physfn"]].parent
    for f in funcs:              # garbage bus numbers can make loops: cut them at the root
        seen, g = set(), f
        while g.parent is not None:
            if g in seen:
                warn("%s: bridge bus numbers form a loop; placed on a root bus" % f.name)
                f.parent = None
                break
            seen.add(g)
            g = g.parent
    memo = {}

    def path(f):
        if f.name not in memo:
            if f.parent is None:
                memo[f.name] = "devices/pci%04x:%02x/%s" % (f.domain, f.bus, f.name)
            else:
                memo[f.name] = path(f.parent) + "/" + f.name
        return memo[f.name]
    for f in funcs:
        f.relpath = path(f)


def bar_lines(f):
    """The 7 BAR+ROM lines of the kernel's resource file, decoded from config space."""
    ht = f.htype
    nbar = {0: 6, 1: 2, 2: 1}.get(ht, 0)
    lines = [(0, 0, 0)] * 7
    i = 0
    while i < nbar:
        off = 0x10 + 4 * i
        if off + 4 > len(f.data):
            break
        v = f.l(off)
        if v in (0, 0xffffffff):
            i += 1
            continue
        if v & 1:
            start = v & ~0x3 & 0xffffffff
            if not (v & 0xffff0000):
                start &= 0xffff
            flags = IORESOURCE_IO | IORESOURCE_SIZEALIGN | (v & 0x3)
            lines[i] = (start, start, flags) if start else (0, 0, flags | IORESOURCE_UNSET)
            i += 1
            continue
        flags = IORESOURCE_MEM | IORESOURCE_SIZEALIGN | (v & 0xf)
        if v & 0x8:
            flags |= IORESOURCE_PREFETCH
        start = v & ~0xf & 0xffffffff
        idx = i
        if (v & 0x6) == 0x4 and i + 1 < nbar:
            flags |= IORESOURCE_MEM_64
            start |= f.l(off + 4) << 32
            i += 1
        lines[idx] = (start, start, flags) if start else (0, 0, flags | IORESOURCE_UNSET)
        i += 1
    rom_off = {0: 0x30, 1: 0x38}.get(ht)
    if rom_off is not None and rom_off + 4 <= len(f.data):
        v = f.l(rom_off)
        if v != 0xffffffff and v & ~0x7ff:
            start = v & ~0x7ff
            lines[6] = (start, start, IORESOURCE_MEM | IORESOURCE_READONLY | IORESOURCE_SIZEALIGN
                        | (v & 1))
    return lines


def window_lines(f):
    """The 4 bridge window lines (I/O, memory, prefetchable, unused) of a type-1 bridge."""
    out = [(0, 0, 0)] * 4
    if f.htype != 1 or len(f.data) < 0x40:
        return out
    io_b, io_l = f.b(0x1c), f.b(0x1d)
    if io_b | io_l:
        base, limit = (io_b & 0xf0) << 8, (io_l & 0xf0) << 8
        if (io_b & 0xf) == 1:
            base |= f.w(0x30) << 16
            limit |= f.w(0x32) << 16
        if base <= limit:
            out[0] = (base, limit + 0xfff, IORESOURCE_IO | IORESOURCE_WINDOW | (io_b & 0xf))
    mb, ml = f.w(0x20), f.w(0x22)
    base, limit = (mb & 0xfff0) << 16, (ml & 0xfff0) << 16
    if (mb | ml) and base <= limit:
        out[1] = (base, limit + 0xfffff, IORESOURCE_MEM | IORESOURCE_WINDOW)
    pb, pl = f.w(0x24), f.w(0x26)
    base, limit = (pb & 0xfff0) << 16, (pl & 0xfff0) << 16
    flags = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_WINDOW
    if (pb & 0xf) == 1:
        base |= f.l(0x28) << 32
        limit |= f.l(0x2c) << 32
        flags |= IORESOURCE_MEM_64
    if (pb | pl) and base <= limit:
        out[2] = (base, limit + 0xfffff, flags | (pb & 0xf))
    return out


def resource_text(f):
    lines = bar_lines(f) + [(0, 0, 0)] * 6          # 7..12: SR-IOV BARs (CONFIG_PCI_IOV=y)
    if f.htype in (1, 2):
        lines += window_lines(f)
    return "".join("0x%016x 0x%016x 0x%016x\n" % t for t in lines)


def subsystem_ids(f):
    ht = f.htype
    if ht == 0:
        return f.w(0x2c), f.w(0x2e)
    if ht == 1:
        pos = f.find_cap(0x0d)
        return (f.w(pos + 4), f.w(pos + 6)) if pos else (0, 0)
    if ht == 2:
        return f.w(0x40), f.w(0x42)
    return 0, 0


def link_attrs(f):
    """The four link attributes of a PCIe function as Linux 6.1 computes them, or None."""
    pos = f.find_cap(0x10)
    if not pos:
        return None
    flags = f.w(pos + 2)
    vers, ptype = flags & 0xf, (flags >> 4) & 0xf
    has_link = ptype in LINK_TYPES

    def reg32(off, ok):
        return f.l(pos + off) if ok and pos + off + 4 <= len(f.data) else 0

    def reg16(off, ok):
        return f.w(pos + off) if ok and pos + off + 2 <= len(f.data) else 0
    lnkcap = reg32(0x0c, has_link)
    lnksta = reg16(0x12, has_link)
    lnkcap2 = reg32(0x2c, vers > 1)
    if lnkcap2:
        vec, speed = (lnkcap2 >> 1) & 0x7f, None
        for bit in range(6, 0, -1):          # 64 GT/s (bit 6) down to 2.5 GT/s (bit 1)
            if vec & (1 << (bit - 1)):
                speed = bit
                break
        max_speed = SPEED_STR.get(speed, UNKNOWN)
    else:
        max_speed = SPEED_STR[lnkcap & 0xf] if (lnkcap & 0xf) in (1, 2) else UNKNOWN
    max_width = (lnkcap >> 4) & 0x3f if lnkcap else 255
    return {
        "max_link_speed": max_speed,
        "max_link_width": str(max_width),
        "current_link_speed": SPEED_STR.get(lnksta & 0xf, UNKNOWN),
        "current_link_width": str((lnksta >> 4) & 0x3f),
    }


def write(path, text, mode=0o444, dir_fd=None):
    data = text.encode() if isinstance(text, str) else text
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode, dir_fd=dir_fd)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def rel(from_dir, to):
    """Relative path from directory from_dir to to; both relative to OUTDIR, '/'-separated."""
    a, b = from_dir.split("/"), to.split("/")
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return "/".join([".."] * (len(a) - n) + b[n:])


def prepare_outdir(out, force):
    if os.path.lexists(out):
        if not os.path.isdir(out) or os.path.islink(out):
            raise Error("%s exists and is not a directory" % out)
        entries = os.listdir(out)
        if entries:
            if not (force and MARKER in entries):
                raise Error("%s is not empty (use --force to replace a tree made by mksysfs.py)"
                            % out)
            for e in entries:
                p = os.path.join(out, e)
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                else:
                    os.unlink(p)
    else:
        os.makedirs(out)
    write(os.path.join(out, MARKER), "fake sysfs tree made by tests/tools/mksysfs.py\n", 0o644)


def build(dump, out, props_path=None, unprivileged=False, force=False):
    """Parse DUMP (+ props) and write the tree under out. Returns the list of Func."""
    funcs = parse_dump(dump)
    numa_default, props = (-1, {})
    if props_path:
        numa_default, props = load_props(props_path, funcs)
    build_topology(funcs, props)
    out = os.path.abspath(out)
    prepare_outdir(out, force)
    made = set()

    def mkdirs(relpath):                 # mkdir -p below out, remembering what exists
        if relpath in made:
            return
        parent = relpath.rpartition("/")[0]
        if parent:
            mkdirs(parent)
        os.mkdir(os.path.join(out, relpath))
        made.add(relpath)

    def link(target, linkpath):          # both relative to out; the link text is relative
        os.symlink(rel(linkpath.rpartition("/")[0], target), os.path.join(out, linkpath))

    for d in ("bus/pci/devices", "bus/pci/drivers", "bus/pci/slots"):
        mkdirs(d)
    byname = {f.name: f for f in funcs}
    groups = set()

    # parents before children: sort by path depth
    for f in sorted(funcs, key=lambda f: f.relpath.count("/")):
        ddir = f.relpath
        mkdirs(ddir)
        dfd = os.open(os.path.join(out, ddir), os.O_RDONLY | os.O_DIRECTORY)
        try:
            p = props.get(f.name, {})
            data = bytes(f.data)
            if unprivileged:
                data = data[:128 if f.htype == 2 else 64]
            write("config", data, 0o644, dfd)
            vendor, device = f.w(0), f.w(2)
            cls = f.l(0x08) >> 8
            sv, sd = subsystem_ids(f)
            pin = f.b(0x3d) if len(f.data) > 0x3d else 0
            irq = f.b(0x3c) if pin else 0
            numa = p.get("numa_node", numa_default)
            attrs = {
                "vendor": "0x%04x" % vendor,
                "device": "0x%04x" % device,
                "subsystem_vendor": "0x%04x" % sv,
                "subsystem_device": "0x%04x" % sd,
                "class": "0x%06x" % cls,
                "revision": "0x%02x" % f.b(0x08),
                "irq": "%u" % irq,
                "numa_node": "%d" % int(numa),
                "modalias": "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X"
                            % (vendor, device, sv, sd, cls >> 16, (cls >> 8) & 0xff, cls & 0xff),
                "resource": resource_text(f).rstrip("\n"),
            }
            r = f.bus_range()
            if r:
                attrs["secondary_bus_number"] = "%u" % r[0]
                attrs["subordinate_bus_number"] = "%u" % r[1]
            la = link_attrs(f)
            if la:
                attrs.update(la)
            if "label" in p:
                attrs["label"] = str(p["label"])
            uevent = []
            if "driver" in p:
                uevent.append("DRIVER=%s" % p["driver"])
            uevent += ["PCI_CLASS=%X" % cls, "PCI_ID=%04X:%04X" % (vendor, device),
                       "PCI_SUBSYS_ID=%04X:%04X" % (sv, sd), "PCI_SLOT_NAME=%s" % f.name,
                       "MODALIAS=%s" % attrs["modalias"]]
            attrs["uevent"] = "\n".join(uevent)
            for k, v in (p.get("attrs") or {}).items():
                k = str(k)
                if "/" in k or k in ("config", ".", "..", "") or k in RESERVED_LINKS:
                    raise Error("props: %s: attrs may not set %r" % (f.name, k))
                attrs[k] = str(v).rstrip("\n")
            for k, v in attrs.items():
                write(k, v + "\n", 0o444, dfd)
        finally:
            os.close(dfd)
        link("bus/pci", ddir + "/subsystem")
        link(ddir, "bus/pci/devices/" + f.name)
        if "driver" in p:
            drv = "bus/pci/drivers/" + str(p["driver"])
            mkdirs(drv)
            link(drv, ddir + "/driver")
            link(ddir, drv + "/" + f.name)
        if "iommu_group" in p:
            grp = "kernel/iommu_groups/%d" % int(p["iommu_group"])
            if grp not in groups:
                groups.add(grp)
                mkdirs(grp + "/devices")
                write(os.path.join(out, grp, "type"), "DMA\n")
            link(grp, ddir + "/iommu_group")
            link(ddir, grp + "/devices/" + f.name)
        if "slot" in p:
            sdir = "bus/pci/slots/" + str(p["slot"])
            if "/" in str(p["slot"]) or sdir in made:
                raise Error("props: slot %r given twice or not a name" % p["slot"])
            mkdirs(sdir)
            write(os.path.join(out, sdir, "address"),
                  "%04x:%02x:%02x\n" % (f.domain, f.bus, f.dev))

    # SR-IOV links, after every directory exists
    vfs = {}
    for name in sorted(props, key=lambda n: (byname[n].domain, byname[n].bus,
                                             byname[n].dev, byname[n].fn)):
        if "physfn" in props[name]:
            vfs.setdefault(props[name]["physfn"], []).append(name)
    for pf, names in vfs.items():
        pdir = byname[pf].relpath
        used = {int(props[n]["vf_index"]) for n in names if "vf_index" in props[n]}
        nxt = 0
        for n in names:
            if "vf_index" in props[n]:
                idx = int(props[n]["vf_index"])
            else:
                while nxt in used:
                    nxt += 1
                idx = nxt
                used.add(idx)
            vdir = byname[n].relpath
            if os.path.lexists(os.path.join(out, pdir, "virtfn%d" % idx)):
                raise Error("props: %s: vf_index %d used twice" % (pf, idx))
            link(pdir, vdir + "/physfn")
            link(vdir, pdir + "/virtfn%d" % idx)
        vf0, pfd = byname[names[0]], byname[pf]

        def rid(f):
            return f.bus << 8 | f.dev << 3 | f.fn
        stride = rid(byname[names[1]]) - rid(vf0) if len(names) > 1 else 1
        for k, v in (("sriov_totalvfs", len(names)), ("sriov_numvfs", len(names)),
                     ("sriov_offset", rid(vf0) - rid(pfd)), ("sriov_stride", stride),
                     ("sriov_vf_device", "%x" % vf0.w(2)), ("sriov_drivers_autoprobe", 1)):
            path = os.path.join(out, pdir, k)
            if not os.path.exists(path):
                write(path, "%s\n" % v)
    return funcs


def main(argv=None):
    global QUIET
    ap = argparse.ArgumentParser(
        prog="mksysfs.py", description="Build a fake sysfs tree (OUTDIR/bus/pci, "
        "OUTDIR/devices/...) from an lspci dump; see the top of this file for the sidecar format.")
    ap.add_argument("dump", metavar="DUMP")
    ap.add_argument("outdir", metavar="OUTDIR")
    ap.add_argument("--props", metavar="PROPS.yaml", help="YAML sidecar of OS facts")
    ap.add_argument("--unprivileged", action="store_true",
                    help="config holds only the first 64 bytes (128 for CardBus), as a "
                    "non-root reader sees it")
    ap.add_argument("--force", action="store_true",
                    help="replace OUTDIR if it is a tree made by this script")
    ap.add_argument("-q", "--quiet", action="store_true", help="no warnings")
    a = ap.parse_args(argv)
    QUIET = a.quiet
    try:
        funcs = build(a.dump, a.outdir, a.props, a.unprivileged, a.force)
    except (Error, OSError, ValueError) as e:
        print("mksysfs: %s" % e, file=sys.stderr)
        return 1
    except Exception as e:  # yaml errors and the like
        print("mksysfs: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    if not QUIET:
        print("mksysfs: %d functions -> %s/bus/pci" % (len(funcs), os.path.abspath(a.outdir)),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check pcilink's decoding against the real-world corpus in ../shared/fixtures.

real/*.dump: compared with lspci 3.9's own -vvv decoding beside each dump.
linuxhw/*.dump: compared with the values read from the original machines' lspci text.
Per device: port type, LnkCap and LnkSta speed/width, LnkCap2 speeds, AtomicOpsCap bits,
parent (linuxhw). Deliberate difference, tested here: pcilink's max_speed follows Linux 6.13+
(LnkCap2 speeds above LnkCap's Max Link Speed ignored), lspci's LnkCap line the LNKCAP code.
Prints 'N passed, N failed[, N skipped]'; a missing corpus is a skip, not a failure.
"""
import glob, json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.abspath(__file__))
PCILINK = os.environ.get("PCILINK", os.path.join(ROOT, "..", "pcilink"))
FIX = os.environ.get("FIXTURES", os.path.join(ROOT, "..", "..", "shared", "fixtures"))

TYPES = {
    "Endpoint": "endpoint", "Legacy Endpoint": "legacy_endpoint", "Root Port": "root_port",
    "Upstream Port": "upstream_port", "Downstream Port": "downstream_port",
    "PCI-Express to PCI/PCI-X Bridge": "pcie_to_pci_bridge",
    "PCI/PCI-X to PCI-Express Bridge": "pci_to_pcie_bridge",
    "Root Complex Integrated Endpoint": "rc_integrated_endpoint",
    "Root Complex Event Collector": "rc_event_collector",
}
SPEED = {1: 2.5, 2: 5, 3: 8, 4: 16, 5: 32, 6: 64}
GTS = {"2.5GT/s": 2.5, "5GT/s": 5, "8GT/s": 8, "16GT/s": 16, "32GT/s": 32, "64GT/s": 64}
LADDER = [2.5, 5, 8, 16, 32, 64]

passed = failed = skipped = 0
problems = []


def probe(dump):
    out = subprocess.run([PCILINK, "probe", "--dump", dump, "--all", "-n", "--format", "json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (dump, out.returncode, out.stderr.strip()))
    return {d["slot"]: d for d in json.loads(out.stdout)["devices"]}


def canon(slot):
    return slot if slot.count(":") == 2 else "0000:" + slot


def cap_speed(dev, reg):
    r = (dev["pcie"] or {}).get("registers", {}).get(reg)
    return SPEED.get(int(r, 16) & 0xf) if r else None


def cap_width(dev, reg):
    r = (dev["pcie"] or {}).get("registers", {}).get(reg)
    return (int(r, 16) >> 4) & 0x3f if r else None


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
    else:
        failed += 1
        problems.append("%s: got %r, want %r" % (name, got, want))


def kernel_max_speed(dev):
    """The deliberate difference: max_speed is Linux 6.13+ pcie_get_speed_cap(), the highest of
    pcie_get_supported_speeds(): the LnkCap2 vector without the speeds above LnkCap's Max Link
    Speed, synthesised from Max Link Speed (2.5 or 5GT/s only) when nothing is left. Until 6.13 the
    whole vector counted; lspci's LnkCap line prints the Max Link Speed code."""
    p = dev["pcie"]
    if not p or not p["link"] or not p["registers"]["lnkcap"]:
        return
    code = int(p["registers"]["lnkcap"], 16) & 0xf
    vec = (int(p["registers"]["lnkcap2"], 16) >> 1) & 0x3f if p["registers"]["lnkcap2"] else 0
    speeds = vec & ((1 << code) - 1) or {1: 0x1, 2: 0x3}.get(code, 0)
    want = SPEED[speeds.bit_length()] if speeds else None
    check(dev["slot"] + " max_speed (kernel rule)", p["link"]["max_speed"], want)
    # the speeds above Max Link Speed are said, with what older kernels report
    ignored = vec & ~speeds
    said = any("which Linux 6.13 and later ignore" in w for w in dev["warnings"])
    check(dev["slot"] + " speeds above Max Link Speed reported", said, bool(ignored))


def parse_lspci(path):
    devs, cur = {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^([0-9a-f]{4,5}:)?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            cur = devs.setdefault(canon((m.group(1) or "") + m.group(2)), {})
            continue
        if cur is None:
            continue
        s = line.strip()
        m = re.search(r"Express \(v(\d+)\) (.+?)(?: \(Slot[+-]\))?, (MSI|IntMsgNum)", s)
        if m:
            cur["type"] = TYPES.get(m.group(2))
            cur["version"] = int(m.group(1))
        m = re.match(r"LnkCap:\s+Port #\d+, Speed (\S+), Width x(\d+)", s)
        if m:
            cur["cap"] = (GTS.get(m.group(1).rstrip(",")), int(m.group(2)))
        m = re.match(r"LnkSta:\s+Speed (\S+?)(?: \([a-z]+\))?, Width x(\d+)", s)
        if m:
            cur["sta"] = (GTS.get(m.group(1).rstrip(",")), int(m.group(2)))
        m = re.match(r"LnkCap2: Supported Link Speeds: ([0-9.]+)(?:-([0-9.]+))?GT/s", s)
        if m:
            lo, hi = float(m.group(1)), float(m.group(2) or m.group(1))
            cur["lnkcap2"] = [x for x in LADDER if lo <= x <= hi]
        m = re.match(r"AtomicOpsCap: (.*)", s)
        if m:
            for k, key in (("Routing", "routing"), ("32bit", "completer32"),
                           ("64bit", "completer64"), ("128bitCAS", "completer128")):
                b = re.search(k + r"([+-])", m.group(1))
                if b:
                    cur.setdefault("atomics", {})[key] = b.group(1) == "+"
    return devs


def real_fixture(dump):
    oracle = parse_lspci(dump + ".lspci-vvv.txt")
    ours = probe(dump)
    check(os.path.basename(dump) + " device count", len(ours), len(oracle))
    for slot, o in sorted(oracle.items()):
        d = ours.get(slot)
        name = "%s %s" % (os.path.basename(dump), slot)
        if d is None:
            check(name + " present", False, True)
            continue
        if "type" in o:
            check(name + " type", d["pcie"] and d["pcie"]["type"], o["type"])
            check(name + " version", d["pcie"] and d["pcie"]["version"], o["version"])
        else:
            check(name + " no PCIe", d["pcie"], None)
        if "cap" in o:
            check(name + " LnkCap", (cap_speed(d, "lnkcap"), cap_width(d, "lnkcap")), o["cap"])
            check(name + " link.max_width", d["pcie"]["link"]["max_width"], o["cap"][1])
        if "sta" in o:
            check(name + " LnkSta", (d["pcie"]["link"]["speed"], d["pcie"]["link"]["width"]), o["sta"])
        if "lnkcap2" in o:
            check(name + " LnkCap2", d["pcie"]["link"]["supported_speeds"], o["lnkcap2"])
        for k, v in o.get("atomics", {}).items():
            check(name + " " + k, (d["pcie"]["atomics"] or {}).get(k), v)
        kernel_max_speed(d)


def linuxhw_fixture(dump):
    want = json.load(open(dump.replace(".dump", ".expected.json")))
    ours = probe(dump)
    base = os.path.basename(dump)
    check(base + " device count", len(ours), len(want))
    for w in want:
        slot = canon(w["slot"])
        d = ours.get(slot)
        name = "%s %s" % (base, slot)
        if d is None:
            check(name + " present", False, True)
            continue
        check(name + " vendor", d["vendor_id"], w["vendor"]) if w.get("vendor") else None
        if w.get("device") and not w.get("ids_from_names"):
            check(name + " device", d["device_id"], w["device"])
        check(name + " class", d["class_id"], w["class"]) if w.get("class") else None
        check(name + " parent", d["parent"], canon(w["parent"]) if w["parent"] else None)
        p = d["pcie"]
        if w["pcie_type"] is None:
            continue
        check(name + " type", p and p["type"], TYPES[w["pcie_type"]])
        if w["cap_version"] is not None:
            check(name + " version", p["version"], w["cap_version"])
        if w["lnkcap_speed_gts"] is not None:
            check(name + " LnkCap speed", cap_speed(d, "lnkcap"), w["lnkcap_speed_gts"])
        if w["lnkcap_width"] is not None:
            check(name + " LnkCap width", p["link"]["max_width"], w["lnkcap_width"])
        if w["lnkcap_port"] is not None:
            check(name + " LnkCap port", p["link"]["port"], w["lnkcap_port"])
        if w["lnksta_speed_gts"] is not None:
            check(name + " LnkSta speed", p["link"]["speed"], w["lnksta_speed_gts"])
        if w["lnksta_width"] is not None:
            check(name + " LnkSta width", p["link"]["width"], w["lnksta_width"])
        if w["lnkcap2_speeds"] is not None:
            check(name + " LnkCap2", p["link"]["supported_speeds"], w["lnkcap2_speeds"])
        if w["lnkctl2_target_speed_gts"] is not None:
            check(name + " LnkCtl2 target", p["link"]["target_speed"], w["lnkctl2_target_speed_gts"])
        for k in ("routing", "comp32", "comp64", "comp128"):
            v = w["atomic_" + k]
            if v is not None:
                key = "routing" if k == "routing" else "completer" + k[4:]
                check(name + " atomic " + k, (p["atomics"] or {}).get(key), v)
        kernel_max_speed(d)


def main():
    global skipped
    if not os.path.isdir(FIX):
        print("corpus: skipped: %s not found (the shared fixtures are not beside this clone)" % FIX)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    for dump in sorted(glob.glob(os.path.join(FIX, "real", "*.dump"))):
        real_fixture(dump)
    for dump in sorted(glob.glob(os.path.join(FIX, "linuxhw", "*.dump"))):
        linuxhw_fixture(dump)
    for p in problems[:60]:
        print("FAIL", p)
    if len(problems) > 60:
        print("... %d more" % (len(problems) - 60))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())

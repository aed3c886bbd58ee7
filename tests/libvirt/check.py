#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcilink check --domain against real libvirt: libvirt's own conversion is the oracle.

Each domain (the virt-install q35 domain of tests/libvirt/domains with host devices, overrides,
<qemu:commandline>, ioh3420, a switch, a device on pcie-root, a multifunction GPU, pc-q35-3.1) is
checked with --domain; libvirt converts the same domain (virsh domxml-to-native through
lv-check.py) and check reads that QEMU argv with --qemu-cmdline: both must give the same findings
(code, host function, guest device), and the ports libvirt writes must carry the x-speed/x-width
check predicted where the domain sets them. Prints 'N passed, N failed[, N skipped]'.
"""
import json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
PCILINK = os.path.join(TOP, "pcilink")
LVCHECK = os.path.join(HERE, "lv-check.py")
BASE = os.path.join(HERE, "domains", "q35-hostdev-defined.xml")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from testlib import Tally  # noqa: E402

T = Tally()
NS = "http://libvirt.org/schemas/domain/qemu/1.0"


def hostdev(host, bus, slot=0, fn=0, mf=False, alias=None):
    b, d, f = host.split(":")[0], host.split(":")[1].split(".")[0], host.split(".")[1]
    return ("<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
            "bus='0x%s' slot='0x%s' function='0x%s'/></source>%s<address type='pci' domain='0x0000' "
            "bus='0x%02x' slot='0x%02x' function='0x%x'%s/></hostdev>" % (
                b, d, f, "<alias name='%s'/>" % alias if alias else "", bus, slot, fn,
                " multifunction='on'" if mf else ""))


def controller(index, model, name, bus, slot, fn=0, alias=None, extra=""):
    return ("<controller type='pci' index='%d' model='%s'><model name='%s'/>%s%s<address type='pci' "
            "domain='0x0000' bus='0x%02x' slot='0x%02x' function='0x%x'/></controller>" % (
                index, model, name, extra, "<alias name='%s'/>" % alias if alias else "", bus, slot, fn))


def domain(devices="", tail="", machine=None, drop_hostdev=True):
    s = open(BASE).read()
    if drop_hostdev:
        s = re.sub(r"<hostdev\b.*?</hostdev>\s*", "", s, flags=re.S)
    s = s.replace("</devices>", devices + "</devices>")
    if tail:
        s = s.replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='%s'>" % NS)
        s = s.replace("</domain>", tail + "</domain>")
    if machine:
        s = s.replace("machine='pc-q35-7.2'", "machine='%s'" % machine)
    return s


def override(alias, props, typ="string"):
    return ("<qemu:override><qemu:device alias='%s'><qemu:frontend>%s</qemu:frontend></qemu:device>"
            "</qemu:override>" % (alias, "".join("<qemu:property name='%s' type='%s' value='%s'/>" % (k, typ, v)
                                                 for k, v in props)))


def cases():
    # new controllers take indices 15 and 16 (the base domain ends at 14): libvirt fills gaps
    ua = controller(15, "pcie-root-port", "pcie-root-port", 0, 3, 0, alias="ua-gpu",
                    extra="<target chassis='20' port='0x20'/>")
    return [
        ("hostdev on a default root port", domain(hostdev("03:00.0", 1)), ["port-overstates"]),
        ("override with strings", domain(ua + hostdev("03:00.0", 15), override("ua-gpu", [("x-speed", "16"), ("x-width", "16")])),
         []),
        ("override type='unsigned'", domain(ua + hostdev("03:00.0", 15), override("ua-gpu", [("x-speed", "16"), ("x-width", "16")], "unsigned")),
         ["qemu-refuses"]),
        ("commandline -global", domain(hostdev("06:00.0", 1), "<qemu:commandline><qemu:arg value='-global'/>"
                                       "<qemu:arg value='pcie-root-port.x-speed=8'/><qemu:arg value='-global'/>"
                                       "<qemu:arg value='pcie-root-port.x-width=4'/></qemu:commandline>"), []),
        ("commandline words over two elements", domain(hostdev("06:00.0", 1), "<qemu:commandline><qemu:arg value='-global'/>"
                                                       "</qemu:commandline><qemu:commandline>"
                                                       "<qemu:arg value='pcie-root-port.x-speed=8'/><qemu:arg value='-global'/>"
                                                       "<qemu:arg value='pcie-root-port.x-width=4'/></qemu:commandline>"), []),
        ("commandline -set on a JSON device", domain(hostdev("06:00.0", 1), "<qemu:commandline><qemu:arg value='-set'/>"
                                                      "<qemu:arg value='device.hostdev0.x-speed=8'/></qemu:commandline>"),
         ["qemu-refuses"]),
        ("multifunction GPU", domain(hostdev("03:00.0", 1, mf=True) + hostdev("03:00.1", 1, fn=1)), ["atomics-multifunction"]),
        ("ioh3420", domain(controller(15, "pcie-root-port", "ioh3420", 0, 3, extra="<target chassis='20' port='0x20'/>")
                           + hostdev("04:00.0", 15)), ["no-link-ioh3420"]),
        ("switch", domain(controller(15, "pcie-switch-upstream-port", "x3130-upstream", 1, 0)
                          + controller(16, "pcie-switch-downstream-port", "xio3130-downstream", 15, 0,
                                       extra="<target chassis='21' port='0x0'/>")
                          + hostdev("03:00.0", 16)), ["no-link-switch", "atomics-behind-switch"]),
        ("hostdev on pcie-root", domain(hostdev("04:00.0", 0, slot=5)), ["no-link-root-bus"]),
        ("pc-q35-3.1", domain(hostdev("04:00.0", 1), machine="pc-q35-3.1"), ["port-slower"]),
        ("port at function 1 alone", domain(controller(15, "pcie-root-port", "pcie-root-port", 0, 3, 1,
                                                       extra="<target chassis='20' port='0x20'/>")
                                            + hostdev("04:00.0", 15)), ["slot-without-function-0"]),
    ]


def generated():
    """gen-libvirt-xml merged into the base domain: it must check clean (generators and checker
    share one model of QEMU); on 7.2 only the lost AtomicOps the plan itself reports remain."""
    base = domain()
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(base)
    try:
        out = subprocess.run([PCILINK, "gen-libvirt-xml", "--qemu-version", "7.2", "--dump", EXAMPLE, "--domain",
                              f.name, "--split-functions", "03:00", "04:00.0", "06:00.0"],
                             capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if out.returncode:
        raise RuntimeError("gen-libvirt-xml: " + out.stderr)
    return out.stdout


def check(*args):
    out = subprocess.run([PCILINK, "check", "--qemu-version", "7.2", "--dump", EXAMPLE, "-o", "json", *args],
                         capture_output=True, text=True)
    if out.returncode not in (0, 3):
        raise RuntimeError("check exit %d: %s" % (out.returncode, out.stderr.strip()))
    return json.loads(out.stdout)


def key(f):
    return (f["code"], f["host"], f["guest"])


def main():
    if not os.access(PCILINK, os.X_OK):
        print("FAIL pcilink is not built")
        print("0 passed, 1 failed")
        return 1
    if os.geteuid() != 0:
        T.skip("libvirt", "needs root (embedded QEMU driver)")
        return T.summary()
    tmp = tempfile.mkdtemp(prefix="pcilink-lvcheck-")
    try:
        todo = cases() + [("gen-libvirt-xml --domain merge", generated(), [])]
    except RuntimeError as e:
        T.result(False, "gen-libvirt-xml merge", str(e))
        todo = cases()
    for name, xml, want in todo:
        path = os.path.join(tmp, re.sub(r"\W+", "-", name) + ".xml")
        open(path, "w").write(xml)
        lv = subprocess.run([sys.executable, LVCHECK, path], capture_output=True, text=True)
        if lv.returncode == 2 and "setup" in lv.stderr:
            T.skip("libvirt", lv.stderr.strip()[-300:], len(cases()) * 3)
            break
        try:
            res = json.loads(lv.stdout)
            if res.get("native_error"):
                raise RuntimeError("libvirt does not convert it: " + res["native_error"])
            dom = check("--domain", path)
            argv = os.path.join(tmp, "argv")
            open(argv, "w").write("\0".join(res["argv"]) + "\0")
            cmd = check("--qemu-cmdline", argv)
        except (RuntimeError, ValueError) as e:
            T.result(False, name, str(e)[-400:])
            continue
        a, b = sorted(map(key, dom["findings"])), sorted(map(key, cmd["findings"]))
        T.result(a == b, name + ": --domain and libvirt's own command line give the same findings",
                 "domain %s; command line %s" % (a, b))
        codes = {f["code"] for f in dom["findings"]}
        T.result(set(want) <= codes and (want or not [c for c in codes if c != "atomics-qemu-old"]),
                 name + ": findings %s" % (want or "none"), sorted(codes))
        # what libvirt wrote for each port is what check read from the domain
        bad = []
        for p in dom["guest"]["ports"]:
            q = res["ports"].get(p["id"])
            if p["driver"] == "pcie-root-port" and q is None:
                bad.append("%s: libvirt wrote no such port" % p["id"])
            elif q and p["x_speed_source"] == "explicit" and (str(q.get("x-speed")), str(q.get("x-width"))) != (
                    p["x_speed"], p["x_width"]):
                bad.append("%s: libvirt wrote %s/%s, check read %s/%s" % (p["id"], q.get("x-speed"), q.get("x-width"),
                                                                          p["x_speed"], p["x_width"]))
        T.result(not bad, name + ": ports as libvirt writes them", "; ".join(bad[:3]))
    return T.summary()


sys.exit(main())

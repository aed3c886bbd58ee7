#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-proxmox against real QEMU 7.2 and 10.0, through qemu-server's command line as modelled by
qm-cmdline.py (Proxmox itself cannot run here).

Each case writes a VM config (gen-proxmox alone, or --conf merging into one), turns it into the
QEMU arguments qemu-server would build, and runs them paused under QMP (tests/qemu/qemu-check.py,
vfio-pci swapped for emulated endpoints): every port of a hostpci entry carries the x-speed and
x-width probe recommends for its device (clamped to what the QEMU accepts, or the override), sits
where qemu-server puts it (1c.N, 10.N-4, 11.N-12), and every host function is on its port at the
function its place in the entry gives. Some cases boot the tiny guest and read each port's link
from its sysfs. A negative control shows why indices matter: hostpci5 without hostpci4 is invisible
to the guest. Merges are run twice (same bytes). Prints 'N passed, N failed[, N skipped]'.
"""
import json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
PCILINK = os.path.join(TOP, "pcilink")
CHECK = os.path.join(TOP, "tests", "qemu", "qemu-check.py")
QM = os.path.join(HERE, "qm-cmdline.py")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
CONF = os.path.join(HERE, "conf")
GTS = {"2_5": "2.5 GT/s PCIe", "5": "5.0 GT/s PCIe", "8": "8.0 GT/s PCIe", "16": "16.0 GT/s PCIe",
       "32": "32.0 GT/s PCIe", "64": "64.0 GT/s PCIe"}
ORDER = ["2_5", "5", "8", "16", "32", "64"]

sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from testlib import Tally, qemus  # noqa: E402

T = Tally()
result = T.result


def run(*args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True)


def recommendations():
    probe = json.loads(run(PCILINK, "probe", "--dump", EXAMPLE, "--all", "-n", "-o", "json").stdout)
    return {d["slot"]: d["recommendation"] for d in probe["devices"]}


def accepted(qemu):
    out = run(PCILINK, "gen-qemu-args", "--qemu", qemu, "--dump", EXAMPLE, "-o", "json", "05:00.0")
    return json.loads(out.stdout)["target"]["accepted_speeds"]


def entries(conf):
    """hostpciN -> list of host functions of the live config's pcie=1 entries written by pcilink."""
    out = {}
    for line in conf.split("\n"):
        if line.startswith("["):
            break
        m = re.match(r"^hostpci(\d+): (0000:[0-9a-f:.;]+),.*pcie=1", line)
        if m:
            out[int(m.group(1))] = m.group(2).split(";")
    return out


def port_devfn(n):
    return (0x1c << 3 | n) if n < 4 else (0x10 << 3 | (n - 4)) if n < 12 else (0x11 << 3 | (n - 12))


def qemu_check(qemu, conf, boot):
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(conf)
    try:
        args = run(sys.executable, QM, "--nul", f.name)
        if args.returncode:
            raise RuntimeError("qm-cmdline: " + args.stderr)
        with open(f.name + ".args", "w") as a:
            a.write(args.stdout)
        out = run(sys.executable, CHECK, "--qemu", qemu, "--nul", "--timeout", "300",
                  *(["--boot"] if boot else []), f.name + ".args")
        if out.returncode:
            raise RuntimeError("qemu-check: " + out.stderr.strip()[-500:])
        return json.loads(out.stdout)
    finally:
        for p in (f.name, f.name + ".args"):
            if os.path.exists(p):
                os.unlink(p)


def case(name, qemu, gen, conf=None, boot=False, expect=None, rec=None, acc=None):
    """gen-proxmox (merged into conf when given, else into a bare q35 config), then QEMU."""
    args = [PCILINK, "gen-proxmox", "--qemu", qemu, "--kernel-version", "6.8", "--dump", EXAMPLE, *gen]
    if conf is not None:
        out = run(*args, "--conf", "-", stdin=conf)
    else:
        out = run(*args)
    if out.returncode:
        return result(False, name, "gen-proxmox exit %d: %s" % (out.returncode, out.stderr.strip()))
    vm = out.stdout if conf is not None else "machine: q35\n" + out.stdout
    if conf is not None:
        again = run(*args, "--conf", "-", stdin=vm)
        result(again.stdout == vm, name + ": merging again gives the same bytes", again.stderr[-300:])
    ents = entries(vm)
    try:
        got = qemu_check(qemu, vm, boot)
    except RuntimeError as e:
        return result(False, name, str(e))
    if not got["accepted"]:
        return result(False, name + ": QEMU accepts", got.get("error"))
    bad, devs = [], {d.get("id"): d for d in got["devices"]}
    for n, fns in sorted(ents.items()):
        pid = "ich9-pcie-port-%d" % (n + 1)
        p = got["ports"].get(pid)
        r = (expect or {}).get(fns[0]) or rec[fns[0]]
        want = (clamp(r["x_speed"], acc), r["x_width"])
        if not p:
            bad.append("%s missing" % pid)
            continue
        if (p["x-speed"], p["x-width"]) != want:
            bad.append("%s: %s/%s, want %s/%s" % (pid, p["x-speed"], p["x-width"], *want))
        if "--hotplug" in gen and p.get("hotplug") != (gen[gen.index("--hotplug") + 1] == "on"):
            bad.append("%s: hotplug %s" % (pid, p.get("hotplug")))
        if p["addr"] != port_devfn(n):
            bad.append("%s at devfn %#x, want %#x" % (pid, p["addr"], port_devfn(n)))
        for j, f in enumerate(fns):
            d = devs.get("hostpci%d%s" % (n, ".%d" % j if len(fns) > 1 else ""))
            if not d or d.get("parent") != pid or d.get("function") != j or d.get("host") != f:
                bad.append("%s not at %s fn %d: %s" % (f, pid, j, d))
    result(not bad and ents, "%s: %d hostpci entries, every port's link and every function's place"
           % (name, len(ents)), "; ".join(bad[:4]))
    if boot:
        gbad = []
        for n, fns in sorted(ents.items()):
            pid = "ich9-pcie-port-%d" % (n + 1)
            slot = got.get("port_slots", {}).get(pid)
            g = got.get("guest", {}).get(slot)
            r = (expect or {}).get(fns[0]) or rec[fns[0]]
            want = (GTS[clamp(r["x_speed"], acc)], r["x_width"])
            if not g or (g["max_speed"], g["max_width"]) != want:
                gbad.append("%s (%s): guest sees %s, want %s" % (pid, slot, g and (g["max_speed"], g["max_width"]),
                                                                want))
        result(not gbad, name + ": the booted guest reads the planned link on every port", "; ".join(gbad[:4]))
    return vm


def clamp(speed, acc):
    while speed not in acc:
        speed = ORDER[ORDER.index(speed) - 1]
    return speed


def invisible_without_function0(qemu):
    """The control: hostpci5 with pcie=1 and no hostpci4 puts a port at 10.1 alone; Linux skips it."""
    vm = "machine: q35\nhostpci5: 0000:05:00.0,pcie=1\n"
    got = qemu_check(qemu, vm, True)
    seen = [s for s in got.get("guest", {}) if s.startswith("0000:00:10.")]
    result(got["accepted"] and not seen, "control: hostpci5 without hostpci4 (port at 00:10.1) is invisible "
           "to the guest", "guest lists %s" % seen)


def agreement(ver, qemu):
    """check --proxmox against QMP on a matrix of configs: what each port advertises, where each
    function sits, and whether QEMU starts at all."""
    fns = ",".join(sorted(recommendations()))
    for conf in sorted(os.listdir(CONF)):
        path = os.path.join(CONF, conf)
        text = open(path).read()
        if "q35" not in text.split("\n[")[0]:
            continue            # qm-cmdline models q35 VMs only
        maps = ["--mapping", os.path.join(HERE, "pci.cfg"), "--node", "pve1"]
        chk = run(PCILINK, "check", "--proxmox", path, "--qemu", qemu, "--dump", EXAMPLE, "-o", "json", *maps)
        if chk.returncode not in (0, 3):
            result(False, "qemu %s check %s" % (ver, conf), chk.stderr)
            continue
        rep = json.loads(chk.stdout)
        args = run(sys.executable, QM, "--nul", "--functions", fns, *maps, path)
        with tempfile.NamedTemporaryFile("w", suffix=".args", delete=False) as f:
            f.write(args.stdout)
        try:
            got = json.loads(run(sys.executable, CHECK, "--qemu", qemu, "--nul", "--timeout", "300", f.name).stdout)
        finally:
            os.unlink(f.name)
        refuses = any(x["code"] == "qemu-refuses" for x in rep["findings"])
        name = "qemu %s check --proxmox %s" % (ver, conf)
        if not got["accepted"]:
            result(refuses, name + ": QEMU refuses it and check says so", got.get("error"))
            continue
        bad = ["check says QEMU refuses"] if refuses else []
        for p in rep["guest"]["ports"]:
            q = got["ports"].get(p["id"])
            if p["driver"] not in ("pcie-root-port", "ioh3420"):
                continue
            if not q or q["type"] != p["driver"]:
                bad.append("%s: QEMU has %s" % (p["id"], q and q["type"]))
                continue
            sl, fn = (int(x, 16) for x in p["addr"].split("."))
            if q["addr"] != (sl << 3 | fn):
                bad.append("%s at %s, QEMU devfn %#x" % (p["id"], p["addr"], q["addr"]))
            if q["type"] == "pcie-root-port" and (q["x-speed"], q["x-width"]) != (p["x_speed"], p["x_width"]):
                bad.append("%s: check %s/%s, QEMU %s/%s" % (p["id"], p["x_speed"], p["x_width"],
                                                            q["x-speed"], q["x-width"]))
        devs = {d.get("id"): d for d in got["devices"]}
        for a in rep["guest"]["assigned"]:
            if a["addr"] is None:
                continue        # pcie=0 at hostpci3 and up: neither side models the address
            d = devs.get(a["id"])
            sl, fn = (int(x, 16) for x in a["addr"].split("."))
            if not d or d.get("host") != a["host"] or (d.get("parent") or None) != a["parent"] or \
                    (d["slot"], d["function"]) != (sl, fn):
                bad.append("%s: check %s at %s %s, QEMU %s" % (a["id"], a["host"], a["parent"], a["addr"], d))
        result(not bad, name + ": every port's link and every function's place agree with QMP (%d ports, "
               "%d functions)" % (len(rep["guest"]["ports"]), len(rep["guest"]["assigned"])), "; ".join(bad[:4]))


def main():
    if not os.access(PCILINK, os.X_OK):
        print("FAIL pcilink is not built\n0 passed, 1 failed")
        return 1
    qs = qemus()
    T.skipped += 2 - len(qs)
    rec = recommendations()
    full = open(os.path.join(CONF, "full.conf")).read()
    crowded = ("machine: q35\nhostpci0: 0000:10:00.0\nhostpci1: 0000:11:00.0\nhostpci2: 0000:12:00.0\n"
               "hostpci3: 0000:13:00.0\nhostpci4: 0000:14:00.0\n")
    for ver, q in qs:
        t = "qemu %s" % ver
        acc = accepted(q)
        kw = dict(rec=rec, acc=acc)
        case(t + " lines alone: GPU split for AtomicOps, NVMe, NIC", q, ["03:00", "05:00.0", "07:00"], **kw)
        case(t + " merged into a config with snapshots, [PENDING], args", q, ["03:00", "05:00.0", "07:00"],
             conf=full, boot=True, **kw)
        case(t + " every endpoint of the example (generated ports at 10.x)", q, ["--all"], boot=True, **kw)
        case(t + " hostpci0-4 taken, 4 without pcie=1: new entries at 12, 13 (00:11.x)", q,
             ["04:00.0", "06:00.0"], conf=crowded, boot=True, **kw)
        case(t + " split, hotplug off", q, ["--split-functions", "--hotplug", "off", "07:00"], **kw)
        case(t + " --speed/--width override", q, ["--speed", "8", "--width", "2", "04:00.0"],
             expect={"0000:04:00.0": {"x_speed": "8", "x_width": "2"}}, **kw)
        if "64" in acc:
            case(t + " 64GT/s x32 seen by the guest", q, ["--speed", "64", "--width", "32", "04:00.0"], boot=True,
                 expect={"0000:04:00.0": {"x_speed": "64", "x_width": "32"}}, **kw)
        agreement(ver, q)
        try:
            invisible_without_function0(q)
        except RuntimeError as e:
            result(False, t + " control", str(e))
    return T.summary()


sys.exit(main())

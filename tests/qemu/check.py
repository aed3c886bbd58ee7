#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcilink check against real QEMU 7.2 and 10.0: QEMU is the oracle.

For a matrix of command lines (default ports, ioh3420, pc-q35-3.1, -global, readconfig plus -set,
JSON -device, multifunction, a port at function 1 alone, a switch, devices on pcie.0, values QEMU
refuses) `pcilink check --qemu-cmdline` predicts each port's x-speed/x-width (or that the port type
has none) and where every assigned device sits; QEMU is started paused (qemu-check.py, vfio-pci
swapped for e1000e at the same id/bus/addr) and qom-get / QOM placement must agree. Where QEMU
refuses the command line, check must report qemu-refuses, and only there. The invisible-slot case
boots the tiny guest: the port and its device must be missing, as check says.
Every configuration gen-qemu-args writes must check clean but for what the generator warned about.
Prints 'N passed, N failed[, N skipped]'.
"""
import importlib.util, json, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
PCILINK = os.path.join(TOP, "pcilink")
CHECK = os.path.join(HERE, "qemu-check.py")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from testlib import Tally  # noqa: E402

T = Tally()
result = T.result
_spec = importlib.util.spec_from_file_location("qemu_check", CHECK)
qemu_check_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qemu_check_mod)

RP = "pcie-root-port,id=%s,bus=pcie.0,addr=%s,chassis=%d"
V = "vfio-pci,host=%s,id=%s,bus=%s"


def dev(*a):
    out = []
    for x in a:
        out += ["-device", x]
    return out


def cases(tmp, ver):
    rc = os.path.join(tmp, "ports.cfg")
    with open(rc, "w") as f:  # Proxmox's pve-q35-4.0.cfg shape
        for i in (1, 2):
            f.write('[device "ich9-pcie-port-%d"]\n  driver = "pcie-root-port"\n  x-speed = "16"\n'
                    '  x-width = "32"\n  multifunction = "on"\n  bus = "pcie.0"\n  addr = "1c.%d"\n'
                    '  port = "%d"\n  chassis = "%d"\n\n' % (i, i - 1, i, i))
    big = "32" if ver == "7.2" else "64"
    return [
        ("default ports", [], dev(RP % ("rp1", "0x10", 1), V % ("04:00.0", "nvme", "rp1"))),
        ("explicit link", [], dev(RP % ("rp1", "0x10", 1) + ",x-speed=8,x-width=4",
                                  V % ("06:00.0", "nic", "rp1"))),
        ("ioh3420", [], dev("ioh3420,id=rp1,bus=pcie.0,addr=0x10,chassis=1", V % ("04:00.0", "nvme", "rp1"))),
        ("pc-q35-3.1 compat", ["-machine", "pc-q35-3.1"],
         dev(RP % ("rp1", "0x10", 1), RP % ("rp2", "0x11", 2) + ",x-speed=16",
             V % ("04:00.0", "nvme", "rp1"))),
        ("-global", ["-global", "pcie-root-port.x-speed=8", "-global", "driver=pcie-root-port,property=x-width,value=4"],
         dev(RP % ("rp1", "0x10", 1), RP % ("rp2", "0x11", 2) + ",x-width=16", V % ("04:00.0", "nvme", "rp1"))),
        ("readconfig plus -set", ["-readconfig", rc, "-set", "device.ich9-pcie-port-1.x-speed=8",
                                  "-set", "device.ich9-pcie-port-1.x-width=4"],
         dev(V % ("06:00.0", "nic", "ich9-pcie-port-1") + ",addr=0x0")),
        ("JSON -device", [], dev(json.dumps({"driver": "pcie-root-port", "id": "rp1", "bus": "pcie.0",
                                             "addr": "0x10.0", "chassis": 1, "x-speed": "5", "x-width": "2"}),
                                 json.dumps({"driver": "pcie-root-port", "id": "rp2", "bus": "pcie.0",
                                             "addr": 0x11 << 3, "chassis": 2}),
                                 json.dumps({"driver": "vfio-pci", "host": "0000:04:00.0", "id": "nvme",
                                             "bus": "rp1", "addr": "0x0"}))),
        ("multifunction GPU", [], dev(RP % ("rp1", "0x10", 1),
                                      V % ("03:00.0", "gpu", "rp1") + ",addr=0x0.0,multifunction=on",
                                      V % ("03:00.1", "gpu-audio", "rp1") + ",addr=0x0.1")),
        ("port at function 1 alone", [], dev(RP % ("rp1", "0x10.1", 1), V % ("04:00.0", "nvme", "rp1"))),
        ("switch", [], dev(RP % ("rp1", "0x10", 1), "x3130-upstream,id=up1,bus=rp1",
                           "xio3130-downstream,id=dn1,bus=up1,chassis=5,slot=0",
                           V % ("03:00.0", "gpu", "dn1"))),
        ("devices on pcie.0", [], dev("vfio-pci,host=04:00.0,id=nvme,bus=pcie.0,addr=0x5")),
        ("conventional bridge", [], dev("pcie-pci-bridge,id=br1,bus=pcie.0,addr=0x10",
                                        "vfio-pci,host=06:00.0,id=nic,bus=br1,addr=0x1")),
        ("x-speed=%s" % big, [], dev(RP % ("rp1", "0x10", 1) + ",x-speed=" + big, V % ("04:00.0", "nvme", "rp1"))),
        ("x-width=3 refused", [], dev(RP % ("rp1", "0x10", 1) + ",x-width=3", V % ("04:00.0", "nvme", "rp1"))),
        ("-global ioh3420.x-speed refused", ["-global", "ioh3420.x-speed=8"],
         dev("ioh3420,id=rp1,bus=pcie.0,addr=0x10,chassis=1", V % ("04:00.0", "nvme", "rp1"))),
        ("JSON number x-speed refused", [], dev(json.dumps({"driver": "pcie-root-port", "id": "rp1", "bus": "pcie.0",
                                                            "addr": "0x10.0", "chassis": 1, "x-speed": 8}))),
    ]


def qemu_check(qemu, argv, boot=False):
    with tempfile.NamedTemporaryFile("w", suffix=".args", delete=False) as f:
        f.write("\0".join(argv) + "\0")
    try:
        out = subprocess.run([sys.executable, CHECK, "--qemu", qemu, "--nul", "--timeout", "120"]
                             + (["--boot"] if boot else []) + [f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-500:])
    return json.loads(out.stdout)


def check(qemu, argv, *extra):
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
        f.write("qemu-system-x86_64 " + " ".join("'%s'" % a.replace("'", "'\\''") for a in argv) + "\n")
    try:
        out = subprocess.run([PCILINK, "check", "--qemu", qemu, "--dump", EXAMPLE, "--qemu-cmdline", f.name,
                              "-o", "json", *extra], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if out.returncode not in (0, 3):
        raise RuntimeError("check exit %d: %s" % (out.returncode, out.stderr.strip()))
    return json.loads(out.stdout), out.returncode


def compare(name, qemu, argv):
    try:
        pred, rc = check(qemu, argv)
        got = qemu_check(qemu, argv)
    except RuntimeError as e:
        result(False, name, str(e))
        return None, None
    codes = [f["code"] for f in pred["findings"]]
    refused = "qemu-refuses" in codes
    result(refused == (not got["accepted"]), name + ": check predicts QEMU %s" %
           ("refuses" if not got["accepted"] else "accepts"), "check %s; QEMU: %s" % (codes, got.get("error")))
    result((rc == 3) == any(f["severity"] != "info" for f in pred["findings"]), name + ": exit status %d" % rc)
    if not got["accepted"]:
        return pred, got
    bad = []
    for p in pred["guest"]["ports"]:
        q = got["ports"].get(p["id"])
        if p["id"] is None or p["driver"] not in ("pcie-root-port", "ioh3420", "xio3130-downstream"):
            continue
        if q is None:
            bad.append("%s: QEMU has no such port" % p["id"])
        elif p["x_speed_source"] == "fixed":
            if "x-speed" in q:
                bad.append("%s: check says no link properties, QEMU has x-speed=%s" % (p["id"], q["x-speed"]))
            elif p["driver"] == "ioh3420" and (p["x_speed"], p["x_width"]) != ("2_5", "1"):
                bad.append("%s: ioh3420 predicted %s/%s" % (p["id"], p["x_speed"], p["x_width"]))
        elif (q.get("x-speed"), q.get("x-width")) != (p["x_speed"], p["x_width"]):
            bad.append("%s: check predicts %s/%s (%s/%s), QEMU has %s/%s" % (
                p["id"], p["x_speed"], p["x_width"], p["x_speed_source"], p["x_width_source"],
                q.get("x-speed"), q.get("x-width")))
    placed = {d["id"]: d for d in got["devices"] if d.get("id")}
    for a in pred["guest"]["assigned"]:
        d = placed.get(a["id"])
        if not d:
            bad.append("%s: not placed by QEMU" % a["id"])
            continue
        want_parent = a["parent"]
        if d["parent"] != want_parent:
            bad.append("%s: check says parent %s, QEMU %s" % (a["id"], want_parent, d["parent"]))
        if a["addr"] and a["addr"] != "%02x.%x" % (d["slot"], d["function"]):
            bad.append("%s: check says %s, QEMU %02x.%x" % (a["id"], a["addr"], d["slot"], d["function"]))
    result(not bad, name + ": ports and placement as QEMU realizes them", "; ".join(bad[:4]))
    running(name, qemu, argv)
    return pred, got


def port_view(pred):
    return sorted((p["id"], p["driver"], p["x_speed"], p["x_width"], p["addr"], p["parent"])
                  for p in pred["guest"]["ports"] if p["id"])


def running(name, qemu, argv):
    """The same command line running (vfio-pci swapped as qemu-check.py does): --qmp and --pid
    must see what --qemu-cmdline predicts for it."""
    args, _ = qemu_check_mod.swap_vfio(argv, "e1000e")
    tmp = tempfile.mkdtemp(prefix="pcilink-qmp-")
    sock = os.path.join(tmp, "qmp.sock")
    p = subprocess.Popen([qemu, "-machine", "q35", "-accel", "tcg", "-nodefaults", "-no-user-config", "-display",
                          "none", "-S", "-qmp", "unix:%s,server=on,wait=off" % sock] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock) or p.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(sock):
            result(False, name + ": QEMU with a QMP socket", "QEMU exited %s" % p.poll())
            return
        argf = os.path.join(tmp, "argv")
        open(argf, "w").write("\0".join(["qemu-system-x86_64"] + args) + "\0")
        got = {}
        for how, extra in (("--qemu-cmdline", [argf]), ("--qmp", [sock]), ("--pid", [str(p.pid)])):
            out = subprocess.run([PCILINK, "check", "--qemu", qemu, "--dump", EXAMPLE, "-o", "json", how, *extra],
                                 capture_output=True, text=True)
            if out.returncode not in (0, 3):
                result(False, "%s: check %s" % (name, how), out.stderr.strip())
                return
            got[how] = json.loads(out.stdout)
        # without --qemu, --pid asks the running binary itself (/proc/PID/exe)
        ver = name.split()[1]
        out = subprocess.run([PCILINK, "check", "--dump", EXAMPLE, "-o", "json", "--pid", str(p.pid)],
                             capture_output=True, text=True)
        seen = json.loads(out.stdout)["guest"]["qemu_version"] if out.returncode in (0, 3) else None
        result(seen == ver or "exe" in out.stderr, "%s: --pid judges for the QEMU that runs (%s)" % (name, ver),
               "%s; %s" % (seen, out.stderr.strip()))
        want = port_view(got["--qemu-cmdline"])
        for how in ("--qmp", "--pid"):
            result(port_view(got[how]) == want, "%s: %s sees the ports --qemu-cmdline predicts" % (name, how),
                   "%s %s, predicted %s" % (how, port_view(got[how]), want))
            keys = lambda d: sorted((f["code"], f["guest"]) for f in d["findings"])
            result(keys(got[how]) == keys(got["--qemu-cmdline"]), "%s: %s gives the same findings" % (name, how),
                   "%s %s, command line %s" % (how, keys(got[how]), keys(got["--qemu-cmdline"])))
    finally:
        p.kill()
        p.wait()


def expect(name, pred, want, absent=()):
    codes = {f["code"] for f in pred["findings"]} if pred else set()
    miss = [c for c in want if c not in codes]
    extra = [c for c in absent if c in codes]
    result(not miss and not extra, name + ": findings " + ", ".join(want) if want else name + ": no " + ", ".join(absent),
           "missing %s, unexpected %s; got %s" % (miss, extra, sorted(codes)))


def generated_clean(ver, qemu):
    for args in (["04:00.0"], ["--split-functions", "03:00"], ["03:00"], ["--all"]):
        name = "qemu %s gen-qemu-args %s" % (ver, " ".join(args))
        gen = subprocess.run([PCILINK, "gen-qemu-args", "--qemu", qemu, "--dump", EXAMPLE, "-o", "json", *args],
                             capture_output=True, text=True)
        if gen.returncode:
            result(False, name, gen.stderr)
            continue
        plan = json.loads(gen.stdout)
        pred, rc = check(qemu, plan["argv"])
        # the plan's own AtomicOps verdict may remain (a multifunction slot, QEMU before 8.1): both
        # must say the same, per host function at guest function 0
        lost = {f["host"] for p in plan["ports"] if p["atomics"]["verdict"] == "no" for f in p["functions"]
                if f["guest_function"] == 0}
        said = {f["host"] for f in pred["findings"] if f["code"].startswith("atomics-")}
        bad = [f for f in pred["findings"] if f["severity"] != "info" and not f["code"].startswith("atomics-")]
        result(not bad, name + ": checks clean", "; ".join("%s %s" % (f["code"], f["message"]) for f in bad[:3]))
        result(lost == said, name + ": check and plan agree on lost AtomicOps", "plan %s, check %s" % (lost, said))


def qemus():
    out = []
    if os.access("/usr/bin/qemu-system-x86_64", os.X_OK):
        out.append(("7.2", "/usr/bin/qemu-system-x86_64"))
    else:
        T.skip("QEMU 7.2", "/usr/bin/qemu-system-x86_64 not installed")
    r = subprocess.run(["sh", os.path.join(HERE, "setup-qemu10.sh")], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        out.append(("10.0", r.stdout.strip()))
    else:
        T.skip("QEMU 10.0", (r.stderr.strip() or "setup-qemu10.sh failed")[-300:])
    return out


def main():
    if not os.access(PCILINK, os.X_OK):
        print("FAIL pcilink is not built")
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="pcilink-check-")
    for ver, q in qemus():
        preds = {}
        for name, pre, devs in cases(tmp, ver):
            preds[name] = compare("qemu %s %s" % (ver, name), q, pre + devs)[0]
        t = "qemu %s " % ver
        expect(t + "default ports", preds["default ports"], ["port-overstates"])
        expect(t + "explicit link matching the host", preds["explicit link"], [], ["port-slower", "port-narrower",
                                                                                    "port-overstates"])
        expect(t + "ioh3420", preds["ioh3420"], ["no-link-ioh3420"])
        expect(t + "pc-q35-3.1", preds["pc-q35-3.1 compat"], ["port-slower"])
        expect(t + "multifunction GPU", preds["multifunction GPU"], ["atomics-multifunction"])
        expect(t + "port at function 1", preds["port at function 1 alone"], ["slot-without-function-0"])
        expect(t + "switch", preds["switch"], ["no-link-switch", "atomics-behind-switch"])
        expect(t + "pcie.0", preds["devices on pcie.0"], ["no-link-root-bus"])
        expect(t + "conventional bridge", preds["conventional bridge"], ["no-link-bridge"])
        pred, _ = check(q, dev(RP % ("rp1", "0x10", 1), V % ("03:00.0", "gpu", "rp1")))
        if ver == "7.2":
            expect(t + "single GPU function", pred, ["atomics-qemu-old"])
        else:
            expect(t + "single GPU function", pred, [], ["atomics-qemu-old", "atomics-multifunction"])
        generated_clean(ver, q)
        # the guest's view: a port at function 1 of an empty slot is not there
        try:
            argv = dev(RP % ("rp1", "0x10.1", 1), V % ("04:00.0", "nvme", "rp1"))
            g = qemu_check(q, argv, boot=True)
            seen = [s for s, v in g["guest"].items() if v["vendor_device"] in ("1b36:000c", "8086:10d3")]
            result(not seen, t + "port at function 1 alone: the guest sees neither port nor device", seen)
        except RuntimeError as e:
            result(False, t + "boot", str(e))
    return T.summary()


sys.exit(main())

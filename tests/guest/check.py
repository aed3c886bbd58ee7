#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcilink check --guest inside the tiny guest (QEMU 7.2 and 10.0, TCG).

A plan from gen-qemu-args is booted (vfio-pci swapped for e1000e at the same place; the plan's
vendor/device ids are rewritten to the stand-in's, the only change) with pcilink, its shared
libraries and the plan added to the initramfs; /init runs `pcilink check --guest --plan` and prints
the guest's config space. The same check then runs on the host over that config space taken out
(an lspci -xxx dump): both must agree. Cases: the plan as generated (no port or link finding) and
the plan with its port moved to function 1 of an empty slot (the port and device are missing).
Without a plan, check names QEMU's made-up 16GT/s x32 default.
Prints 'N passed, N failed[, N skipped]'.
"""
import gzip, importlib.util, json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
PCILINK = os.path.join(TOP, "pcilink")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from testlib import Tally  # noqa: E402

T = Tally()
_spec = importlib.util.spec_from_file_location("qemu_check", os.path.join(HERE, "..", "qemu", "qemu-check.py"))
QC = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(QC)

INIT = """#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# a SANITIZE=1 build: memory errors still abort, but libudev's process-long allocations are not
# reported onto the console (the host runs check leaks with tests/lsan.supp)
export ASAN_OPTIONS=detect_leaks=0
for p in "" /plan.json; do
    echo "PCILINK-CHECK-BEGIN $p"
    if [ -n "$p" ]; then /pcilink check --guest --plan "$p" -o json; else /pcilink check --guest -o json; fi
    echo "PCILINK-CHECK-RC $?"
done
for d in /sys/bus/pci/devices/*; do
    echo "PCILINKCFG ${d##*/} $(hexdump -v -n 256 -e '/1 "%02x"' "$d/config" 2>/dev/null)"
done
echo PCILINK-END
poweroff -f
"""


def cpio(path, files):
    """newc cpio (gzip): files = [(name, mode, data)]; later archives override earlier names."""
    ino = [500]

    def entry(f, name, mode, data=b""):
        ino[0] += 1
        n = name.encode() + b"\0"
        hdr = "070701" + "".join("%08x" % v for v in (ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0))
        f.write(hdr.encode() + n + b"\0" * (-(110 + len(n)) % 4))
        f.write(data + b"\0" * (-len(data) % 4))
    with gzip.open(path, "wb", compresslevel=1) as f:
        dirs = set()
        for name, _, _ in files:
            parts = name.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    entry(f, d, 0o040755)
        for name, mode, data in files:
            entry(f, name, mode, data)
        entry(f, "TRAILER!!!", 0)


def overlay(tmp, guest, plan):
    libs = []
    for line in subprocess.run(["ldd", PCILINK], capture_output=True, text=True).stdout.splitlines():
        m = re.search(r"(/\S+)", line.split("=>")[-1])
        if m and os.path.exists(m.group(1)):
            libs.append(m.group(1))
    files = [("pcilink", 0o100755, open(PCILINK, "rb").read()), ("plan.json", 0o100644, plan.encode()),
             ("init", 0o100755, INIT.encode())]
    for lib in libs:
        files.append((lib.lstrip("/"), 0o100755, open(os.path.realpath(lib), "rb").read()))
    extra = os.path.join(tmp, "extra.cpio.gz")
    cpio(extra, files)
    out = os.path.join(tmp, "initrd")
    with open(out, "wb") as f:
        f.write(open(os.path.join(guest, "initramfs.cpio.gz"), "rb").read())
        f.write(open(extra, "rb").read())
    return out


def boot(qemu, guest, initrd, argv, tmp):
    serial = os.path.join(tmp, "serial.log")
    args, _ = QC.swap_vfio(argv, "e1000e")
    cmd = [qemu, "-machine", "q35", "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
           "-m", "512", "-smp", "1", "-serial", "file:" + serial, "-kernel", os.path.join(guest, "vmlinuz"),
           "-initrd", initrd, "-append", "console=ttyS0 panic=-1 quiet", "-no-reboot"] + args
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=240)
    text = open(serial, errors="replace").read().replace("\r", "")
    runs, cur = [], None
    for line in text.split("\n"):
        if line.startswith("PCILINK-CHECK-BEGIN"):
            cur = []
        elif line.startswith("PCILINK-CHECK-RC") and cur is not None:
            runs.append(("\n".join(cur), int(line.split()[1])))
            cur = None
        elif cur is not None:
            cur.append(line)
    dump = "".join("%s guest\n" % m.group(1) + "".join(
        "%02x: %s\n" % (o, " ".join(m.group(2)[2 * i:2 * i + 2] for i in range(o, o + 16))) for o in range(0, 256, 16))
        for m in re.finditer(r"^PCILINKCFG (\S+) ([0-9a-f]{512})$", text, re.M))
    return runs, dump, text


def keys(js):
    return sorted((f["code"], f["guest"]) for f in json.loads(js)["findings"])


def main():
    if not os.access(PCILINK, os.X_OK):
        print("FAIL pcilink is not built")
        print("0 passed, 1 failed")
        return 1
    g = subprocess.run(["sh", os.path.join(HERE, "build.sh")], capture_output=True, text=True)
    if g.returncode:
        T.skip("tiny guest", g.stderr.strip()[-300:], 1)
        return T.summary()
    guest = g.stdout.strip().splitlines()[-1]
    qemus = [("7.2", "/usr/bin/qemu-system-x86_64")] if os.access("/usr/bin/qemu-system-x86_64", os.X_OK) else []
    r = subprocess.run(["sh", os.path.join(HERE, "..", "qemu", "setup-qemu10.sh")], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        qemus.append(("10.0", r.stdout.strip()))
    T.skipped += 2 - len(qemus)
    for ver, q in qemus:
        gen = subprocess.run([PCILINK, "gen-qemu-args", "--qemu", q, "--dump", EXAMPLE, "-o", "json", "04:00.0",
                              "06:00.0"], capture_output=True, text=True)
        plan = json.loads(gen.stdout)
        for p in plan["ports"]:  # the stand-in's ids: what the guest sees in the host device's place
            for f in p["functions"]:
                f["vendor_id"], f["device_id"] = "8086", "10d3"
        moved = json.loads(json.dumps(plan))
        moved["ports"] = moved["ports"][:1]
        moved["ports"][0]["addr"] = "0x10.1"
        margv = [a.replace("addr=0x10.0,multifunction=on", "addr=0x10.1") for a in plan["argv"][:4]]
        for name, pl, argv, want, absent in (
                ("as planned", plan, plan["argv"], [], ["guest-port-missing", "guest-device-missing",
                                                       "guest-link-differs"]),
                ("port at function 1 alone", moved, margv, ["guest-port-missing"], ["guest-link-differs"])):
            t = "qemu %s %s" % (ver, name)
            tmp = tempfile.mkdtemp(prefix="pcilink-guest-")
            try:
                runs, dump, text = boot(q, guest, overlay(tmp, guest, json.dumps(pl)), argv, tmp)
            except subprocess.TimeoutExpired:
                T.result(False, t, "guest timed out")
                continue
            if len(runs) != 2:
                T.result(False, t + ": pcilink ran in the guest", text[-1500:])
                continue
            (noplan, rc0), (inside, rc) = runs
            try:
                got = keys(inside)
            except ValueError:
                T.result(False, t + ": pcilink's JSON in the guest", inside[-800:])
                continue
            codes = {c for c, _ in got}
            T.result(set(want) <= codes and not (codes & set(absent)), t + ": check --guest --plan in the guest "
                     "finds %s" % (want or "no port or link problem"), got)
            T.result((rc == 3) == any(json.loads(inside)["findings"][i]["severity"] != "info"
                                      for i in range(len(got))), t + ": exit status %d" % rc)
            if name == "as planned":
                T.result("guest-link-made-up" not in {c for c, _ in keys(noplan)},
                         t + ": no plan: the planned ports are not QEMU's default", keys(noplan))
            dpath, ppath = os.path.join(tmp, "guest.lspci"), os.path.join(tmp, "plan.json")
            open(dpath, "w").write(dump)
            open(ppath, "w").write(json.dumps(pl))
            out = subprocess.run([PCILINK, "check", "--guest", "--plan", ppath, "--dump", dpath, "-o", "json"],
                                 capture_output=True, text=True)
            T.result(out.returncode in (0, 3) and keys(out.stdout) == got,
                     t + ": the guest's config space taken out gives the same findings",
                     out.stderr or (keys(out.stdout), got))
        # no plan: QEMU's default root port is named as made up
        tmp = tempfile.mkdtemp(prefix="pcilink-guest-")
        argv = ["-device", "pcie-root-port,id=rp1,bus=pcie.0,addr=0x10,chassis=1",
                "-device", "vfio-pci,host=04:00.0,id=x,bus=rp1"]
        runs, dump, text = boot(q, guest, overlay(tmp, guest, "{}"), argv, tmp)
        T.result(runs and "guest-link-made-up" in {c for c, _ in keys(runs[0][0])},
                 "qemu %s default port, no plan: guest-link-made-up" % ver, runs and runs[0][0][-500:])
    return T.summary()


sys.exit(main())

#!/usr/bin/python3
"""Check QEMU arguments (as pcilink emits them) against a real QEMU.

usage: qemu-check.py [--qemu BINARY] [--boot] [--machine TYPE] [--nul]
                     [--timeout SECONDS] [--stand-in DRIVER] [--guest DIR] ARGSFILE

ARGSFILE holds QEMU arguments one per line (or NUL-separated: --nul, or
auto-detected when the input contains a NUL); "-" reads stdin. In newline mode
empty lines and lines starting with "#" are ignored.

Every vfio-pci device (unrealizable here) is replaced by an emulated PCIe
endpoint (--stand-in, default e1000e) keeping id, bus, addr and multifunction.
QEMU is started paused under TCG with QMP on stdio; the properties of every
PCIe downstream port with an id are read with qom-get and the placement of
every device is recorded. With --boot the tiny guest of tests/guest/build.sh
is then run on the same devices and what Linux sees is added.

Prints one JSON object on stdout and exits 0, whether QEMU accepted the
arguments ("accepted": true) or refused them ("accepted": false, "error": QEMU's
message). Exits 1 on harness failures (timeout, guest gave no report, ...),
2 on usage errors.
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_BUILD = os.path.join(HERE, "..", "guest", "build.sh")
PORT_TYPES = ("pcie-root-port", "ioh3420", "xio3130-downstream")
PORT_PROPS = ("x-speed", "x-width", "hotplug", "chassis", "slot", "port", "addr",
              "multifunction")
KEEP = ("id", "bus", "addr", "multifunction")
EXPANDER_PROPS = ("bus_nr", "numa_node", "addr")


class HarnessError(Exception):
    pass


class QemuExited(Exception):
    pass


# ---------------------------------------------------------------- arguments

def split_keyval(s):
    """Split QEMU keyval 'a,b=c,d=e,,f' into items, honouring ',,' escapes."""
    items, cur, i = [], "", 0
    while i < len(s):
        if s[i] == ",":
            if s[i + 1:i + 2] == ",":
                cur += ","
                i += 2
                continue
            items.append(cur)
            cur = ""
        else:
            cur += s[i]
        i += 1
    items.append(cur)
    return items


def esc(v):
    return str(v).replace(",", ",,")


def swap_device(spec, driver, n):
    """Return (new_spec, info) if spec is a vfio-pci device, else (spec, None)."""
    if spec.lstrip().startswith("{"):
        d = json.loads(spec)
        if d.get("driver") != "vfio-pci":
            return spec, None
        opts = {k: d[k] for k in KEEP if k in d}
        host = d.get("host", d.get("sysfsdev"))
    else:
        items = split_keyval(spec)
        opts, drv, host = {}, None, None
        for k, it in enumerate(items):
            key, eq, val = it.partition("=")
            if k == 0 and not eq:
                drv = key
            elif key == "driver":
                drv = val
            elif key in KEEP:
                opts[key] = val
            elif key in ("host", "sysfsdev"):
                host = val
        if drv != "vfio-pci":
            return spec, None
    if "id" not in opts:
        opts["id"] = "pcilink-standin-%d" % n
    if spec.lstrip().startswith("{"):
        return json.dumps(dict(driver=driver, **opts)), dict(id=opts["id"], host=host)
    new = ",".join([driver] + ["%s=%s" % (k, esc(v)) for k, v in opts.items()])
    return new, dict(id=opts["id"], host=host)


def swap_vfio(args, driver):
    out, swaps = [], {}
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-device", "--device") and i + 1 < len(args):
            new, info = swap_device(args[i + 1], driver, len(swaps))
            if info:
                swaps[info["id"]] = info
            out += [a, new]
            i += 2
            continue
        out.append(a)
        i += 1
    return out, swaps


def read_args(path, nul):
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    text = data.decode()
    if nul or "\0" in text:
        return [a for a in text.split("\0") if a != "" and a != "\n"]
    return [l.rstrip("\r") for l in text.split("\n")
            if l.strip() and not l.lstrip().startswith("#")]


# ---------------------------------------------------------------- QEMU / QMP

def _die_with_parent():
    try:  # PR_SET_PDEATHSIG: QEMU dies with us even if we are SIGKILLed
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:
        pass


class Qemu:
    def __init__(self, cmd, timeout, workdir):
        self.cmd = cmd
        self.errf = open(os.path.join(workdir, "stderr"), "w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.errf, preexec_fn=_die_with_parent)
        self.timed_out = False
        self.timer = threading.Timer(timeout, self._expire)
        self.timer.start()
        self.events = []
        self.greeting = None

    def _expire(self):
        self.timed_out = True
        self.proc.kill()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise QemuExited()
        try:
            return json.loads(line.decode(errors="replace"))  # CR LF is whitespace to JSON
        except ValueError:
            raise HarnessError("QEMU sent non-JSON on QMP: %r" % line[:200])

    def start(self):
        msg = self._read()
        if "QMP" not in msg:
            raise HarnessError("no QMP greeting: %r" % msg)
        self.greeting = msg["QMP"]
        self.execute("qmp_capabilities")

    def execute(self, cmd, **arguments):
        req = {"execute": cmd}
        if arguments:
            req["arguments"] = arguments
        try:
            self.proc.stdin.write((json.dumps(req) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise QemuExited()
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
            elif "return" in msg:
                return msg["return"]
            elif "error" in msg:
                raise HarnessError("QMP %s %s: %s" % (cmd, json.dumps(arguments),
                                                      msg["error"].get("desc")))

    def wait_event(self, names):
        for ev in self.events:
            if ev["event"] in names:
                return ev
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
                if msg["event"] in names:
                    return msg

    def stderr(self):
        if self.errf.closed:
            return self._stderr
        self.errf.flush()
        self.errf.seek(0)
        self._stderr = self.errf.read()
        return self._stderr

    def close(self):
        self.timer.cancel()
        if self.proc.poll() is None:
            try:
                self.execute("quit")
            except Exception:
                pass
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr()
        for f in (self.proc.stdin, self.proc.stdout, self.errf):
            try:
                f.close()
            except Exception:
                pass


def version_of(greeting):
    v = greeting["version"]["qemu"]
    return "%d.%d.%d" % (v["major"], v["minor"], v["micro"])


def version_from_binary(qemu):
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True, text=True,
                             timeout=10).stdout
        m = re.search(r"version (\d+\.\d+\.\d+)", out)
        return m.group(1) if m else None
    except Exception:
        return None


# ---------------------------------------------------------------- collection

def qom_children(q, path):
    try:
        lst = q.execute("qom-list", path=path)
    except HarnessError:
        return []
    return [(e["name"], e["type"][6:-1]) for e in lst if e["type"].startswith("child<")]


def read_ports(q, types=PORT_TYPES, props=PORT_PROPS):
    """Ports (or expander buses) by id: their properties and the bus they plug into."""
    ports = {}
    for name, typ in qom_children(q, "/machine/peripheral"):
        if typ not in types:
            continue
        path = "/machine/peripheral/" + name
        have = {e["name"] for e in q.execute("qom-list", path=path)}
        p = {"type": typ}
        for prop in props:
            if prop in have:
                p[prop] = q.execute("qom-get", path=path, property=prop)
        # ".../pcie.0" or ".../pxb-node1": a bus is named after the device that makes it
        p["bus"] = q.execute("qom-get", path=path, property="parent_bus").rsplit("/", 1)[-1]
        ports[name] = p
    return ports


def flatten_pci(buses, parent=None):
    out = []
    for b in buses:
        for d in b.get("devices", []):
            e = {
                "id": d.get("qdev_id") or None,
                "bus": d["bus"], "slot": d["slot"], "function": d["function"],
                "class": "%04x" % d["class_info"]["class"],
                "desc": d["class_info"].get("desc"),
                "vendor_device": "%04x:%04x" % (d["id"]["vendor"], d["id"]["device"]),
                "parent": parent,
            }
            br = d.get("pci_bridge")
            if br:
                # 0 = not numbered yet (paused before firmware ran)
                e["secondary_bus"] = br["bus"]["secondary"] or None
            out.append(e)
            if br and br.get("devices"):
                sub = {"bus": br["bus"]["secondary"], "devices": br["devices"]}
                out += flatten_pci([sub], parent=e["id"] or "%02x.%x" % (d["slot"], d["function"]))
    return out


def read_devices(q):
    """query-pci, completed from QOM for devices behind bridges: while the
    machine is paused before firmware ran, secondary bus numbers are 0 and
    query-pci does not descend into bridges."""
    devs = flatten_pci(q.execute("query-pci"))
    known = {d["id"] for d in devs if d["id"]}
    extra = []
    for base in ("/machine/peripheral", "/machine/peripheral-anon"):
        for name, typ in qom_children(q, base):
            path = base + "/" + name
            try:
                busp = q.execute("qom-get", path=path, property="parent_bus")
                devfn = q.execute("qom-get", path=path, property="addr")
            except HarnessError:
                continue  # not a PCI device
            owner = busp.rsplit("/", 1)[0]
            if not owner.startswith("/machine/peripheral"):
                continue  # on the root bus: query-pci listed it
            ident = name if base == "/machine/peripheral" else None
            if ident in known:
                continue
            pid = owner.rsplit("/", 1)[1] if owner.startswith("/machine/peripheral/") else owner
            extra.append({"id": ident, "bus": None, "slot": devfn >> 3, "function": devfn & 7,
                         "class": None, "desc": None, "vendor_device": None,
                         "parent": pid, "driver": typ})
    extra.sort(key=lambda d: (d["parent"], d["slot"], d["function"], d["id"] or ""))
    return devs + extra


def annotate(devs, swaps, drivers):
    for d in devs:
        if d["id"] in drivers:
            d.setdefault("driver", drivers[d["id"]])
        if d["id"] in swaps:
            d["swapped_from"] = "vfio-pci"
            d["host"] = swaps[d["id"]]["host"]
        if d["bus"] is not None:
            d["guest_slot"] = "0000:%02x:%02x.%x" % (d["bus"], d["slot"], d["function"])
    return devs


def peripheral_drivers(q):
    return dict(qom_children(q, "/machine/peripheral"))


# ---------------------------------------------------------------- guest

LINE = re.compile(r"^PCILINK (\S+) (\S+) (\S+):(\S+) max_speed=(.*) max_width=(\S+) "
                  r"cur_speed=(.*) cur_width=(\S+)\s*$")


def decode_cfg(hx):
    """PCIe capability flags, LNKCAP/LNKSTA/LNKCAP2/LNKCTL2 from the PCIe capability, if present."""
    try:
        b = bytes.fromhex(hx)
    except ValueError:
        return {}
    if len(b) < 64 or not (b[6] & 0x10):
        return {}
    rd16 = lambda o: b[o] | b[o + 1] << 8
    rd32 = lambda o: rd16(o) | rd16(o + 2) << 16
    ptr, seen = b[0x34] & 0xfc, set()
    while ptr and ptr not in seen and ptr + 2 <= len(b):
        seen.add(ptr)
        if b[ptr] == 0x10:  # fields beyond the 256 bytes dumped are left out
            r = {"pcie_flags": "0x%04x" % rd16(ptr + 2)}
            if ptr + 0x14 <= len(b):
                r.update(lnkcap="0x%08x" % rd32(ptr + 0x0c), lnksta="0x%04x" % rd16(ptr + 0x12))
            if (rd16(ptr + 2) & 0xf) >= 2 and ptr + 0x32 <= len(b):
                r["lnkcap2"] = "0x%08x" % rd32(ptr + 0x2c)
                r["lnkctl2"] = "0x%04x" % rd16(ptr + 0x30)
            return r
        ptr = b[ptr + 1] & 0xfc
    return {}


def parse_serial(text):
    guest, end = {}, False
    for raw in text.splitlines():
        line = raw.strip("\r")
        m = LINE.match(line)
        if m:
            nul = lambda v: None if v == "-" else v
            guest[m.group(1)] = {
                "class": m.group(2), "vendor_device": "%s:%s" % (m.group(3), m.group(4)),
                "max_speed": nul(m.group(5)), "max_width": nul(m.group(6)),
                "cur_speed": nul(m.group(7)), "cur_width": nul(m.group(8))}
        elif line.startswith("PCILINKNUMA "):
            parts = line.split()
            if len(parts) == 3 and parts[1] in guest:
                guest[parts[1]]["numa_node"] = None if parts[2] == "-" else int(parts[2])
        elif line.startswith("PCILINKCFG "):
            parts = line.split()
            if len(parts) == 3 and parts[1] in guest:
                guest[parts[1]].update(decode_cfg(parts[2]))
        elif line.startswith("PCILINK-END"):
            end = True
    return guest, end


def guest_dir(opt):
    if opt:
        return opt
    r = subprocess.run([GUEST_BUILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise HarnessError("tests/guest/build.sh failed:\n" + r.stderr[-2000:])
    return r.stdout.strip().splitlines()[-1]


# ---------------------------------------------------------------- main

def run(opts):
    args, swaps = swap_vfio(read_args(opts.argsfile, opts.nul), opts.stand_in)
    qemu = opts.qemu or shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"
    work = tempfile.mkdtemp(prefix="qemu-check.")
    try:
        cmd = [qemu, "-machine", opts.machine, "-accel", "tcg", "-nodefaults",
               "-no-user-config", "-display", "none", "-S", "-qmp", "stdio"]
        serial = os.path.join(work, "serial.log")
        if opts.boot:
            g = guest_dir(opts.guest)
            cmd += ["-m", "512", "-smp", "1", "-serial", "file:" + serial,
                    "-kernel", os.path.join(g, "vmlinuz"),
                    "-initrd", os.path.join(g, "initramfs.cpio.gz"),
                    "-append", "console=ttyS0 panic=-1 quiet", "-no-reboot", "-no-shutdown"]
        cmd += args
        t0 = time.monotonic()
        q = Qemu(cmd, opts.timeout, work)
        result = {}
        try:
            try:
                q.start()
                result["accepted"] = True
                result["qemu_version"] = version_of(q.greeting)
                result["ports"] = read_ports(q)
                result["expanders"] = read_ports(q, ("pxb-pcie",), EXPANDER_PROPS)
                drivers = peripheral_drivers(q)
                result["devices"] = annotate(read_devices(q), swaps, drivers)
                result["time_check"] = round(time.monotonic() - t0, 3)
                if opts.boot:
                    t1 = time.monotonic()
                    q.execute("cont")
                    q.wait_event(("SHUTDOWN",))
                    result["time_boot"] = round(time.monotonic() - t1, 3)
                    # Firmware and Linux numbered the buses: query-pci now sees everything.
                    result["devices"] = annotate(flatten_pci(q.execute("query-pci")),
                                                 swaps, drivers)
                    result["port_slots"] = {d["id"]: d["guest_slot"] for d in result["devices"]
                                            if d["id"] in result["ports"]}
                    text = open(serial, errors="replace").read() if os.path.exists(serial) else ""
                    guest, end = parse_serial(text)
                    if not end:
                        raise HarnessError("guest gave no PCILINK-END; serial log tail:\n"
                                           + text[-2000:])
                    result["guest"] = guest
            except QemuExited:
                q.close()
                if q.timed_out:
                    raise HarnessError("QEMU timed out after %s s" % opts.timeout)
                if result.get("accepted"):
                    raise HarnessError("QEMU exited unexpectedly (status %s):\n%s"
                                       % (q.proc.returncode, q.stderr()))
                err = q.stderr()
                lines = [l for l in err.splitlines() if l.strip() and "warning:" not in l]
                result = {"accepted": False,
                          "error": "\n".join(lines) or "QEMU exited with status %s"
                          % q.proc.returncode,
                          "exit_status": q.proc.returncode,
                          "qemu_version": version_of(q.greeting) if q.greeting
                          else version_from_binary(qemu)}
            if q.timed_out:
                raise HarnessError("QEMU timed out after %s s" % opts.timeout)
        finally:
            q.close()
        warnings = [l for l in q.stderr().splitlines()
                    if "warning:" in l and "has no peer" not in l]
        if warnings:
            result["warnings"] = warnings
        result["swapped"] = {k: v["host"] for k, v in swaps.items()}
        result["argv"] = cmd
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="Check QEMU -device arguments against real QEMU.")
    ap.add_argument("--qemu", help="QEMU binary (default: qemu-system-x86_64 in PATH)")
    ap.add_argument("--boot", action="store_true", help="also boot the tiny guest")
    ap.add_argument("--machine", default="q35", help="machine type (default q35)")
    ap.add_argument("--nul", action="store_true", help="ARGSFILE is NUL-separated")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per QEMU run (60)")
    ap.add_argument("--stand-in", default="e1000e", help="driver replacing vfio-pci (e1000e)")
    ap.add_argument("--guest", help="directory with vmlinuz and initramfs.cpio.gz "
                    "(default: output of tests/guest/build.sh)")
    ap.add_argument("argsfile", help="QEMU arguments, one per line; - for stdin")
    opts = ap.parse_args()
    try:
        result = run(opts)
    except (HarnessError, OSError, ValueError) as e:
        print("qemu-check: %s" % e, file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Check a libvirt domain XML the way libvirt itself sees it; print JSON.

Usage: tests/libvirt/lv-check.py [--libvirt11] [--boot] [--emulator PATH]
                                 [--standin MODEL] [--boot-timeout S]
                                 [--strict] [--keep] DOMAIN.xml

Steps (each bounded by a timeout):
  1. virt-xml-validate DOMAIN.xml domain
  2. virsh domxml-to-native qemu-argv on a temporary copy (embedded driver,
     tests/libvirt/lv.sh). Each <hostdev> without a <driver> gets
     <driver name='vfio'/> in the copy: without an IOMMU libvirt refuses to
     convert it otherwise. --emulator sets <emulator> in the copy.
  3. with --boot: define and start a throw-away copy through libvirt's
     embedded driver with direct kernel boot of the tiny guest
     (tests/guest/build.sh), each PCI <hostdev> replaced by an emulated PCIe
     device at the same guest address (an <interface type='user'> with
     <model type='e1000e'/> by default), read the guest's serial console and
     map what the guest sees on each root port to the port's alias.
     Always destroyed and undefined; its state lives in a temp directory.

Output (stdout, one JSON object):
  {"libvirt": "9.0.0", "file": ..., "valid": bool, "validate_error": str|null,
   "native_error": str|null, "vfio_added": int, "machine": "pc-q35-7.2",
   "ports": {ID: {"driver", "x-speed", "x-width", "chassis", "port", "bus",
                  "addr", "multifunction", "hotplug"}},
   "hostdevs": [{"host", "id", "bus", "addr", "multifunction"}],
   "devices": [every -device as a dict], "env": {...}, "argv": [...],
   "guest": {...} (with --boot), "timings": {"validate": s, "native": s, ...}}
"guest" = {"ok", "error", "qemu_error" (QEMU's refusal, when start failed),
  "complete" (PCILINK-END seen), "seconds", "start_seconds", "report_seconds",
  "standins": [{"host", "model", "address"}],
  "ports": {ID: {"slot", "class", "id", "numa_node", "max_link_speed", "max_link_width",
                 "current_link_speed", "current_link_width" (sysfs text),
                 "x-speed", "x-width" (max link in QEMU's spelling: "2_5",
                 "8", "16"...), "below": [{"slot", "id", "class", "numa_node"}]}},
  "unmapped_ports": [ID...], "devices": [every PCILINK line as a dict]}
Ports on pcie.0 are matched by address (addr 0x2 -> 0000:00:02.0), others by
the Port Number in their Link Capabilities when that is unique.
Values in "ports"/"hostdevs" are libvirt's JSON verbatim: "x-speed" is the
string "16" when the override says type='string' and the number 16 when it
says type='unsigned' (which QEMU refuses); null when libvirt passed nothing.
"ports" holds every device that is a PCIe port (pcie-root-port, ioh3420,
xio3130-downstream) or carries x-speed/x-width, keyed by its QEMU id (the
user alias, e.g. "ua-rp-01-00", or libvirt's own "pci.N").

Exit: 0 when the checks ran (whatever they found); 1 with --strict when the
document is invalid, does not convert, or (with --boot) did not boot;
2 on usage or infrastructure errors (libvirt setup, guest build).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import xml.parsers.expat

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from testlib import literal_xml  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LV = os.path.join(HERE, "lv.sh")
GUEST_BUILD = os.path.join(REPO, "tests", "guest", "build.sh")

PORT_DRIVERS = ("pcie-root-port", "ioh3420", "xio3130-downstream")
PORT_KEYS = ("driver", "x-speed", "x-width", "chassis", "port", "bus", "addr",
             "multifunction", "hotplug")
HOSTDEV_KEYS = ("host", "id", "bus", "addr", "multifunction")


class Infra(Exception):
    """The test machinery failed (not the document under test)."""


def run(cmd, timeout, env=None, stdin=None):
    """Run cmd; return (rc, stdout, stderr, seconds). rc 124 on timeout."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL if stdin is None else stdin,
                         text=True, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # our own child's process group
        out, err = p.communicate()
        rc = 124
        err += "\n(timed out after %s s: %s)" % (timeout, " ".join(cmd))
    return rc, out, err, round(time.monotonic() - t0, 3)


class Lv:
    """tests/libvirt/lv.sh, optionally with --libvirt11 or another root."""

    def __init__(self, v11, timeout):
        self.v11 = v11
        self.timeout = timeout

    def cmd(self, *args):
        return [LV] + (["--libvirt11"] if self.v11 else []) + list(args)

    def call(self, *args, root=None, timeout=None):
        env = dict(os.environ)
        env["LV_TIMEOUT"] = str(timeout or self.timeout)
        if root:
            env["LV_EMBED_ROOT"] = root
        return run(self.cmd(*args), (timeout or self.timeout) + 30, env=env)

    def setup(self):
        rc, out, err, secs = self.call("setup", timeout=600)
        if rc != 0:
            raise Infra("lv.sh setup failed: " + err.strip())
        return out.strip(), secs


# --- XML handling ------------------------------------------------------------
# The copies are edited as text (conversion) or through a namespace-blind
# tree (boot): a document whose <domain> lacks xmlns:qemu is not namespace
# well-formed, Python's namespace-aware parsers refuse it, yet libvirt parses
# it (and silently drops <qemu:override>). Tests must see exactly that.

HOSTDEV_RE = re.compile(r"<hostdev\b[^>]*?(/?)>(.*?)</hostdev\s*>", re.S)


def add_vfio(text):
    """Give every <hostdev> without a <driver> child <driver name='vfio'/>."""
    count = 0

    def fix(m):
        nonlocal count
        if m.group(1) or re.search(r"<driver\b", m.group(2)):
            return m.group(0)
        count += 1
        open_end = m.start(2) - m.start(0)
        whole = m.group(0)
        return whole[:open_end] + "<driver name='vfio'/>" + whole[open_end:]

    return HOSTDEV_RE.sub(fix, text), count


def set_emulator_text(text, path):
    if re.search(r"<emulator>.*?</emulator>", text, re.S):
        return re.sub(r"<emulator>.*?</emulator>", "<emulator>%s</emulator>" % path,
                      text, count=1, flags=re.S)
    return re.sub(r"<devices(\s*)>", r"<devices\1><emulator>%s</emulator>" % path,
                  text, count=1)


# --- domxml-to-native output ---------------------------------------------------

def split_native(text):
    """libvirt prints NAME=VALUE... binary args..., shell-quoted."""
    words = shlex.split(text)
    env = {}
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    return env, words


def parse_keyval(s):
    """Old-style -device driver,k=v,... (',,' escapes a comma)."""
    parts, cur, i = [], "", 0
    while i < len(s):
        if s[i] == "," and s[i + 1:i + 2] == ",":
            cur += ","
            i += 2
            continue
        if s[i] == ",":
            parts.append(cur)
            cur = ""
        else:
            cur += s[i]
        i += 1
    parts.append(cur)
    d = {}
    for n, p in enumerate(parts):
        if "=" in p:
            k, v = p.split("=", 1)
            d[k] = v
        elif n == 0:
            d["driver"] = p
        else:
            d[p] = "on"
    return d


def parse_devices(argv):
    devs = []
    for i, a in enumerate(argv[:-1]):
        if a != "-device":
            continue
        v = argv[i + 1]
        if v.startswith("{"):
            try:
                devs.append(json.loads(v))
                continue
            except ValueError:
                pass
        devs.append(parse_keyval(v))
    return devs


def machine_type(argv):
    for i, a in enumerate(argv[:-1]):
        if a == "-machine":
            m = argv[i + 1]
            if m.startswith("{"):
                try:
                    return json.loads(m).get("type")
                except ValueError:
                    return m
            first = m.split(",")[0]
            return first.split("=", 1)[1] if first.startswith("type=") else first
    return None


def summarise(devs):
    ports, hostdevs = {}, []
    for d in devs:
        drv = d.get("driver")
        if drv in PORT_DRIVERS or "x-speed" in d or "x-width" in d:
            ports[str(d.get("id"))] = {k: d.get(k) for k in PORT_KEYS}
        if drv == "vfio-pci":
            hostdevs.append({k: d.get(k) for k in HOSTDEV_KEYS})
    return ports, hostdevs


# --- boot ------------------------------------------------------------------------

DROP_DEVICES = {"disk", "graphics", "video", "sound", "channel", "redirdev",
                "redirfilter", "smartcard", "tpm", "serial", "console", "parallel",
                "filesystem", "hub", "shmem", "vsock", "lease", "input"}
DROP_TOP = {"memoryBacking", "numatune", "maxMemory", "cputune", "seclabel",
            "sysinfo", "resource", "keywrap", "launchSecurity"}
OS_DROP = {"boot", "loader", "nvram", "bootmenu", "kernel", "initrd", "cmdline",
           "dtb", "smbios", "bios", "firmware", "shim", "acpi"}
STANDIN_MODELS = {"e1000e": "e1000e", "virtio": "virtio", "virtio-net": "virtio"}


def boot_domain(text, name, guest_dir, serial_log, standin, emulator):
    """The throw-away domain to boot; returns (xml text, stand-ins)."""
    root = literal_xml(text)
    if root.tag != "domain":
        raise ValueError("root element is <%s>, not <domain>" % root.tag)
    root.set("type", "qemu")  # never KVM on this machine
    for tag in ("name", "uuid"):
        for e in root.findall(tag):
            root.remove(e)
    ET.SubElement(root, "name").text = name
    for e in list(root):
        if e.tag in DROP_TOP:
            root.remove(e)
    cpu = root.find("cpu")
    numa = cpu.find("numa") if cpu is not None else None
    if cpu is not None:
        root.remove(cpu)
        if numa is not None:  # NUMA cells can matter (expander buses)
            ET.SubElement(root, "cpu").append(numa)
    if numa is None:
        for tag in ("memory", "currentMemory"):
            for e in root.findall(tag):
                root.remove(e)
        ET.SubElement(root, "memory", {"unit": "MiB"}).text = "512"
        for e in root.findall("vcpu"):
            root.remove(e)
        ET.SubElement(root, "vcpu").text = "1"
        for e in root.findall("vcpus"):
            root.remove(e)
    os_el = root.find("os")
    if os_el is None:
        raise ValueError("no <os> element")
    for e in list(os_el):
        if e.tag in OS_DROP:
            os_el.remove(e)
    os_el.attrib.pop("firmware", None)
    ET.SubElement(os_el, "kernel").text = os.path.join(guest_dir, "vmlinuz")
    ET.SubElement(os_el, "initrd").text = os.path.join(guest_dir, "initramfs.cpio.gz")
    ET.SubElement(os_el, "cmdline").text = "console=ttyS0 panic=-1 quiet"
    for tag in ("on_poweroff", "on_reboot", "on_crash"):
        for e in root.findall(tag):
            root.remove(e)
        ET.SubElement(root, tag).text = "destroy"
    devices = root.find("devices")
    if devices is None:
        devices = ET.SubElement(root, "devices")
    standins = []
    for dev in list(devices):
        if dev.tag in DROP_DEVICES:
            devices.remove(dev)
        elif dev.tag == "hostdev":
            pos = list(devices).index(dev)
            devices.remove(dev)
            if dev.get("type") != "pci":
                continue
            iface = ET.Element("interface", {"type": "user"})
            ET.SubElement(iface, "model", {"type": STANDIN_MODELS[standin]})
            addr = dev.find("address")  # the guest address (not source/address)
            if addr is not None:
                iface.append(addr)
            alias = dev.find("alias")
            if alias is not None:
                iface.append(alias)
            src = dev.find("source/address")
            standins.append({
                "host": None if src is None else "%04x:%02x:%02x.%x" % tuple(
                    int(src.get(k, "0"), 0) for k in ("domain", "bus", "slot", "function")),
                "model": standin,
                "address": None if addr is None else dict(addr.attrib),
            })
            devices.insert(pos, iface)
        elif dev.tag == "interface" and dev.get("type") != "user":
            keep = [c for c in dev if c.tag in ("mac", "model", "address", "alias", "rom")]
            dev.clear()
            dev.set("type", "user")
            for c in keep:
                dev.append(c)
    if emulator:
        for e in devices.findall("emulator"):
            devices.remove(e)
        devices.insert(0, ET.Element("emulator"))
        devices[0].text = emulator
    serial = ET.SubElement(devices, "serial", {"type": "file"})
    ET.SubElement(serial, "source", {"path": serial_log})
    ET.SubElement(serial, "target", {"port": "0"})
    return ET.tostring(root, encoding="unicode"), standins


LINE_RE = re.compile(r"^PCILINK (\S+) (\S+) (\S+) max_speed=(.*?) max_width=(\S+) "
                     r"cur_speed=(.*?) cur_width=(\S+)\s*$")
CFG_RE = re.compile(r"^PCILINKCFG (\S+) ([0-9a-f]*)\s*$")
NUMA_RE = re.compile(r"^PCILINKNUMA (\S+) (-?\d+)\s*$")


def qemu_speed(s):
    """sysfs '8.0 GT/s PCIe' -> QEMU's '8'; '2.5 GT/s PCIe' -> '2_5'."""
    m = re.match(r"^(\d+(?:\.\d+)?) GT/s", s or "")
    if not m:
        return None
    v = m.group(1)
    if v.endswith(".0"):
        v = v[:-2]
    return v.replace(".", "_")


def lnkcap_port(cfg_hex):
    """Port Number (LNKCAP bits 31:24) from the first 256 config bytes."""
    try:
        cfg = bytes.fromhex(cfg_hex)
    except ValueError:
        return None
    if len(cfg) < 0x40 or not cfg[6] & 0x10:
        return None
    ptr, seen = cfg[0x34] & 0xFC, set()
    while 0x40 <= ptr < len(cfg) - 0x10 and ptr not in seen:
        seen.add(ptr)
        if cfg[ptr] == 0x10:
            return cfg[ptr + 0x0F]
        ptr = cfg[ptr + 1] & 0xFC
    return None


def parse_serial(text):
    devs, cfgs, complete, numa = [], {}, False, {}
    for line in text.replace("\r", "").split("\n"):
        m = LINE_RE.match(line)
        if m:
            slot, cls, vd, ms, mw, cs, cw = m.groups()
            devs.append({"slot": slot, "class": cls, "id": vd,
                         "max_link_speed": ms, "max_link_width": mw,
                         "current_link_speed": cs, "current_link_width": cw})
            continue
        m = CFG_RE.match(line)
        if m:
            cfgs[m.group(1)] = m.group(2)
        elif NUMA_RE.match(line):
            numa[NUMA_RE.match(line).group(1)] = int(NUMA_RE.match(line).group(2))
        elif line.strip() == "PCILINK-END":
            complete = True
    for d in devs:  # a guest's init without PCILINKNUMA lines leaves them out
        if d["slot"] in numa:
            d["numa_node"] = numa[d["slot"]]
    return devs, cfgs, complete


def pci_addr(addr):
    """QEMU addr '0x2' / '0x1.0x3' -> (slot, function)."""
    if addr is None:
        return None
    parts = str(addr).split(".")
    try:
        return int(parts[0], 0), int(parts[1], 0) if len(parts) > 1 else 0
    except ValueError:
        return None


def map_ports(ports, gdevs, cfgs):
    """Root ports on pcie.0 by address; others by LNKCAP's Port Number when
    that is unique among the guest's bridges."""
    by_slot = {d["slot"]: d for d in gdevs}
    out, unmapped, used = {}, [], set()
    for alias, p in ports.items():
        sf = pci_addr(p.get("addr"))
        if p.get("bus") == "pcie.0" and sf:
            slot = "0000:00:%02x.%x" % sf
            if slot in by_slot:
                out[alias] = by_slot[slot]
                used.add(slot)
                continue
        unmapped.append(alias)
    still = []
    for alias in unmapped:
        want = ports[alias].get("port")
        cands = [d for d in gdevs if d["class"].startswith("0604") and d["slot"] not in used
                 and want is not None and lnkcap_port(cfgs.get(d["slot"], "")) == want]
        if len(cands) == 1:
            out[alias] = cands[0]
            used.add(cands[0]["slot"])
        else:
            still.append(alias)
    res = {}
    for alias, d in out.items():
        r = dict(d)
        r["x-speed"] = qemu_speed(d["max_link_speed"])
        r["x-width"] = d["max_link_width"] if d["max_link_width"].isdigit() else None
        # what sits below the port: devices on its secondary bus (config 0x19)
        sec = secondary_bus(cfgs.get(d["slot"], ""))
        r["below"] = None if sec is None else [
            {"slot": x["slot"], "id": x["id"], "class": x["class"], "numa_node": x.get("numa_node")} for x in gdevs
            if x["slot"].startswith("%s:%02x:" % (d["slot"][:4], sec))]
        res[alias] = r
    return res, still


def secondary_bus(cfg_hex):
    try:
        cfg = bytes.fromhex(cfg_hex)
    except ValueError:
        return None
    if len(cfg) < 0x1A or cfg[0x0E] & 0x7F != 1:  # type 1 (bridge) header only
        return None
    return cfg[0x19]


def qemu_pid(root, name):
    try:
        with open(os.path.join(root, "run", "qemu", name + ".pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def pid_is_guest(pid, name):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return ("guest=%s," % name).encode() in f.read()
    except OSError:
        return False


def do_boot(lv, text, ports, args, warm_root):
    res = {"ok": False, "error": None, "qemu_error": None, "seconds": None,
           "start_seconds": None,
           "report_seconds": None, "standins": [],
           "ports": {}, "unmapped_ports": [], "devices": [], "complete": False}
    t0 = time.monotonic()
    guest_dir = os.environ.get("PCILINK_GUEST_DIR")
    if not guest_dir:
        if not os.access(GUEST_BUILD, os.X_OK):
            raise Infra("%s not found (the tiny guest)" % GUEST_BUILD)
        rc, out, err, _ = run([GUEST_BUILD], 900)
        if rc != 0:
            raise Infra("guest build failed: " + err.strip()[-2000:])
        guest_dir = out.strip().splitlines()[-1]
    for f in ("vmlinuz", "initramfs.cpio.gz"):
        if not os.path.isfile(os.path.join(guest_dir, f)):
            raise Infra("no %s in %s" % (f, guest_dir))

    # A throw-away embedded root (short path: the monitor socket lives in
    # it), seeded with the warmed one's QEMU capabilities cache.
    tmp = tempfile.mkdtemp(prefix="lvboot.")
    name = "pcilink-boot-%d" % os.getpid()
    serial_log = os.path.join(tmp, "serial.log")
    try:
        os.makedirs(os.path.join(tmp, "etc"))
        shutil.copy(os.path.join(warm_root, "etc", "qemu.conf"), os.path.join(tmp, "etc"))
        if os.path.isdir(os.path.join(warm_root, "cache")):
            shutil.copytree(os.path.join(warm_root, "cache"), os.path.join(tmp, "cache"))
        shutil.copy(os.path.join(warm_root, "ready"), os.path.join(tmp, "ready"))
        try:
            xml_text, res["standins"] = boot_domain(text, name, guest_dir, serial_log,
                                                    args.standin, args.emulator)
        except (ValueError, xml.parsers.expat.ExpatError) as e:
            res["error"] = "cannot build the boot domain: %s" % e
            return res
        dom = os.path.join(tmp, "boot.xml")
        with open(dom, "w") as f:
            f.write(xml_text)
        try:
            rc, out, err, res["start_seconds"] = lv.call(
                "virsh", "define %s; start %s" % (dom, name), root=tmp, timeout=120)
            if rc != 0 or re.search(r"^error:", err, re.M):
                msgs = [l for l in err.splitlines() if l.startswith("error:")]
                res["error"] = "start failed: " + ("\n".join(msgs) or err.strip())
                qlog = os.path.join(tmp, "log", "qemu", name + ".log")
                if os.path.exists(qlog):
                    with open(qlog, errors="replace") as f:
                        log = f.read()
                    res["qemu_log"] = log[-4000:]
                    # QEMU's own complaint, e.g. "...: Parameter 'x-speed'
                    # does not accept value '32'"
                    qerr = [l for l in log.splitlines()
                            if re.match(r"^\S+ qemu-system-\w+: ", l)]
                    res["qemu_error"] = qerr[-1].split(" ", 1)[1] if qerr else None
                return res
            t1 = time.monotonic()
            deadline = t1 + args.boot_timeout
            serial = ""
            while time.monotonic() < deadline:
                if os.path.exists(serial_log):
                    with open(serial_log, errors="replace") as f:
                        serial = f.read()
                    if "PCILINK-END" in serial:
                        break
                pid = qemu_pid(tmp, name)
                if pid is None or not pid_is_guest(pid, name):
                    time.sleep(0.3)  # QEMU gone: take what the log holds
                    if os.path.exists(serial_log):
                        with open(serial_log, errors="replace") as f:
                            serial = f.read()
                    break
                time.sleep(0.2)
            res["report_seconds"] = round(time.monotonic() - t1, 3)
            gdevs, cfgs, complete = parse_serial(serial)
            res["complete"] = complete
            res["devices"] = gdevs
            res["ports"], res["unmapped_ports"] = map_ports(ports, gdevs, cfgs)
            if not complete:
                res["error"] = "no PCILINK-END on the guest console within %s s" % args.boot_timeout
                res["serial_tail"] = serial[-3000:]
            else:
                res["ok"] = True
        finally:
            pid = qemu_pid(tmp, name)
            lv.call("virsh", "destroy %s; undefine %s" % (name, name), root=tmp, timeout=60)
            if pid and pid_is_guest(pid, name):  # virsh failed to stop our QEMU
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
    finally:
        res["seconds"] = round(time.monotonic() - t0, 3)
        if args.keep:
            print("lv-check: kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        try:
            os.unlink(tmp + ".lock")  # lv.sh's lock next to the root
        except OSError:
            pass
    return res


# --- main ----------------------------------------------------------------------------

def check(args):
    lv = Lv(args.libvirt11, args.timeout)
    with open(args.domain, encoding="utf-8") as f:
        text = f.read()
    res = {"libvirt": None, "file": os.path.abspath(args.domain), "valid": None,
           "validate_error": None, "native_error": None, "vfio_added": 0,
           "machine": None, "ports": {}, "hostdevs": [], "devices": [], "env": {},
           "argv": [], "timings": {}}
    root, res["timings"]["setup"] = lv.setup()
    rc, out, err, _ = lv.call("version", timeout=30)
    res["libvirt"] = out.strip() or None

    rc, out, err, res["timings"]["validate"] = lv.call("validate", args.domain, timeout=60)
    res["valid"] = rc == 0
    if rc != 0:
        res["validate_error"] = (err + out).strip()

    conv, res["vfio_added"] = add_vfio(text)
    if args.emulator:
        conv = set_emulator_text(conv, args.emulator)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", prefix="lvcheck.",
                                     delete=False) as tf:
        tf.write(conv)
        tmpxml = tf.name
    try:
        rc, out, err, res["timings"]["native"] = lv.call("native", tmpxml)
    finally:
        if args.keep:
            print("lv-check: kept %s" % tmpxml, file=sys.stderr)
        else:
            os.unlink(tmpxml)
    if rc != 0 or not out.strip():
        res["native_error"] = err.strip() or "domxml-to-native failed (status %d)" % rc
    else:
        res["env"], res["argv"] = split_native(out.strip())
        res["devices"] = parse_devices(res["argv"])
        res["ports"], res["hostdevs"] = summarise(res["devices"])
        res["machine"] = machine_type(res["argv"])

    ok = res["valid"] and res["native_error"] is None
    if args.boot:
        res["guest"] = do_boot(lv, text, res["ports"], args, root)
        res["timings"]["boot"] = res["guest"]["seconds"]
        ok = ok and res["guest"]["ok"]
    return res, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("domain")
    ap.add_argument("--libvirt11", action="store_true",
                    help="use libvirt 11.3 from bookworm-backports (setup-libvirt11.sh)")
    ap.add_argument("--boot", action="store_true", help="also boot the tiny guest")
    ap.add_argument("--emulator", help="QEMU binary to put in <emulator> (all steps)")
    ap.add_argument("--standin", default="e1000e", choices=sorted(STANDIN_MODELS),
                    help="emulated device replacing each PCI <hostdev> (--boot)")
    ap.add_argument("--boot-timeout", type=float, default=90,
                    help="seconds to wait for the guest's report (default 90)")
    ap.add_argument("--timeout", type=int, default=300,
                    help="seconds for one libvirt command (default 300)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 unless valid, converted (and booted)")
    ap.add_argument("--keep", action="store_true", help="keep temporary files")
    args = ap.parse_args()
    # SIGTERM (e.g. from timeout(1)) unwinds like an exception, so a booted
    # guest is still destroyed and its temp root removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        res, ok = check(args)
    except Infra as e:
        print("lv-check: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("lv-check: %s" % e, file=sys.stderr)
        return 2
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())

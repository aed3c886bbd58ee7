#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-qemu-args against real QEMU: Debian 12's 7.2 and 10.0 from bookworm-backports.

Every generated command line is realized by QEMU (paused, TCG, vfio-pci swapped for an emulated
endpoint at the same bus/addr by qemu-check.py), and qom-get shows each port's x-speed/x-width
equal to the plan; placement (port, function) is checked too. Some cases boot the tiny guest and
read the root ports' max_link_speed/max_link_width from its sysfs. Refusals must be caught by
pcilink before QEMU sees them. The shared corpus: every endpoint of every machine is planned,
accepted, and matches probe's recommendation (clamped to what the QEMU accepts).
Prints 'N passed, N failed[, N skipped]'.
"""
import glob, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
PCILINK = os.path.join(TOP, "pcilink")
CHECK = os.path.join(HERE, "qemu-check.py")
SYNTH = os.path.join(HERE, "..", "tools", "synth.py")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
FIX = os.environ.get("FIXTURES", os.path.join(TOP, "..", "shared", "fixtures"))
GTS = {"2_5": "2.5 GT/s PCIe", "5": "5.0 GT/s PCIe", "8": "8.0 GT/s PCIe", "16": "16.0 GT/s PCIe",
       "32": "32.0 GT/s PCIe", "64": "64.0 GT/s PCIe"}
ORDER = ["2_5", "5", "8", "16", "32", "64"]

sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from testlib import Tally, qemus  # noqa: E402

T = Tally()
result = T.result


def pcilink(*args):
    return subprocess.run([PCILINK, *args], capture_output=True, text=True)


def qemu_check(qemu, argv, boot=False):
    with tempfile.NamedTemporaryFile("w", suffix=".args", delete=False) as f:
        f.write("\0".join(argv) + "\0")
    try:
        cmd = [sys.executable, CHECK, "--qemu", qemu, "--nul", "--timeout", "120"]
        out = subprocess.run(cmd + (["--boot"] if boot else []) + [f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise RuntimeError("qemu-check: " + out.stderr.strip()[-500:])
    return json.loads(out.stdout)


def numa_args(plan, mem=512):
    """What the guest must define for the plan's expander buses: -numa nodes 0..last, memory split."""
    nodes = plan.get("guest_numa_nodes") or []
    out = ["-m", "%d" % mem] if nodes else []
    for g in nodes:
        out += ["-object", "memory-backend-ram,id=mem%d,size=%dM" % (g, mem // len(nodes)),
                "-numa", "node,nodeid=%d,memdev=mem%d" % (g, g)]
    return out


def plan_and_check(name, qemu, gen_args, boot=False, expect=None):
    """Plan with pcilink (asking this QEMU), run QEMU, compare. Returns the plan."""
    out = pcilink("gen-qemu-args", "--qemu", qemu, "-o", "json", *gen_args)
    if out.returncode != 0:
        result(False, name, "pcilink exit %d: %s" % (out.returncode, out.stderr.strip()))
        return None
    plan = json.loads(out.stdout)
    try:
        got = qemu_check(qemu, numa_args(plan) + plan["argv"], boot)
    except RuntimeError as e:
        result(False, name, str(e))
        return plan
    if not got["accepted"]:
        result(False, name + ": QEMU accepts", got.get("error"))
        return plan
    bad = []
    placed = {d.get("id"): d for d in got["devices"]}
    for p in plan["ports"]:
        q = got["ports"].get(p["id"])
        if q is None:
            bad.append("port %s missing" % p["id"])
            continue
        if q.get("bus") != p["bus"]:
            bad.append("%s: on bus %s, plan %s" % (p["id"], q.get("bus"), p["bus"]))
        if p["x_speed"] is not None and (q["x-speed"], q["x-width"]) != (p["x_speed"], p["x_width"]):
            bad.append("%s: QEMU has %s/%s, plan %s/%s" % (p["id"], q["x-speed"], q["x-width"],
                                                           p["x_speed"], p["x_width"]))
        if p["hotplug"] is not None and q.get("hotplug") != p["hotplug"]:
            bad.append("%s: hotplug %s, plan %s" % (p["id"], q.get("hotplug"), p["hotplug"]))
        for f in p["functions"]:
            d = placed.get(f["id"])
            if not d or d.get("parent") != p["id"] or d.get("function") != f["guest_function"]:
                bad.append("%s not at %s fn %d: %s" % (f["id"], p["id"], f["guest_function"], d))
        if expect and p["id"] in expect and (p["x_speed"], p["x_width"]) != expect[p["id"]]:
            bad.append("%s: plan %s/%s, expected %s" % (p["id"], p["x_speed"], p["x_width"], expect[p["id"]]))
    for x in plan.get("expander_buses", []):
        e = got.get("expanders", {}).get(x["id"])
        want = (x["bus_nr"], x["guest_numa_node"], int(x["addr"].split(".")[0], 16) << 3, x["bus"])
        if not e or (e["bus_nr"], e["numa_node"], e["addr"], e["bus"]) != want:
            bad.append("expander %s: QEMU has %s, plan %s" % (x["id"], e, want))
    nx = len(plan.get("expander_buses", []))
    result(not bad, name + ": QEMU realizes the plan (%d ports%s)" % (
        len(plan["ports"]), ", %d expander buses" % nx if nx else ""), "; ".join(bad[:5]))
    if boot:
        gbad = []
        for p in plan["ports"]:
            gs = got.get("port_slots", {}).get(p["id"])
            g = got.get("guest", {}).get(gs)
            if p["x_speed"] is None:
                continue
            if not g or (g["max_speed"], g["max_width"]) != (GTS[p["x_speed"]], p["x_width"]):
                gbad.append("%s (%s): guest sees %s" % (p["id"], gs, g and (g["max_speed"], g["max_width"])))
        result(not gbad, name + ": the guest sees the planned link on every root port", "; ".join(gbad[:5]))
        if nx:
            guest_numa(name, plan, got)
    return plan


def guest_numa(name, plan, got):
    """Every port on an expander and every stand-in below it: the guest's numa_node is the plan's;
    the port is a Root Port with a v2 capability (what vfio_pci_enable_rp_atomics asks of it)."""
    bad, slots = [], {d["id"]: d.get("guest_slot") for d in got["devices"] if d.get("id")}
    guest = got.get("guest", {})
    for p in plan["ports"]:
        want = p["guest_numa_node"] if p["guest_numa_node"] is not None else -1
        for i in [p["id"]] + [f["id"] for f in p["functions"]]:
            g = guest.get(slots.get(i))
            if not g or g.get("numa_node") != want:
                bad.append("%s (%s): guest numa_node %s, plan %s" % (i, slots.get(i), g and g.get("numa_node"), want))
        g = guest.get(slots.get(p["id"]))
        flags = int(g["pcie_flags"], 16) if g and "pcie_flags" in g else None
        if flags is None or (flags >> 4 & 0xf, flags & 0xf) != (4, 2):
            bad.append("%s: not a v2 Root Port in the guest (flags %s)" % (p["id"], flags))
    result(not bad, name + ": the guest sees every port and device on its planned NUMA node (%d ports)"
           % len(plan["ports"]), "; ".join(bad[:5]))


def numa_host(tmp, nodes, n, per_node):
    """A synthetic host (synth.py + mksysfs.py) whose units cycle over the nodes. Picked: per node
    the first per_node GPUs (with their audio function) and NIC physical functions, as slots, and
    each device's node. (SeaBIOS gives every root port 4K of the 64K I/O space the e1000e stand-ins
    need, so a booted guest holds a dozen ports at most.)"""
    prefix = os.path.join(tmp, "numa%d" % nodes)
    subprocess.run([sys.executable, SYNTH, str(n), prefix, "--sysfs", "--numa-nodes", str(nodes),
                    "--max-vfs", "1", "--switch-ports", "1"], check=True, capture_output=True)
    probe = json.loads(pcilink("probe", "--sysfs", prefix + ".sysfs", "--all", "-n", "-o", "json").stdout)
    slots, node, count = [], {}, {}
    for x in probe["devices"]:
        if x["class_id"] not in ("0300", "0200") or x["physfn"] or x["slot"][:10] in node:
            continue
        k = (x["class_id"], x["numa_node"])
        if count.get(k, 0) < per_node:
            count[k] = count.get(k, 0) + 1
            slots.append(x["slot"][:10] if x["class_id"] == "0300" else x["slot"])
            node[x["slot"][:10]] = x["numa_node"]
    return prefix + ".sysfs", slots, node


def synth_dump(path):
    """A host with one root port + endpoint per (speed, width): every value QEMU knows."""
    speeds, widths = [1, 2, 3, 4, 5, 6], [1, 2, 4, 8, 12, 16, 32]
    vec = {1: 0x02, 2: 0x06, 3: 0x0e, 4: 0x1e, 5: 0x3e, 6: 0x7e}
    blocks, bus = [], 1
    for s in speeds:
        for w in widths:
            for slot, typ, hdr, cls, b in ((("00:%02x.%d" % (bus // 8 + 1, bus % 8)), 4, 1, 0x060400, (0, bus, bus)),
                                           ("%02x:00.0" % bus, 0, 0, 0x010802, None)):
                c = bytearray(256)
                c[0:4] = bytes([0x86, 0x80, 0x34, 0x12]) if typ else bytes([0x4d, 0x14, 0x0c, 0xa8])
                c[6] = 0x10
                c[9:12] = cls.to_bytes(3, "little")
                c[0x0e] = hdr
                if b:
                    c[0x18:0x1b] = bytes(b)
                c[0x34] = 0x40
                c[0x40] = 0x10
                c[0x42:0x44] = (2 | typ << 4).to_bytes(2, "little")
                c[0x4c:0x50] = (s | w << 4).to_bytes(4, "little")
                c[0x52:0x54] = (s | w << 4).to_bytes(2, "little")
                c[0x6c:0x70] = vec[s].to_bytes(4, "little")
                blocks.append("%s synthetic\n" % slot + "".join(
                    "%02x: %s\n" % (o, " ".join("%02x" % x for x in c[o:o + 16])) for o in range(0, 256, 16)))
            bus += 1
    open(path, "w").write("\n".join(blocks))
    return {("rp-%02x-00" % b): (ORDER[s - 1], str(w)) for b, (s, w) in
            enumerate(((s, w) for s in speeds for w in widths), start=1)}


def clamp(speed, accepted):
    while speed not in accepted:
        speed = ORDER[ORDER.index(speed) - 1]
    return speed


def main():
    if not os.access(PCILINK, os.X_OK):
        print("FAIL pcilink is not built")
        print("0 passed, 1 failed")
        return 1
    qs = qemus()
    T.skipped += 2 - len(qs)
    tmp = tempfile.mkdtemp(prefix="pcilink-qemu-")
    synth = os.path.join(tmp, "every-link.lspci")
    expect = synth_dump(synth)
    E = ["--dump", EXAMPLE]
    numa = [numa_host(tmp, k, n, per) for k, n, per in ((2, 60, 2), (4, 130, 1))]
    for ver, q in qs:
        t = "qemu %s" % ver
        for sysfs, slots, picked in numa:
            nodes = sorted(set(picked.values()))
            plan = plan_and_check("%s --numa, %d host nodes, %d GPUs and NICs" % (t, len(nodes), len(picked)),
                                  q, ["--sysfs", sysfs, "--numa", *slots], boot=True)
            if plan:
                per = {x["id"]: x["guest_numa_node"] for x in plan["expander_buses"]}
                off = [p["id"] for p in plan["ports"]
                       if per.get(p["bus"]) != picked[p["functions"][0]["host"][:10]]]
                result(not off and sorted(per.values()) == nodes,
                       "%s --numa, %d nodes: one expander per node, each port on its device's node" % (t, len(nodes)),
                       "ports off their node: %s; expanders %s" % (off[:5], per))
        plan_and_check(t + " --numa-node on a dump, --numa-map 0=1,1=0", q,
                       E + ["--numa", "--numa-node", "03:00=0", "--numa-node", "07:00=1", "--numa-map", "0=1,1=0",
                            "03:00", "04:00", "07:00"], boot=True)
        plan_and_check(t + " single NVMe", q, E + ["04:00.0"])
        plan_and_check(t + " GPU+audio multifunction", q, E + ["03:00"], boot=True)
        plan_and_check(t + " split functions", q, E + ["--split-functions", "03:00", "07:00"])
        plan_and_check(t + " hotplug off", q, E + ["--hotplug", "off", "04:00.0", "06:00.0"])
        plan_and_check(t + " every endpoint of the example", q, E + ["--all"], boot=True)
        acc = json.loads(pcilink("gen-qemu-args", "--qemu", q, "-o", "json", *E, "04:00.0").stdout)["target"]["accepted_speeds"]
        exp = {k: (clamp(s, acc), w) for k, (s, w) in expect.items()}
        plan_and_check(t + " every speed x width (42 ports, 6 root-bus slots)", q,
                       ["--dump", synth, "--all"], expect=exp)
        if "64" in acc:
            plan_and_check(t + " 64GT/s x32 seen by the guest", q, E + ["--speed", "64", "--width", "32", "04:00.0"],
                           boot=True, expect={"rp-04-00": ("64", "32")})
        for s in ORDER:
            r = pcilink("gen-qemu-args", "--qemu", q, *E, "--speed", s, "04:00.0")
            if s in acc:
                result(r.returncode == 0, "%s --speed %s accepted" % (t, s), r.stderr)
            else:
                result(r.returncode == 2 and "does not accept x-speed=%s" % s in r.stderr,
                       "%s --speed %s refused by pcilink before QEMU" % (t, s), r.stderr)
        for w in ["1", "2", "4", "8", "12", "16", "32"]:
            plan_and_check("%s --width %s" % (t, w), q, E + ["--width", w, "04:00.0"],
                           expect={"rp-04-00": ("16", w)})
        # the corpus: every endpoint of every real machine
        dumps = sorted(glob.glob(os.path.join(FIX, "*", "*.dump")))
        if not dumps:
            print("SKIP corpus: %s not found" % FIX)
            T.skipped += 1
        for d in dumps:
            probe = json.loads(pcilink("probe", "--dump", d, "--all", "-n", "-o", "json").stdout)
            rec = {x["slot"]: x["recommendation"] for x in probe["devices"]}
            if all(x["header_type"] != 0 or x["class_id"] == "0600" for x in probe["devices"]):
                print("note: %s holds no assignable function" % os.path.basename(d))
                continue
            plan = plan_and_check("%s corpus %s" % (t, os.path.basename(d)), q, ["--dump", d, "--all"])
            if not plan:
                continue
            bad = []
            for p in plan["ports"]:
                r = rec.get(p["functions"][0]["host"])
                want = (clamp(r["x_speed"], acc), r["x_width"]) if r else (None, None)
                if (p["x_speed"], p["x_width"]) != want:
                    bad.append("%s: plan %s/%s, recommendation %s" % (p["id"], p["x_speed"], p["x_width"], want))
            result(not bad, "%s corpus %s: ports follow probe's recommendation" % (t, os.path.basename(d)),
                   "; ".join(bad[:3]))
    return T.summary()


sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-libvirt-xml against the real libvirt: Debian 12's 9.0 and 11.3 from bookworm-backports.

Inputs are real domains (tests/libvirt/domains: virt-install --print-xml output and the stored
form after define + dumpxml; with and without root ports and host devices) plus variants of them,
and domains virt-install makes during the run. Every merged domain passes virt-xml-validate, and
libvirt's own conversion (domxml-to-native on the embedded driver) shows each planned port under
its alias with the planned x-speed/x-width as strings, and each function as vfio-pci on that port
at the planned function. Merging twice gives the same bytes; indices, chassis numbers, addresses
and aliases never collide (checked in the XML and in libvirt's argv, which includes what libvirt
numbers itself); the rest of the domain is unchanged. Refusals exit 1 with a clear message and
print nothing. libvirt < 8.2 gets -global only when all ports share one link. Guests boot through
libvirt (define + start, direct kernel boot, vfio swapped for an emulated device at the same
address) and Linux in the guest sees the planned link on each root port.
Prints 'N passed, N failed[, N skipped]'.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.dom.minidom
import xml.etree.ElementTree as ET
import xml.parsers.expat

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
PCILINK = os.path.join(TOP, "pcilink")
LV = os.path.join(HERE, "lv.sh")
LVCHECK = os.path.join(HERE, "lv-check.py")
DOMAINS = os.path.join(HERE, "domains")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
BASE = ["-F", EXAMPLE, "--qemu-version", "7.2"]
SYNTH = os.path.join(TOP, "tests", "tools", "synth.py")

sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from testlib import Tally, literal_xml as literal  # noqa: E402

T = Tally()
result, skip = T.result, T.skip
TMP = tempfile.mkdtemp(prefix="pcilink-lv.")


def run(cmd, stdin=None, timeout=600, env=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, env=env)


def pcilink(*args, stdin=None):
    r = run([PCILINK, *args], stdin=stdin)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def plan_of(args):
    """The plan (JSON) for the same selection and options, without --domain."""
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *args, "-o", "json")
    if rc != 0:
        raise RuntimeError("plan: exit %d: %s" % (rc, err))
    return json.loads(out)


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def lvcheck(path, v11=False, boot=False, emulator=None, boot_timeout=None):
    cmd = [sys.executable, LVCHECK] + (["--libvirt11"] if v11 else []) + (["--boot"] if boot else [])
    cmd += ["--boot-timeout", str(boot_timeout)] if boot_timeout else []
    cmd += (["--emulator", emulator] if emulator else []) + [path]
    r = run(cmd, timeout=900)
    if r.returncode != 0:
        raise RuntimeError("lv-check: " + r.stderr.decode(errors="replace").strip()[-600:])
    return json.loads(r.stdout)


def bdf_of(addr):
    return "%04x:%02x:%02x.%x" % tuple(int(addr.get(k, "0"), 0) for k in ("domain", "bus", "slot", "function"))


# --- checks ----------------------------------------------------------------------------------

def xml_collisions(text):
    """Problems in the document itself: duplicate indices, chassis, aliases, root-bus addresses."""
    root, bad = literal(text), []
    seen = {"index": {}, "chassis": {}, "alias": {}, "addr": {}}

    def once(kind, key, what):
        if key in seen[kind]:
            bad.append("%s %s twice (%s, %s)" % (kind, key, seen[kind][key], what))
        seen[kind][key] = what
    devices = root.find("devices")
    for d in list(devices) if devices is not None else []:
        a = d.find("alias")
        if a is not None:
            once("alias", a.get("name"), d.tag)
        if d.tag == "controller" and d.get("type") == "pci":
            if d.get("index") is not None:
                once("index", int(d.get("index"), 10), "controller")   # decimal, as libvirt reads it
            t = d.find("target")
            if t is not None and t.get("chassis") is not None:
                once("chassis", int(t.get("chassis"), 0), "controller %s" % d.get("index"))
        for addr in d.iter("address"):
            if addr.get("type") == "pci":
                key = (int(addr.get("bus", "0"), 0), int(addr.get("slot", "0"), 0),
                       int(addr.get("function", "0"), 0))
                once("addr", key, d.tag)
    return bad


def native_collisions(res):
    """In libvirt's argv (its own numbering included): chassis, ids, (bus, addr) unique."""
    bad, chassis, ids, addrs = [], {}, {}, {}
    for d in res["devices"]:
        i = d.get("id")
        if i is not None and i in ids:
            bad.append("id %s twice" % i)
        ids[i] = 1
        if d.get("driver") == "pcie-root-port":
            c = d.get("chassis")
            if c in chassis:
                bad.append("chassis %s on %s and %s" % (c, chassis[c], i))
            chassis[c] = i
        if d.get("bus") is not None and d.get("addr") is not None:
            k = (d["bus"], d["addr"])
            if k in addrs:
                bad.append("%s addr %s on %s and %s" % (k[0], k[1], addrs[k], i))
            addrs[k] = i
    return bad


def qaddr(fn):
    return "0x0" if fn == 0 else "0x0.0x%x" % fn


def plan_matches(res, plan, global_link=None, ids=None):
    """libvirt's argv carries every planned port and function as planned (ids: host function ->
    the alias a hostdev of the input keeps)."""
    bad = []
    for p in plan["ports"]:
        alias = "ua-" + p["id"]
        q = res["ports"].get(alias)
        if q is None:
            bad.append("no device %s in libvirt's argv" % alias)
            continue
        if q["driver"] != "pcie-root-port":
            bad.append("%s is a %s" % (alias, q["driver"]))
        want = (p["x_speed"], p["x_width"]) if global_link is None else (None, None)
        if (q["x-speed"], q["x-width"]) != want:
            bad.append("%s: libvirt passes x-speed=%r x-width=%r, plan %r" % (alias, q["x-speed"],
                                                                             q["x-width"], want))
        want_bus = "pcie.0" if p["bus"] == "pcie.0" else "ua-" + p["bus"]   # --numa: its expander
        if q["bus"] != want_bus:
            bad.append("%s on bus %s, plan %s" % (alias, q["bus"], want_bus))
        for f in p["functions"]:
            hs = [h for h in res["hostdevs"] if h["host"] == f["host"]]
            if len(hs) != 1:
                bad.append("%d vfio-pci devices for %s" % (len(hs), f["host"]))
                continue
            h = hs[0]
            want = ((ids or {}).get(f["host"], "ua-" + f["id"]), alias, qaddr(f["guest_function"]),
                    True if f["multifunction"] else None)
            got = (h["id"], h["bus"], h["addr"], h["multifunction"])
            if got != want:
                bad.append("%s: libvirt has %s, plan %s" % (f["host"], got, want))
    if global_link is not None:
        argv = res["argv"]
        for prop, val in (("x-speed", global_link[0]), ("x-width", global_link[1])):
            want = "pcie-root-port.%s=%s" % (prop, val)
            if not any(argv[i] == "-global" and argv[i + 1] == want for i in range(len(argv) - 1)):
                bad.append("no -global %s in libvirt's argv" % want)
    return bad


def skeleton(text, hosts, global_link=None):
    """The domain without pcilink's parts: its aliased elements, the host devices it plans, the
    override (any prefix) or -global's commandline, the namespace declaration; whitespace-only
    text dropped. What must not change."""
    root = literal(text)
    root.attrib.pop("xmlns:qemu", None)
    ours = ":commandline" if global_link else ":override"
    for e in list(root):
        if e.tag.endswith(ours):
            root.remove(e)
    devices = root.find("devices")
    if devices is not None:
        for d in list(devices):
            a = d.find("alias")
            src = d.find("source/address")
            if a is not None and re.match(r"^ua-(rp|hostdev|pxb)-", a.get("name", "")):
                devices.remove(d)
            elif d.tag == "hostdev" and src is not None and bdf_of(src) in hosts:
                devices.remove(d)
    for e in root.iter():
        attrs = sorted(e.attrib.items())
        e.attrib.clear()
        e.attrib.update(attrs)
        if e.text is not None and not e.text.strip():
            e.text = None
        if e.tail is not None and not e.tail.strip():
            e.tail = None
    return ET.tostring(root, encoding="unicode")


def hosts_of(plan):
    return {f["host"] for p in plan["ports"] for f in p["functions"]}


def check_merge(name, dom_text, args, v11=False, global_link=None, extra=None, ids=None, valid_in=True,
                same_rest=True):
    """Merge, then the whole set of checks. Returns (merged bytes, lv-check result) or None."""
    src = write(name + ".in.xml", dom_text)
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *args, "--domain", src)
    if not result(rc == 0 and out, "%s: merge exits 0" % name, "exit %d: %s" % (rc, err.strip())):
        return None
    merged = write(name + ".xml", out)
    plan = plan_of(args)
    try:
        res = lvcheck(merged, v11=v11)
    except RuntimeError as e:
        result(False, "%s: libvirt checks" % name, str(e))
        return None
    lv = "libvirt %s" % res["libvirt"]
    if valid_in:
        result(res["valid"], "%s: virt-xml-validate (%s)" % (name, lv), res["validate_error"])
    if not result(res["native_error"] is None, "%s: domxml-to-native (%s)" % (name, lv), res["native_error"]):
        return out, res
    bad = plan_matches(res, plan, global_link, ids)
    result(not bad, "%s: libvirt's argv has every port's link and every function as planned" % name,
           "; ".join(bad))
    bad = xml_collisions(out.decode()) + native_collisions(res)
    result(not bad, "%s: no collisions (indices, chassis, addresses, aliases, ids)" % name, "; ".join(bad))
    rc2, out2, err2 = pcilink("gen-libvirt-xml", *BASE, *args, "--domain", merged)
    result(rc2 == 0 and out2 == out, "%s: merging again changes nothing (byte for byte)" % name,
           "exit %d, %s" % (rc2, "same" if out2 == out else "differs"))
    hosts = hosts_of(plan)
    if same_rest:
        result(skeleton(dom_text, hosts, global_link) == skeleton(out.decode(), hosts, global_link),
               "%s: everything else in the domain is unchanged" % name)
    if extra:
        extra(out.decode(), res, plan)
    return out, res


# --- test groups ------------------------------------------------------------------------------

SELECTIONS = [
    ("gpu-nvme-gpu", ["03:00", "05:00.0", "07:00"]),
    ("split", ["--split-functions", "03:00", "04:00.0"]),
]


def real_domains(v11=False):
    files = sorted(f for f in os.listdir(DOMAINS) if f.startswith("q35-") and f.endswith(".xml"))
    for f in files:
        with open(os.path.join(DOMAINS, f)) as fh:
            text = fh.read()
        for sel, args in SELECTIONS if not v11 else SELECTIONS[:1]:
            tag = "%s %s%s" % (f[:-4], sel, " (11.3)" if v11 else "")
            check_merge(tag.replace(" ", "_"), text, args, v11=v11)


def replace_existing_hostdev():
    """A domain that already passes 04:00.0 (somewhere else, with the user's own settings)."""
    with open(os.path.join(DOMAINS, "q35-hostdev-defined.xml")) as f:
        text = f.read()
    text = text.replace("bus='0x01' slot='0x00' function='0x0'/>\n      </source>",
                        "bus='0x04' slot='0x00' function='0x0'/>\n      </source>\n      "
                        "<rom bar='off'/>")
    assert "bus='0x04'" in text

    def extra(out, res, plan):
        root = literal(out)
        hs = [h for h in root.iter("hostdev") if bdf_of(h.find("source/address")) == "0000:04:00.0"]
        result(len(hs) == 1, "existing hostdev: replaced, not duplicated", "%d hostdevs" % len(hs))
        if hs:
            h = hs[0]
            result(h.find("rom") is not None and h.get("managed") == "yes",
                   "existing hostdev: the user's <rom> and managed= kept")
    check_merge("existing-hostdev", text, ["04:00.0", "07:00"], extra=extra)


def comments_and_overrides():
    """Comments, a user's own <qemu:override> and <qemu:commandline>, another prefix binding."""
    with open(os.path.join(DOMAINS, "q35-rootports-defined.xml")) as f:
        text = f.read()
    text = text.replace("<domain type='qemu'>",
                        "<!-- made by hand: keep me -->\n<domain type='qemu' xmlns:q='%s'>" % QEMU_NS)
    text = text.replace("  <devices>\n", "  <devices>\n    <!-- the disks go here -->\n")
    text = text.replace("</domain>", "  <q:commandline>\n    <q:arg value='-no-hpet'/>\n"
                        "  </q:commandline>\n  <q:override>\n    <q:device alias='ua-existing-rp'>\n"
                        "      <q:frontend>\n        <q:property name='x-speed' type='string' "
                        "value='8'/>\n      </q:frontend>\n    </q:device>\n  </q:override>\n</domain>")

    def extra(out, res, plan):
        comments = re.findall(r"<!--.*?-->", out, re.S)
        result(comments == ["<!-- made by hand: keep me -->", "<!-- the disks go here -->"],
               "comments kept in place", repr(comments))
        result(out.count("override>") == 2 and "xmlns:qemu" not in out,
               "merged into the user's override under its own prefix 'q'")
        ex = res["ports"].get("ua-existing-rp", {})
        result(ex.get("x-speed") == "8" and "-no-hpet" in res["argv"],
               "the user's own override and commandline still reach QEMU", str(ex))
    check_merge("comments-overrides", text, ["03:00", "06:00.0"], extra=extra)


def undeclared_namespace():
    """A domain with <qemu:override> but no xmlns:qemu (libvirt drops it silently): pcilink fixes it."""
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        text = f.read()
    text = text.replace("</domain>", "  <qemu:override>\n    <qemu:device alias='ua-rp-06-00'>\n"
                        "      <qemu:frontend>\n        <qemu:property name='x-speed' type='unsigned' "
                        "value='2'/>\n      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n"
                        "</domain>")

    def extra(out, res, plan):
        result("xmlns:qemu=" in out.split(">", 1)[0] and not re.search(r"type=['\"]unsigned", out),
               "missing xmlns:qemu declared, the stale type='unsigned' property replaced")
    check_merge("undeclared-ns", text, ["06:00.0"], extra=extra)


def hotplug_off():
    def extra(out, res, plan):
        bad = [a for a in ("ua-rp-04-00",) if res["ports"].get(a, {}).get("hotplug") is not False]
        result(not bad, "--hotplug off reaches QEMU as hotplug=false", str(res["ports"].get("ua-rp-04-00")))
    with open(os.path.join(DOMAINS, "q35-default.xml")) as f:
        check_merge("hotplug-off", f.read(), ["--hotplug", "off", "04:00.0"], extra=extra)


def refusals():
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        good = f.read()
    with open(os.path.join(DOMAINS, "pc-i440fx.xml")) as f:
        pc = f.read()
    cases = [
        ("i440fx domain", pc, ["04:00.0"],
         "machine type 'pc' is not q35"),
        ("no machine type", good.replace(" machine='pc-q35-7.2'", ""), ["04:00.0"], "no machine type"),
        ("pci-root on q35", good.replace("model='pcie-root'", "model='pci-root'"), ["04:00.0"],
         "not a pcie-root"),
        ("alias on another device", good.replace("<memballoon model='virtio'>",
                                                 "<memballoon model='virtio'>\n      <alias name='ua-rp-04-00'/>"),
         ["04:00.0"], "alias 'ua-rp-04-00' belongs to a <memballoon>"),
        ("hostdev alias on another host device",
         good.replace("</devices>", "  <hostdev mode='subsystem' type='pci' managed='yes'><source>"
                      "<address domain='0x0000' bus='0x09' slot='0x00' function='0x0'/></source>"
                      "<alias name='ua-hostdev-04-00-0'/></hostdev>\n  </devices>"),
         ["04:00.0"], "alias 'ua-hostdev-04-00-0' belongs to a <hostdev type='pci'> that is not"),
        ("not well-formed", "<domain type='qemu'>\n  <devices>\n</domain>\n", ["04:00.0"],
         ":3: not well-formed XML: "),
        ("empty input", "", ["04:00.0"], ":1: not well-formed XML: "),
        ("not a domain", "<network><name>default</name></network>", ["04:00.0"],
         "not a libvirt domain: the root element is <network>"),
        ("libvirt 8.0, ports differ", good, ["--libvirt-version", "8.0", "03:00", "04:00.0"],
         "ports differ"),
    ]
    for name, text, args, want in cases:
        path = write("refuse.xml", text)
        rc, out, err = pcilink("gen-libvirt-xml", *BASE, *args, "--domain", path)
        first = err.strip().splitlines()[-1] if err.strip() else ""
        result(rc == 1 and not out and want in err and first.startswith("pcilink: gen-libvirt-xml: "),
               "refuses: %s" % name, "exit %d, stdout %d bytes, stderr: %s" % (rc, len(out), err.strip()))
    # libxml2's own messages never reach the terminal raw: one line, file and line number
    path = write("broken.xml", "<domain>\n<a>\n</b>\n</domain>\n")
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, "04:00.0", "--domain", path)
    result(rc == 1 and len(err.strip().splitlines()) == 1 and "broken.xml:3:" in err,
           "a parse error is one line naming the file and line", err.strip())
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, "04:00.0", "--domain", path, "-o", "json")
    result(rc == 2, "--domain with --format json is a usage error", "exit %d" % rc)
    # XXE: an external entity is neither fetched nor expanded
    secret = write("secret.txt", "TOPSECRET")
    path = write("xxe.xml", good.replace("<domain type='qemu'>", "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file://%s'>]>\n"
                                         "<domain type='qemu'>" % secret).replace("<name>pcilink-q35</name>",
                                                                                 "<name>&x;</name>"))
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, "04:00.0", "--domain", path)
    result(b"TOPSECRET" not in out, "external entities are not expanded", "exit %d" % rc)


def fallback():
    """libvirt < 8.2: -global when every port has one link (with a warning), else refused."""
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        text = f.read()
    args = ["--libvirt-version", "8.0", "04:00.0", "05:00.0"]
    src = write("fallback-warn.xml", text)
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *args, "--domain", src)
    result(rc == 0 and "every pcie-root-port of the VM" in err and b"<qemu:override" not in out,
           "libvirt 8.0: -global instead of <qemu:override>, with a warning", err.strip())
    plan = plan_of(args)
    link = (plan["ports"][0]["x_speed"], plan["ports"][0]["x_width"])
    got = check_merge("fallback-8.0", text, args, global_link=link)
    if got:
        boot_check("fallback-8.0 boot", write("fallback-boot.xml", got[0]), plan, global_link=link)
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, "--libvirt-version", "8.0", "--speed", "8",
                           "--width", "2", "03:00", "04:00.0")
    result(rc == 0 and b"pcie-root-port.x-speed=8" in out and b"every pcie-root-port" in out.lower(),
           "libvirt 8.0 snippet: <qemu:commandline> and a comment that says what -global does")


def boot_check(name, path, plan, v11=False, emulator=None, global_link=None):
    try:
        res = lvcheck(path, v11=v11, boot=True, emulator=emulator)
    except RuntimeError as e:
        return result(False, name, str(e))
    g = res.get("guest", {})
    if not result(g.get("ok"), "%s: define, start, direct kernel boot through libvirt %s" % (name, res["libvirt"]),
                  str(g.get("error")) + " " + str(g.get("qemu_log", ""))[-400:]):
        return False
    bad = []
    for p in plan["ports"]:
        if p["x_speed"] is None:
            continue
        gp = g["ports"].get("ua-" + p["id"])
        want = (p["x_speed"], p["x_width"]) if global_link is None else global_link
        if gp is None:
            bad.append("guest has no port for ua-%s" % p["id"])
        elif (gp["x-speed"], gp["x-width"]) != want:
            bad.append("ua-%s: guest sees %s x%s, plan %s x%s" % (p["id"], gp["max_link_speed"],
                                                                  gp["max_link_width"], *want))
        elif len(gp.get("below", [])) != len(p["functions"]):
            bad.append("ua-%s: %d functions below, plan %d" % (p["id"], len(gp.get("below", [])),
                                                               len(p["functions"])))
    return result(not bad, "%s: the guest sees each planned link on its root port (%.1f s)"
                  % (name, res["timings"].get("boot") or 0), "; ".join(bad))


def byte_diff():
    """The issue's diff: a dumpxml domain (single quotes) and a CRLF copy with a BOM and '<x />':
    diff -u shows pcilink's lines and, changed, only the <domain> line (xmlns:qemu added)."""
    import difflib
    with open(os.path.join(DOMAINS, "q35-default-defined.xml"), "rb") as f:
        dumpxml = f.read()
    crlf = b"\xef\xbb\xbf" + dumpxml.replace(b"/>\n", b" />\n").replace(b"\n", b"\r\n")
    for name, text in (("dumpxml", dumpxml), ("crlf-bom", crlf)):
        src = write("diff-%s.xml" % name, text)
        rc, out, err = pcilink("gen-libvirt-xml", *BASE, "03:00", "06:00.0", "--domain", src)
        a, b = text.decode("utf-8-sig").splitlines(True), out.decode("utf-8-sig").splitlines(True)
        removed = [l for l in difflib.ndiff(a, b) if l.startswith("- ")]
        added = [l for l in difflib.ndiff(a, b) if l.startswith("+ ")]
        result(rc == 0 and len(removed) == 1 and removed[0].startswith("- <domain ") and
               out.startswith(text[:3]) and all(l.endswith("\r\n") == (name == "crlf-bom") for l in b) and
               (name != "crlf-bom" or b" />" in out.split(b"ua-rp-03-00")[1][:200]),
               "byte diff (%s): only the <domain> line changes, %d lines added in the document's style"
               % (name, len(added)), "".join(removed[:3]) + err)


def subset_remerge_boot():
    """Merge four devices, then again naming one: no byte changes; the guest sees every port,
    each with its link and its device (nothing at a function of a slot without function 0)."""
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        text = f.read()
    full = ["03:00", "04:00.0", "05:00.0", "06:00.0"]
    src = write("subset-in.xml", text)
    rc, first, err = pcilink("gen-libvirt-xml", *BASE, *full, "--domain", src)
    if not result(rc == 0, "subset: four devices merge", err):
        return
    once = write("subset-1.xml", first)
    rc, again, err = pcilink("gen-libvirt-xml", *BASE, "05:00.0", "--domain", once)
    result(rc == 0 and again == first, "subset: merging only the third again changes no byte",
           "exit %d, %s" % (rc, "same" if again == first else "differs"))
    boot_check("subset re-merge boot", write("subset-2.xml", again), plan_of(full))


def unaddressed_start():
    """Devices without <address>: at define time libvirt adds root ports for them at indices above
    every other, each with the chassis of its index. Here the user's port has chassis 3, which
    the input alone never collides with, but pcilink's second port gets index 3: its chassis must
    not become 4, where libvirt's own next port lands. Defined and started in QEMU through libvirt."""
    text = ("<domain type='qemu'>\n  <name>pcilink-unaddressed</name>\n  <memory unit='MiB'>512</memory>\n"
            "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n  <devices>\n"
            "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
            "    <controller type='pci' index='0' model='pcie-root'/>\n"
            "    <controller type='pci' index='1' model='pcie-root-port'>\n      <target chassis='3'/>\n"
            "    </controller>\n    <controller type='usb' model='none'/>\n"
            "    <interface type='user'><model type='virtio'/></interface>\n"
            "    <interface type='user'><model type='virtio'/></interface>\n"
            "    <memballoon model='none'/>\n  </devices>\n</domain>\n")
    try:
        res = lvcheck(write("unaddressed-in.xml", text))
    except RuntimeError as e:
        return result(False, "unaddressed: the input converts", str(e))
    if not result(res["native_error"] is None and not native_collisions(res),
                  "unaddressed: the input alone converts without a chassis twice",
                  str(res["native_error"]) + "; ".join(native_collisions(res))):
        return
    args = ["04:00.0", "06:00.0"]
    got = check_merge("unaddressed", text, args)
    if got:
        boot_check("unaddressed devices: define + start + boot", write("unaddressed-boot.xml", got[0]),
                   plan_of(args))


def defects_in_libvirt():
    """Each defect of issue 11 as libvirt sees the result (domxml-to-native): the user's alias and
    override on an existing hostdev, 'qemu' bound to another URI (libvirt's own test
    qemu-ns-domain-commandline), two overrides, index='010', -global of an older merge replaced,
    pcilink's stale ports after --split-functions."""
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        base = f.read()
    dev = ("    <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source>\n"
           "        <address domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>\n      </source>\n"
           "      <alias name='ua-mygpu'/>\n    </hostdev>\n  </devices>")
    ov = ("  <qemu:override>\n    <qemu:device alias='ua-mygpu'>\n      <qemu:frontend>\n"
          "        <qemu:property name='x-no-mmap' type='bool' value='true'/>\n"
          "      </qemu:frontend>\n    </qemu:device>\n  </qemu:override>\n</domain>")
    text = base.replace("  </devices>", dev).replace("</domain>", ov).replace(
        "<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='%s'>" % QEMU_NS)

    def alias_kept(out, res, plan):
        h = [d for d in res["devices"] if d.get("id") == "ua-mygpu"]
        result(len(h) == 1 and h[0].get("x-no-mmap") is True and h[0].get("bus") == "ua-rp-04-00",
               "user alias: ua-mygpu kept, on pcilink's port, its own override still applied", str(h))
    check_merge("user-alias", text, ["04:00.0"], extra=alias_kept, ids={"0000:04:00.0": "ua-mygpu"})

    text = base.replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='urn:dummy'>").replace(
        "</domain>", "  <qemu:commandline xmlns:qemu='%s'>\n    <qemu:arg value='-no-hpet'/>\n"
        "  </qemu:commandline>\n</domain>" % QEMU_NS)
    check_merge("ns-other-uri", text, ["06:00.0"],
                extra=lambda out, res, plan: result("-no-hpet" in res["argv"],
                                                    "ns by URI: the user's commandline still applies"))

    two = ("  <qemu:override>\n    <qemu:device alias='ua-rp-06-00'>\n      <qemu:frontend>\n"
           "        <qemu:property name='x-speed' type='string' value='2_5'/>\n      </qemu:frontend>\n"
           "    </qemu:device>\n  </qemu:override>\n")
    text = base.replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='%s'>" % QEMU_NS).replace(
        "</domain>", two + two.replace("2_5", "5") + "</domain>")
    # libvirt's schema allows one override, its parser reads all: the input is not valid either
    check_merge("two-overrides", text, ["06:00.0"], valid_in=False)   # the link libvirt passes

    text = base.replace("<controller type='pci' index='14' model='pcie-root-port'>",
                        "<controller type='pci' index='014' model='pcie-root-port'>")
    assert "index='014'" in text
    check_merge("index-010", text, ["06:00.0"])       # collisions: no second index 14

    src = write("global-in.xml", base)
    rc, old, err = pcilink("gen-libvirt-xml", *BASE, "--libvirt-version", "8.0", "06:00.0", "--domain", src)
    check_merge("global-replaced", old.decode(), ["06:00.0"], same_rest=False,
                extra=lambda out, res, plan: result(
                    not any("pcie-root-port.x-" in a for a in res["argv"]) and "commandline" not in out,
                    "-global of an older merge replaced by the override"))

    src = write("split-in.xml", base)
    rc, once, err = pcilink("gen-libvirt-xml", *BASE, "03:00", "--domain", src)
    check_merge("split-after", once.decode(), ["--split-functions", "03:00"],
                extra=lambda out, res, plan: result("ua-rp-03-00" not in res["ports"] and
                                                    "'ua-rp-03-00'" not in out,
                                                    "--split-functions after a merge: the old port is gone"))


def boots():
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        text = f.read()
    args = ["--split-functions", "03:00", "06:00.0"]
    src = write("boot-in.xml", text)
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *args, "--domain", src)
    if not result(rc == 0, "boot domain merges", err):
        return
    return write("boot.xml", out), plan_of(args)


PIPE = r"""
U=$LV_DAEMON_URI
virsh -q -c "$U" undefine "$2" >/dev/null 2>&1 || :
virsh -q -c "$U" define "$1" >/dev/null
for i in 1 2; do
    virsh -q -c "$U" dumpxml "$2" |
        "$3" gen-libvirt-xml -F "$4" --qemu-version 7.2 --split-functions 03:00 05:00.0 --domain - |
        virsh -q -c "$U" define /dev/stdin >/dev/null
    virsh -q -c "$U" dumpxml --inactive "$2" >"$5.$i"
done
virsh -q -c "$U" undefine "$2" >/dev/null
"""


def many_ports():
    """A second merge of a domain with 48 of pcilink's ports (a synthetic host of 80 functions,
    each on its own port): the merge once tracked at most 64 elements that get children and
    failed with "out of memory" from 33 ports on."""
    pre = os.path.join(TMP, "host80")
    subprocess.run([sys.executable, SYNTH, "80", pre], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    base = ["-F", pre + ".dump", "--qemu-version", "7.2", "--first-addr", "0x02", "--split-functions", "--all"]
    with open(os.path.join(DOMAINS, "q35-default.xml")) as f:
        src = write("many.in.xml", f.read())
    rc, out, err = pcilink("gen-libvirt-xml", *base, "--domain", src)
    ports = len(re.findall(r"<alias name=[\"']ua-rp-", out.decode()))
    if not result(rc == 0 and ports == 48, "many ports: the first merge gives 48 ports",
                  "exit %d, %d ports: %s" % (rc, ports, err.strip()[-300:])):
        return
    merged = write("many.xml", out)
    rc2, out2, err2 = pcilink("gen-libvirt-xml", *base, "--domain", merged)
    result(rc2 == 0 and out2 == out, "many ports: merging again changes nothing (byte for byte)",
           "exit %d, %s: %s" % (rc2, "same" if out2 == out else "differs", err2.strip()[-300:]))
    rc, pj, err = pcilink("gen-libvirt-xml", *base, "-o", "json")
    try:
        res = lvcheck(merged)
    except RuntimeError as e:
        result(False, "many ports: libvirt checks", str(e))
        return
    result(res["valid"] and res["native_error"] is None, "many ports: libvirt %s validates and converts it"
           % res["libvirt"], "%s %s" % (res["validate_error"], res["native_error"]))
    bad = plan_matches(res, json.loads(pj)) if rc == 0 else ["plan: exit %d" % rc]
    result(not bad, "many ports: libvirt's argv has all 48 ports and functions as planned", "; ".join(bad[:5]))


def pipeline():
    """The issue's pipeline, literally, against a private libvirtd (virt-install's domain):
    virsh dumpxml vm | pcilink gen-libvirt-xml --domain - ... | virsh define /dev/stdin, twice;
    libvirt's stored domain is the same after the second pass."""
    name = "pcilink-pipe-%d" % os.getpid()
    with open(os.path.join(DOMAINS, "q35-hostdev.xml")) as f:
        text = f.read()
    text = re.sub(r"<name>.*?</name>", "<name>%s</name>" % name, text)
    text = re.sub(r"<uuid>.*?</uuid>\s*", "", text)
    src = write("pipe.xml", text)
    outp = os.path.join(TMP, "pipe-stored")
    r = run([LV, "daemon", "bash", "-e", "-o", "pipefail", "-c", PIPE, "pipe", src, name, PCILINK,
             EXAMPLE, outp], timeout=900)
    if not result(r.returncode == 0, "pipeline: virsh dumpxml | pcilink --domain - | virsh define /dev/stdin "
                  "(private libvirtd), twice", r.stderr.decode().strip()[-600:]):
        return
    stored = []
    for i in (1, 2):
        with open("%s.%d" % (outp, i)) as f:
            stored.append(f.read())
    s = stored[0]
    ok = all("ua-rp-%s" % p in s for p in ("03-00-0", "03-00-1", "05-00-0")) and "<qemu:override>" in s
    result(ok, "pipeline: libvirt stored the ports, aliases and override")
    result(stored[0] == stored[1], "pipeline: the second pass leaves libvirt's domain unchanged")


def fresh_virt_install():
    """Domains virt-install makes now (make-domains.sh into a temp dir), merged and checked."""
    if not shutil.which("virt-install"):
        return skip("fresh virt-install domains", "virt-install not installed (package virtinst)")
    out = os.path.join(TMP, "fresh")
    r = run(["sh", os.path.join(DOMAINS, "make-domains.sh"), out], timeout=900)
    if r.returncode != 0:
        return skip("fresh virt-install domains", "make-domains.sh failed: " + r.stderr.decode()[-300:])
    for f in ("q35-hostdev.xml", "q35-rootports-defined.xml"):
        with open(os.path.join(out, f)) as fh:
            check_merge("fresh-" + f[:-4], fh.read(), ["--split-functions", "03:00", "07:00.0"])


def qemu10():
    """<emulator> is the QEMU the plan is for when no --qemu/--qemu-version is given: 32 GT/s."""
    r = run(["sh", os.path.join(TOP, "tests", "qemu", "setup-qemu10.sh")], timeout=900)
    if r.returncode != 0:
        return skip("QEMU 10 emulator", (r.stderr.decode().strip() or "setup-qemu10.sh failed")[-300:])
    q10 = r.stdout.decode().strip()
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        text = f.read().replace("/usr/bin/qemu-system-x86_64", q10)
    src = write("q10-in.xml", text)
    rc, out, err = pcilink("gen-libvirt-xml", "-F", EXAMPLE, "--domain", src, "05:00.0")
    if not result(rc == 0 and re.search(rb"value=['\"]32['\"]", out),
                  "the domain's <emulator> (QEMU 10) is the target: x-speed 32 for a Gen5 link", err):
        return
    path = write("q10.xml", out)
    try:
        res = lvcheck(path, emulator=q10)
    except RuntimeError as e:
        return result(False, "QEMU 10 conversion", str(e))
    result(res["ports"].get("ua-rp-05-00", {}).get("x-speed") == "32",
           "libvirt %s with QEMU 10 passes x-speed \"32\"" % res["libvirt"], str(res.get("native_error")))
    plan = {"ports": [{"id": "rp-05-00", "x_speed": "32", "x_width": "4",
                       "functions": [{"host": "0000:05:00.0"}]}]}
    boot_check("QEMU 10 boot", path, plan, emulator=q10)


def snippet():
    """The snippet pasted into a real domain: valid, converted, ports as planned, no collisions."""
    args = ["03:00", "05:00.0", "06:00.0"]
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *args)
    if not result(rc == 0, "snippet exits 0", err):
        return
    text = out.decode()
    pieces = re.findall(r"<(controller|hostdev|qemu:override)\b.*?</\1>", text, re.S)
    whole = re.findall(r"(<(controller|hostdev|qemu:override)\b.*?</\2>)", text, re.S)
    ok = True
    for piece, _ in whole:
        try:
            xml.dom.minidom.parseString(piece)
        except Exception as e:  # noqa: BLE001 - any parse error fails the check
            ok = False
            print("  not well-formed on its own:", piece[:60], e)
    result(ok and len(pieces) == 3 + 4 + 1, "snippet: each element is well-formed XML on its own")
    result("xmlns:qemu" in text.split("-->", 1)[0], "snippet: the comment says <domain> needs xmlns:qemu")
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        dom = f.read()
    devs = "".join(p for p, t in whole if t != "qemu:override")
    ov = [p for p, t in whole if t == "qemu:override"][0]
    dom = dom.replace("</devices>", devs + "</devices>").replace("</domain>", ov + "</domain>")
    dom = dom.replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='%s'>" % QEMU_NS)
    path = write("snippet-dom.xml", dom)
    try:
        res = lvcheck(path)
    except RuntimeError as e:
        return result(False, "snippet in a domain", str(e))
    plan = plan_of(args)
    result(res["valid"] and res["native_error"] is None, "snippet pasted into a virt-install domain: valid, converts",
           "%s %s" % (res["validate_error"], res["native_error"]))
    bad = plan_matches(res, plan) + native_collisions(res)
    result(not bad, "snippet in that domain: ports and functions as planned, no chassis collision", "; ".join(bad))


NUMA_ARGS = ["--numa", "--numa-node", "03:00=1", "--numa-node", "07:00=0", "--split-functions",
             "03:00", "07:00.0", "05:00.0"]


def numa_domain(cells):
    """q35-default-defined.xml with 512 MiB split into NUMA cells 0..cells-1 (one vCPU each)."""
    with open(os.path.join(DOMAINS, "q35-default-defined.xml")) as f:
        dom = f.read()
    kib = 524288 // cells
    numa = "".join("<cell id='%d' cpus='%d' memory='%d' unit='KiB'/>" % (i, i, kib) for i in range(cells))
    dom = re.sub(r"<memory unit='KiB'>\d+</memory>", "<memory unit='KiB'>524288</memory>", dom)
    dom = re.sub(r"<currentMemory unit='KiB'>\d+</currentMemory>", "<currentMemory unit='KiB'>524288</currentMemory>", dom)
    dom = re.sub(r"<vcpu placement='static'>\d+</vcpu>", "<vcpu placement='static'>%d</vcpu>" % cells, dom)
    return dom.replace("</cpu>", "<numa>%s</numa></cpu>" % numa)


def numa_snippet():
    """--numa's snippet pasted into a domain with NUMA cells: valid, converted to pxb-pcie with the
    planned bus_nr and node, ports on their expander; booted, the guest sees each device on its
    node. Without the cell libvirt refuses, as the snippet's comment says."""
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *NUMA_ARGS)
    if not result(rc == 0 and "must define NUMA cells 0 to 1" in err, "numa snippet exits 0, names the cells", err):
        return
    plan = plan_of(NUMA_ARGS)
    text = out.decode()
    whole = re.findall(r"(<(controller|hostdev|qemu:override)\b.*?</\2>)", text, re.S)
    devs = "".join(p for p, t in whole if t != "qemu:override")
    ov = [p for p, t in whole if t == "qemu:override"][0]
    result(len(re.findall(r"model=\"pcie-expander-bus\"", devs)) == 2 and "<cell id='0'> to <cell id='1'>" in text,
           "numa snippet: two pcie-expander-bus controllers and a comment naming the cells")

    def paste(dom):
        dom = dom.replace("</devices>", devs + "</devices>").replace("</domain>", ov + "</domain>")
        return dom.replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='%s'>" % QEMU_NS)
    path = write("numa-snippet.xml", paste(numa_domain(2)))
    try:
        res = lvcheck(path, boot=True, boot_timeout=300)  # two vCPUs under TCG: 10 s idle, 90 s loaded
    except RuntimeError as e:
        return result(False, "numa snippet in a domain", str(e))
    lv = "libvirt %s" % res["libvirt"]
    result(res["valid"] and res["native_error"] is None, "numa snippet in a domain with two cells: valid, converts (%s)" % lv,
           "%s %s" % (res["validate_error"], res["native_error"]))
    pxb = {d.get("id"): d for d in res["devices"] if d.get("driver") == "pxb-pcie"}
    bad = []
    for x in plan["expander_buses"]:
        d = pxb.get("ua-" + x["id"])
        if not d or (d.get("bus_nr"), d.get("numa_node"), d.get("bus")) != (x["bus_nr"], x["guest_numa_node"], "pcie.0"):
            bad.append("%s: libvirt has %s, plan bus_nr %d node %d" % (x["id"], d, x["bus_nr"], x["guest_numa_node"]))
    for p in plan["ports"]:
        q = res["ports"].get("ua-" + p["id"], {})
        want = "ua-" + p["bus"] if p["bus"] != "pcie.0" else "pcie.0"
        if q.get("bus") != want or (q.get("x-speed"), q.get("x-width")) != (p["x_speed"], p["x_width"]):
            bad.append("ua-%s: on %s with %s/%s, plan %s %s/%s" % (p["id"], q.get("bus"), q.get("x-speed"),
                                                                 q.get("x-width"), want, p["x_speed"], p["x_width"]))
    result(not bad, "numa snippet: libvirt's argv has each expander's bus_nr and node, each port on its "
           "expander with its link (%s)" % lv, "; ".join(bad[:4]))
    g = res.get("guest", {})
    if result(g.get("ok"), "numa snippet: define, start, boot the tiny guest (%s)" % lv, str(g.get("error"))):
        bad = []
        for p in plan["ports"]:
            gp = g["ports"].get("ua-" + p["id"])
            want = p["guest_numa_node"] if p["guest_numa_node"] is not None else -1
            if not gp:
                bad.append("no guest port for ua-%s" % p["id"])
                continue
            nodes = [gp.get("numa_node")] + [b.get("numa_node") for b in gp.get("below") or []]
            if (gp["x-speed"], gp["x-width"]) != (p["x_speed"], p["x_width"]) or set(nodes) != {want} \
                    or len(nodes) != 1 + len(p["functions"]):
                bad.append("ua-%s: guest %s/%s nodes %s, plan %s/%s node %s" % (
                    p["id"], gp["x-speed"], gp["x-width"], nodes, p["x_speed"], p["x_width"], want))
        result(not bad, "numa snippet: the guest sees each port's link and each port and device on its "
               "planned node", "; ".join(bad[:4]))
    path = write("numa-snippet-1cell.xml", paste(numa_domain(1)))
    try:
        res = lvcheck(path)
    except RuntimeError as e:
        return result(False, "numa snippet, one cell", str(e))
    result(res["native_error"] is not None, "numa snippet in a domain without cell 1: libvirt refuses it "
           "(%s)" % str(res["native_error"])[:120])


def numa_merge():
    """--numa merged into a domain with two cells: the whole merge check, expanders with the
    planned node, booted; one cell short: pcilink refuses with one line."""
    got = check_merge("numa-merge", numa_domain(2), NUMA_ARGS)
    if not got:
        return
    out, res = got
    plan = plan_of(NUMA_ARGS)
    pxb = {d.get("id"): d for d in res["devices"] if d.get("driver") == "pxb-pcie"}
    want = {"ua-" + x["id"]: x["guest_numa_node"] for x in plan["expander_buses"]}
    result({k: v.get("numa_node") for k, v in pxb.items()} == want,
           "numa-merge: one pcie-expander-bus per guest node, with that node", str(pxb))
    path = write("numa-merge-boot.xml", out)
    try:
        res = lvcheck(path, boot=True, boot_timeout=300)
    except RuntimeError as e:
        return result(False, "numa-merge boot", str(e))
    g = res.get("guest", {})
    if result(g.get("ok"), "numa-merge: define, start, boot the tiny guest", str(g.get("error"))):
        bad = []
        for p in plan["ports"]:
            gp = g["ports"].get("ua-" + p["id"])
            node = p["guest_numa_node"] if p["guest_numa_node"] is not None else -1
            nodes = [gp.get("numa_node")] + [b.get("numa_node") for b in gp.get("below") or []] if gp else []
            if not gp or set(nodes) != {node} or (gp["x-speed"], gp["x-width"]) != (p["x_speed"], p["x_width"]):
                bad.append("ua-%s: %s" % (p["id"], gp and (gp["x-speed"], gp["x-width"], nodes)))
        result(not bad, "numa-merge: the guest sees each port's link and each device on its planned node",
               "; ".join(bad[:4]))
    src = write("numa-merge-1cell.xml", numa_domain(1))
    rc, out, err = pcilink("gen-libvirt-xml", *BASE, *NUMA_ARGS, "--domain", src)
    result(rc == 1 and not out and err.count("\n") == 1 + err.count("warning:") and "no NUMA cell 1" in err,
           "numa-merge: a domain without cell 1 is refused with one line", err)


def main():
    if os.geteuid() != 0:
        print("SKIP libvirt suite: needs root (embedded QEMU driver)")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    for t in ("virsh", "virt-xml-validate"):
        if not shutil.which(t):
            print("SKIP libvirt suite: %s not installed (tests/deps.sh test)" % t)
            print("0 passed, 0 failed, 1 skipped")
            return 0
    t0 = time.monotonic()
    only = os.environ.get("PCILINK_LV_ONLY")   # e.g. "byte_diff unaddressed_start": just those
    if only:
        run([LV, "setup"], timeout=900)
        for name in only.split():
            globals()[name]()
        return T.summary()
    r = run([LV, "setup"], timeout=900)
    if r.returncode != 0:
        result(False, "libvirt 9.0 embedded driver", r.stderr.decode())
    else:
        real_domains()
        replace_existing_hostdev()
        comments_and_overrides()
        undeclared_namespace()
        hotplug_off()
        refusals()
        byte_diff()
        defects_in_libvirt()
        subset_remerge_boot()
        unaddressed_start()
        snippet()
        numa_snippet()
        numa_merge()
        many_ports()
        fallback()
        pipeline()
        got = boots()
        if got:
            boot_check("q35 boot", *got)
        fresh_virt_install()
        qemu10()
    r = run([os.path.join(HERE, "setup-libvirt11.sh")], timeout=900)
    if r.returncode != 0:
        skip("libvirt 11.3", (r.stderr.decode().strip() or "setup-libvirt11.sh failed")[-300:])
    else:
        real_domains(v11=True)
        check_merge("numa-merge_(11.3)", numa_domain(2), NUMA_ARGS, v11=True)
        got = boots()
        if got:
            boot_check("q35 boot (11.3)", *got, v11=True)
    print("libvirt suite: %.0f s" % (time.monotonic() - t0))
    shutil.rmtree(TMP, ignore_errors=True)
    return T.summary()


sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The PCI part of the QEMU command line qemu-server (Proxmox VE) builds for a VM config.

Proxmox cannot run here, so this rebuilds what REFERENCE.md 8.4 says qemu-server does with a
VM config, as QEMU arguments (one per line, or NUL-separated with --nul) that
tests/qemu/qemu-check.py runs on a real QEMU:

- machine q35 (or pc-q35-X.Y): -readconfig of this folder's pve-q35-4.0.cfg (X.Y >= 4.0 or
  unpinned; root ports ich9-pcie-port-1..4 at 1c.0-1c.3, pcie-root-port 16/x32) or pve-q35.cfg
  (older: the same ports as ioh3420), both written from those facts, plus the pcidmi/pci.0
  bridge for pcie=0 entries;
- hostpciN in index order: with pcie=1 and N >= 4, first
  "-device pcie-root-port,id=ich9-pcie-port-(N+1),addr=...,x-speed=16,x-width=32,
  multifunction=on,bus=pcie.0,port=N+1,chassis=N+1" (10.0-10.7 for 4-11, 11.0-11.3 for 12-15);
  then one vfio-pci per host function on bus ich9-pcie-port-(N+1) at addr 0x0 (several functions:
  ids hostpciN.J at 0x0.J, J counting from 0 in listed order, multifunction=on on the first),
  or, without pcie=1, on pci.0 (hostpci0-2 at 0x10, 0x11, 0x1b; others without addr=, where QEMU
  picks the slot: their real address is not modelled); rombar=0, x-vga=on (not
  with bios: ovmf) and romfile= on the first function only; host ids "BB:DD" (every function)
  expand through --functions; mapping=NAME through --mapping pci.cfg and --node;
- then the args: value, last, split by the Perl here as PVE::Tools::split_args splits it
  (Text::ParseWords::shellwords; nothing when a quote runs to the end).

Not modelled: every other device qemu-server adds (disks, NICs, VGA, USB), the machine's own
options (the harness chooses plain q35), win7's pcie.0 placement, mediated devices.
usage: qm-cmdline.py [--nul] [--functions BDF,...] [--mapping FILE --node NAME] VMID.conf
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCI0 = {0: "0x10", 1: "0x11", 2: "0x1b"}


def split_args(value):
    """PVE::Tools::split_args, by Perl's own Text::ParseWords."""
    out = subprocess.run(["perl", "-MText::ParseWords", "-e", 'print map { "$_\\0" } shellwords($ARGV[0])', "--",
                          value], capture_output=True, check=True).stdout
    return [w.decode("utf-8", "surrogateescape") for w in out.split(b"\0")[:-1]]


def live_config(text):
    """key -> value of the live config (before the first [section]), as parse_vm_config reads it."""
    conf = {}
    for line in text.split("\n"):
        if re.match(r"^\[[^\]]*\]\s*$", line):
            break
        m = re.match(r"^([a-z][a-z_\-]*\d*):\s*(.+?)\s*$", line)
        if m and not line.startswith("#"):
            conf[m.group(1)] = m.group(2)
    return conf


def mappings(path, node):
    """mapping id -> path on this node (the first map line for it) of a pci.cfg."""
    out, cur = {}, None
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            cur = line.strip()
            continue
        words = line.split(None, 1)
        if words[0] != "map" or cur in out:
            continue
        kv = dict(x.split("=", 1) for x in words[1].strip().split(",") if "=" in x)
        if kv.get("node") == node:
            out[cur] = kv["path"]
    return out


def full_id(i):
    return i if i.count(":") == 2 else "0000:" + i


def expand(ids, functions):
    """HOSTPCIID list -> host functions, 'BB:DD' meaning every function of that device."""
    out = []
    for i in ids.split(";"):
        i = full_id(i)
        if "." in i:
            out.append(i)
        else:
            out += sorted(f for f in functions if f.startswith(i + "."))
    return out


def port_addr(n):
    return "10.%d" % (n - 4) if n < 12 else "11.%d" % (n - 12)


def build(text, functions, maps):
    conf = live_config(text)
    machine = conf.get("machine", "").split(",")[0].replace("type=", "")
    if "q35" not in machine:
        raise SystemExit("qm-cmdline: only q35 VMs are modelled (machine: %r)" % machine)
    m = re.match(r"pc-q35-(\d+)\.(\d+)", machine)
    old = m and (int(m.group(1)), int(m.group(2))) < (4, 0)
    argv = ["-readconfig", os.path.join(HERE, "pve-q35.cfg" if old else "pve-q35-4.0.cfg")]
    for n in range(16):
        v = conf.get("hostpci%d" % n)
        if not v:
            continue
        opts, host = {}, None
        for tok in v.split(","):
            k, eq, val = tok.partition("=")
            if not eq or k == "host":
                host = val if eq else k
            else:
                opts[k] = val
        if "mapping" in opts:
            host = maps[opts["mapping"]]
        fns = expand(host, functions)
        if not fns:
            raise SystemExit("qm-cmdline: hostpci%d: no host function for %r (give --functions)" % (n, host))
        if opts.get("pcie") in ("1", "on", "yes", "true"):
            bus = "ich9-pcie-port-%d" % (n + 1)
            if n >= 4:
                argv += ["-device", "pcie-root-port,id=%s,addr=%s,x-speed=16,x-width=32,multifunction=on,"
                         "bus=pcie.0,port=%d,chassis=%d" % (bus, port_addr(n), n + 1, n + 1)]
            addr = "0x0"
        else:
            bus, addr = "pci.0", PCI0.get(n)   # QEMU picks a slot where the address is not modelled
        multi = len(fns) > 1
        for j, f in enumerate(fns):
            mf = ".%d" % j if multi else ""
            dev = "vfio-pci,host=%s,id=hostpci%d%s,bus=%s" % (f, n, mf, bus) + (",addr=%s%s" % (addr, mf) if addr else "")
            if j == 0:
                if opts.get("rombar") in ("0", "off", "no", "false"):
                    dev += ",rombar=0"
                if opts.get("x-vga") in ("1", "on", "yes", "true") and conf.get("bios") != "ovmf":
                    dev += ",x-vga=on"
                if multi:
                    dev += ",multifunction=on"
                if opts.get("romfile"):
                    dev += ",romfile=/usr/share/kvm/" + opts["romfile"]
            argv += ["-device", dev]
    if conf.get("args"):
        argv += split_args(conf["args"])
    return argv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nul", action="store_true", help="NUL-separated output")
    ap.add_argument("--functions", default="", help="host functions, for ids without a function")
    ap.add_argument("--mapping", help="pci.cfg for mapping= entries")
    ap.add_argument("--node", default="pve", help="node of the map lines (pve)")
    ap.add_argument("conf")
    o = ap.parse_args()
    text = sys.stdin.read() if o.conf == "-" else open(o.conf).read()
    fns = [full_id(f) for f in o.functions.split(",") if f]
    argv = build(text, fns, mappings(o.mapping, o.node) if o.mapping else {})
    sep = "\0" if o.nul else "\n"
    sys.stdout.write(sep.join(argv) + sep)


if __name__ == "__main__":
    main()

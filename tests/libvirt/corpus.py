#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-libvirt-xml --domain on libvirt's own test domains (Debian 12's libvirt source package,
tests/qemuxml2argvdata and tests/qemuxml2xmloutdata, fetched by fetch-libvirt-src.sh).

Inputs: every q35 domain, and every x86 domain that libvirt converts (domxml-to-native) once its
machine is switched to q35. Each is merged with several selections. Each output: exit 0 or a
clean refusal (one line, nothing on stdout, a known reason); valid where the input is
(virt-xml-validate's schema); merging again gives the same bytes; no index, chassis, alias or
root-bus address twice that was not twice in the input; every input element kept; the input's
bytes all still there in order (only additions) unless pcilink updated a host device the input
already had; converts with domxml-to-native wherever the input converts, with x-speed/x-width
as strings on each planned port. pcilink check (issue 12): every converted domain, inputs and
merged outputs of one selection, read with --domain and libvirt's argv for it read with --qemu-cmdline give the
same findings (code, host function, guest device), and check never errs on either (exit 0 or 3),
apart from CHECK_EXCLUDED. The conversions run batched in one virsh per few hundred files;
PCILINK_CORPUS_NATIVE=N converts only every Nth switched x86 input (q35 inputs always).
Prints 'N passed, N failed[, N skipped]' and the time taken; one line per failing check.
"""
import collections
import concurrent.futures
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
PCILINK = os.path.join(TOP, "pcilink")
LV = os.path.join(HERE, "lv.sh")
EXAMPLE = os.path.join(TOP, "examples", "gpu-workstation.lspci")
SCHEMA = "/usr/share/libvirt/schemas/domain.rng"
BASE = ["gen-libvirt-xml", "-F", EXAMPLE, "--qemu-version", "7.2"]
SELECTIONS = [
    ("three", ["03:00", "05:00.0", "07:00"]),
    ("split", ["--split-functions", "03:00", "04:00.0"]),
    ("one", ["06:00.0"]),
]
# refusals that are right for some of libvirt's test domains
REFUSALS = ("another device sits on bus", "no free slot on pcie-root", "not 0 to 255",
            "is already assigned as an <interface type='hostdev'>", "two <hostdev> elements",
            "belongs to a", "is on two elements", "not a pcie-root")
# differences between --domain and libvirt's argv that check cannot know from the domain alone:
# (domain, reason); every entry must still match a differing domain (a stale one fails)
CHECK_EXCLUDED = (
    ("rgv/q35-multifunction", "controllers without index: libvirt numbers them when it defines the "
     "domain (its pci.6 at 00:04.0 multifunction='off' beside 04.1, which QEMU refuses); check reads "
     "the defined domain ('virsh dumpxml') and skips a controller it cannot name"),
)
CHECK_SELECTION = "three"     # the merged outputs checked too (all three cost ~60 s more)
CHECK = [PCILINK, "check", "--qemu-version", "7.2", "--dump", EXAMPLE, "-o", "json"]
NATIVE_EVERY = int(os.environ.get("PCILINK_CORPUS_NATIVE", "1"))

sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from testlib import Tally, literal_xml  # noqa: E402

spec = importlib.util.spec_from_file_location("lvcheck", os.path.join(HERE, "lv-check.py"))
lvcheck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lvcheck)

T = Tally()
TMP = tempfile.mkdtemp(prefix="pcilink-corpus.")
fails = collections.Counter()
NATIVE_ERR = {}


def bad(name, what, detail=""):
    """A failing check: counted per kind, printed."""
    fails[what] += 1
    print("FAIL %s: %s %s" % (name, what, detail))


def run(cmd, stdin=None, timeout=600):
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def for_native(text):
    """A copy libvirt converts here: this machine's QEMU, type qemu, vfio host devices."""
    text = re.sub(rb"<emulator>.*?</emulator>", b"<emulator>/usr/bin/qemu-system-x86_64</emulator>", text,
                  count=1, flags=re.S)
    text = re.sub(rb"(<domain\b[^>]*\btype=)(['\"])kvm\2", rb"\1\2qemu\2", text, count=1)
    t, _ = lvcheck.add_vfio(text.decode("utf-8", "replace"))
    return t.encode()


def natives(paths):
    """domxml-to-native for many files through batched virsh calls: {path: argv or None}."""
    out = {}
    env = dict(os.environ, LV_EMBED_ROOT=os.path.join(CACHE, "libvirt-corpus-embed"), LV_TIMEOUT="900")
    for k in range(0, len(paths), 150):
        chunk = paths[k:k + 150]
        cmds = "".join("domxml-to-native qemu-argv %s; echo ==PCILINK==; " % p for p in chunk)
        r = subprocess.run([LV, "virsh", cmds], capture_output=True, timeout=1800, env=env)
        parts = r.stdout.decode(errors="replace").split("==PCILINK==")
        for p, text in zip(chunk, parts):
            text = text.strip()
            out[p] = lvcheck.split_native(text)[1] if text else None
    # a conversion that failed inside a batch is tried once alone, so that what is reported is
    # libvirt's own verdict on that file, with its message (one was seen failing only in a batch)
    for p in [p for p in paths if out[p] is None]:
        r = subprocess.run([LV, "native", p], capture_output=True, timeout=900, env=env)
        text = r.stdout.decode(errors="replace").strip()
        out[p] = lvcheck.split_native(text)[1] if r.returncode == 0 and text else None
        if out[p] is None:
            NATIVE_ERR[p] = r.stderr.decode(errors="replace").strip()[-300:]
    return out


def validity(paths):
    """The schema check virt-xml-validate does, one xmllint for many files: {path: bool}."""
    res = {}
    for k in range(0, len(paths), 300):
        chunk = paths[k:k + 300]
        r = run(["xmllint", "--noout", "--relaxng", SCHEMA] + chunk, timeout=1800)
        err = r.stderr.decode(errors="replace")
        for p in chunk:
            res[p] = (p + " validates") in err
    return res


def check_findings(args):
    """pcilink check's findings as (code, host, guest) triples, or an error string."""
    r = run(CHECK + args)
    if r.returncode not in (0, 3):
        return "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip()[-200:])
    try:
        return sorted((f["code"], f["host"] or "", f["guest"] or "") for f in json.loads(r.stdout)["findings"])
    except (ValueError, KeyError) as e:
        return "bad JSON: %s" % e


def check_pairs(pairs):
    """(name, domain file, libvirt's argv) each read both ways: {name: (domain, argv) findings}."""
    def one(a):
        name, dom, argv = a
        ap = dom + ".argv"
        with open(ap, "wb") as f:
            f.write(b"\0".join(w.encode() for w in argv) + b"\0")
        return name, (check_findings(["--domain", dom]), check_findings(["--qemu-cmdline", ap]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(one, pairs))


def machine_of(root):
    t = root.find("os/type")
    return (t.get("machine") if t is not None else None), (t.get("arch") if t is not None else None)


def switch_to_q35(text):
    """The machine attribute of <os><type> set to q35 (added when absent), bytes otherwise kept."""
    m = re.search(rb"<type\b[^>]*>", text[text.find(b"<os"):] if b"<os" in text else b"")
    if not m:
        return None
    start = text.find(b"<os") + m.start()
    tag = m.group(0)
    if re.search(rb"\bmachine=", tag):
        new = re.sub(rb"\bmachine=(['\"])[^'\"]*\1", b"machine='q35'", tag, count=1)
    else:
        new = tag[:5] + b" machine='q35'" + tag[5:]
    return text[:start] + new + text[start + len(tag):]


def dups(text):
    """(kind, key) pairs that occur twice: indices, chassis, aliases, root-bus and bus addresses."""
    root = literal_xml(text)
    seen, twice = collections.Counter(), set()
    devices = root.find("devices")
    for d in list(devices) if devices is not None else []:
        keys = []
        a = d.find("alias")
        if a is not None:
            keys.append(("alias", a.get("name")))
        if d.tag == "controller" and d.get("type") == "pci":
            if d.get("index") is not None:
                keys.append(("index", d.get("index").strip().lstrip("0") or "0"))
            t = d.find("target")
            if t is not None and t.get("chassis") is not None:
                keys.append(("chassis", int(t.get("chassis"), 0)))
        addr = d.find("address")
        if addr is not None and addr.get("type") == "pci":
            try:
                keys.append(("addr", tuple(int(addr.get(k, "0"), 0) for k in ("bus", "slot", "function"))))
            except ValueError:
                pass
        for k in keys:
            seen[k] += 1
            if seen[k] > 1:
                twice.add(k)
    return twice


def tags(text):
    return collections.Counter(e.tag for e in literal_xml(text).iter())


def subsequence(a, b):
    """Every byte of a, in order, in b."""
    it = iter(b)
    return all(c in it for c in a)


def host_bdfs(text):
    out = set()
    for h in literal_xml(text).iter("hostdev"):
        s = h.find("source/address")
        if s is not None:
            try:
                out.add("%04x:%02x:%02x.%x" % tuple(int(s.get(k, "0"), 0)
                                                    for k in ("domain", "bus", "slot", "function")))
            except ValueError:
                pass
    return out


def plan(args):
    r = run([PCILINK] + BASE + args + ["-o", "json"])
    return json.loads(r.stdout)


def main():
    global CACHE
    CACHE = os.environ.get("PCILINK_TEST_CACHE", os.path.join(TOP, "tests", ".cache"))
    t0 = time.monotonic()
    if os.geteuid() != 0 or not shutil.which("virsh") or not shutil.which("xmllint") or not os.path.exists(SCHEMA):
        T.skip("libvirt corpus", "needs root, virsh, xmllint and libvirt's schemas (tests/deps.sh test)")
        return T.summary()
    r = run(["sh", os.path.join(HERE, "fetch-libvirt-src.sh")], timeout=900)
    if r.returncode != 0:
        T.skip("libvirt corpus", "libvirt's source package not reachable: " + r.stderr.decode().strip()[-200:])
        return T.summary()
    src = r.stdout.decode().strip().splitlines()[-1]
    plans = {name: plan(args) for name, args in SELECTIONS}

    # the inputs: q35 as they are, x86 switched to q35
    inputs, switched = {}, {}
    for sub in ("qemuxml2argvdata", "qemuxml2xmloutdata"):
        for f in sorted(os.listdir(os.path.join(src, sub))):
            if not f.endswith(".xml"):
                continue
            with open(os.path.join(src, sub, f), "rb") as fh:
                text = fh.read()
            try:
                root = literal_xml(text)
            except Exception:  # noqa: BLE001 - libvirt's tests hold broken files on purpose
                continue
            if root.tag != "domain":
                continue
            machine, arch = machine_of(root)
            name = "%s/%s" % (sub[9:12], f[:-4])
            if machine and re.match(r"^(pc-)?q35", machine):
                inputs[name] = text
            elif arch in ("x86_64", "i686"):
                sw = switch_to_q35(text)
                if sw:
                    switched[name] = sw
    # which inputs libvirt converts; a switched one that it does not is not a q35 domain libvirt accepts
    names = sorted(inputs) + sorted(switched)
    paths = {n: write("in-%d.xml" % i, for_native(inputs.get(n) or switched[n])) for i, n in enumerate(names)}
    conv = natives([paths[n] for n in names])
    for n in list(switched):
        if conv[paths[n]] is None:
            del switched[n]
        else:
            inputs[n] = switched[n]
    t1 = time.monotonic()
    print("corpus: %d q35 inputs, %d x86 inputs switched to q35 that libvirt converts (%.0f s)"
          % (len(inputs) - len(switched), len(switched), t1 - t0))
    src_valid = validity([write("v-%d.xml" % i, inputs[n]) for i, n in enumerate(sorted(inputs))])
    in_valid = {n: src_valid[os.path.join(TMP, "v-%d.xml" % i)] for i, n in enumerate(sorted(inputs))}

    outs, refused = {}, collections.Counter()

    def merge_one(i, n):
        """One input with every selection: (failures, refusals, outputs)."""
        text, found, ref, made = inputs[n], [], [], {}
        inp = write("m-%d.xml" % i, text)
        for sel, args in SELECTIONS:
            key = "%s [%s]" % (n, sel)
            r = run([PCILINK] + BASE + args + ["--domain", inp])
            err = r.stderr.decode(errors="replace").strip()
            if r.returncode != 0:
                last = err.splitlines()[-1] if err else ""
                why = [x for x in REFUSALS if x in last]
                if r.returncode == 1 and not r.stdout and last.startswith("pcilink: gen-libvirt-xml: ") and why:
                    ref.append(why[0])
                else:
                    found.append((key, "merge", "exit %d: %s" % (r.returncode, last)))
                continue
            out = r.stdout
            p2 = write("o-%d-%s.xml" % (i, sel), out)
            r2 = run([PCILINK] + BASE + args + ["--domain", p2])
            if r2.returncode != 0 or r2.stdout != out:
                found.append((key, "idempotent", "exit %d" % r2.returncode))
            new = dups(out) - dups(text)
            if new:
                found.append((key, "duplicates", str(sorted(new, key=str)[:4])))
            tin, tout = tags(text), tags(out)
            lost = [t for t in tin if tout[t] < tin[t]]
            if lost:
                found.append((key, "elements kept", str(lost[:4])))
            hosts = {f["host"] for p in plans[sel]["ports"] for f in p["functions"]}
            if not (host_bdfs(text) & hosts) and not subsequence(text, out):
                found.append((key, "only additions", ""))
            made[(n, sel)] = p2
        return found, ref, made

    # pcilink runs in parallel, one per CPU
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for found, ref, made in pool.map(lambda a: merge_one(*a), enumerate(sorted(inputs))):
            for f in found:
                bad(*f)
            refused.update(ref)
            outs.update(made)
    checks = len(outs)
    t2 = time.monotonic()
    print("corpus: %d merges checked, %d refused %s (%.0f s)" % (checks, sum(refused.values()),
                                                                 dict(refused), t2 - t1))
    # schema validity where the input is valid
    out_valid = validity(list(outs.values()))
    for (n, sel), p in sorted(outs.items()):
        if in_valid[n] and not out_valid[p]:
            bad("%s [%s]" % (n, sel), "valid", run(["xmllint", "--noout", "--relaxng", SCHEMA, p]).stderr.decode()[-300:])
    # libvirt's conversion where the input converts (all q35 inputs, every Nth switched one)
    todo = [(k, p) for k, p in sorted(outs.items())
            if conv[paths[k[0]]] is not None and (k[0] not in switched or
                                                  sorted(switched).index(k[0]) % NATIVE_EVERY == 0)]
    nat = natives([write("n-%d.xml" % i, for_native(open(p, "rb").read())) for i, (k, p) in enumerate(todo)])
    for i, ((n, sel), p) in enumerate(todo):
        argv = nat[os.path.join(TMP, "n-%d.xml" % i)]
        key = "%s [%s]" % (n, sel)
        if argv is None:
            bad(key, "domxml-to-native", NATIVE_ERR.get(os.path.join(TMP, "n-%d.xml" % i), ""))
            continue
        ports, _ = lvcheck.summarise(lvcheck.parse_devices(argv))
        for p_ in plans[sel]["ports"]:
            q = ports.get("ua-" + p_["id"], {})
            if (q.get("x-speed"), q.get("x-width")) != (p_["x_speed"], p_["x_width"]):
                bad(key, "x-speed/x-width", "ua-%s: %r %r" % (p_["id"], q.get("x-speed"), q.get("x-width")))
    t3 = time.monotonic()
    print("corpus: %d conversions (%.0f s)" % (len(todo), t3 - t2))
    # pcilink check: --domain against libvirt's own argv for the same domain
    pairs = [(n, paths[n], conv[paths[n]]) for n in names if conv[paths[n]] is not None]
    pairs += [("%s [%s]" % k, os.path.join(TMP, "n-%d.xml" % i), nat[os.path.join(TMP, "n-%d.xml" % i)])
              for i, (k, p) in enumerate(todo)
              if k[1] == CHECK_SELECTION and nat[os.path.join(TMP, "n-%d.xml" % i)] is not None]
    same, excluded, used = 0, collections.Counter(), set()
    for name, (dom, cmd) in sorted(check_pairs(pairs).items()):
        for side, r in (("--domain", dom), ("--qemu-cmdline", cmd)):
            if isinstance(r, str):
                bad(name, "check errs", "%s %s" % (side, r))
        if isinstance(dom, str) or isinstance(cmd, str):
            continue
        if dom == cmd:
            same += 1
            continue
        why = [w for dom_, w in CHECK_EXCLUDED if name.split(" [")[0] == dom_]
        if why:
            excluded[why[0]] += 1
            used.add(why[0])
        else:
            bad(name, "check agrees", "domain %s; command line %s" % (dom, cmd))
    for dom_, w in CHECK_EXCLUDED:
        T.result(w in used, "corpus: check exclusion still needed: %s" % dom_, w)
    t4 = time.monotonic()
    print("corpus: check on %d converted domains: %d agree, %d excluded %s (%.0f s)"
          % (len(pairs), same, sum(excluded.values()), dict(excluded), t4 - t3))
    T.result(fails["check errs"] == 0, "corpus: check never errs (%d domains, both readers)" % len(pairs),
             "%d failing" % fails["check errs"])
    T.result(fails["check agrees"] == 0 and same > 0,
             "corpus: check --domain and --qemu-cmdline on libvirt's argv agree (%d domains)" % len(pairs),
             "%d failing" % fails["check agrees"])
    kinds = ("merge", "idempotent", "duplicates", "elements kept", "only additions", "valid",
             "domxml-to-native", "x-speed/x-width")
    for k in kinds:
        T.result(fails[k] == 0, "corpus: %s (%d inputs x %d selections)" % (k, len(inputs), len(SELECTIONS)),
                 "%d failing" % fails[k])
    T.result(checks > 0 and len(todo) > 0, "corpus: merges and conversions ran", "%d %d" % (checks, len(todo)))
    print("libvirt corpus suite: %.0f s" % (time.monotonic() - t0))
    shutil.rmtree(TMP, ignore_errors=True)
    return T.summary()


CACHE = None
if __name__ == "__main__":
    sys.exit(main())

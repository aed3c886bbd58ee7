#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Load pcilink's YAML with PyYAML (a YAML 1.1 reader) and check the types scripts rely on:
slots and IDs stay strings (01:00.0 unquoted would read as the number 3600.0), quantities
stay numbers, unknowns are null."""
import sys, yaml

doc = yaml.safe_load(sys.stdin)


def keys_are_strings(node, where="top"):
    """every key is a string, as in JSON (host_atomics_reasons' 32/64/128 loaded as ints)"""
    if isinstance(node, dict):
        for k, v in node.items():
            assert isinstance(k, str), (where, k)
            keys_are_strings(v, where + "." + k)
    elif isinstance(node, list):
        for v in node:
            keys_are_strings(v, where)


keys_are_strings(doc)
assert any("host_atomics_reasons" in d for d in doc["devices"]), "no numeric-looking key covered"
assert doc["schema"] == 1
for d in doc["devices"]:
    for k in ("slot", "vendor_id", "device_id", "class_id"):
        assert isinstance(d[k], str), (k, d[k])
    assert d["parent"] is None or isinstance(d["parent"], str)
    link = d["pcie"]["link"]
    assert isinstance(link["max_width"], int) and isinstance(link["max_speed"], (int, float))
    assert all(isinstance(s, (int, float)) for s in link["supported_speeds"])
    rec = d["recommendation"]
    assert isinstance(rec["x_speed"], str) and isinstance(rec["x_width"], str), rec
    for hop in d["path"]:
        assert isinstance(hop["port"], str)
    print(d["slot"], d["vendor_id"], d["class_id"], link["max_speed"], rec["x_speed"], rec["x_width"])
print("types ok")

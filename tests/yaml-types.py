#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Load pcilink's YAML with PyYAML (a YAML 1.1 reader) and check the types scripts rely on:
slots and IDs stay strings (01:00.0 unquoted would read as the number 3600.0), quantities
stay numbers, unknowns are null."""
import sys, yaml

doc = yaml.safe_load(sys.stdin)
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

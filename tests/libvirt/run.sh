#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The real-libvirt suite for gen-libvirt-xml (tests/libvirt/run.py): libvirt 9.0 and 11.3.
cd "$(dirname "$0")" || exit 1
${PYTHON:-/usr/bin/python3} run.py

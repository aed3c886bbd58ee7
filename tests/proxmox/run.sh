#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-proxmox on real QEMU 7.2 and 10.0 through qemu-server's modelled command line (run.py).
cd "$(dirname "$0")" || exit 1
${PYTHON:-/usr/bin/python3} run.py

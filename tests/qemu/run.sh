#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The real-QEMU suite (tests/qemu/run.py); the harness's own self-test runs first.
cd "$(dirname "$0")" || exit 1
${PYTHON:-/usr/bin/python3} run.py

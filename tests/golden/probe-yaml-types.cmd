probe -F examples/gpu-workstation.lspci -n 03:00.0 -o yaml | $PYTHON tests/yaml-types.py

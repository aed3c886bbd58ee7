probe -F examples/gpu-workstation.lspci -i tests/data/malformed.ids 03:00.0

probe -F examples/gpu-workstation.lspci -i tests/data/no-such.ids 03:00.0

probe -F examples/gpu-workstation.lspci -n -i tests/data/no-such.ids 03:00.0

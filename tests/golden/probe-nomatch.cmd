probe -F examples/gpu-workstation.lspci -n 09:00.0

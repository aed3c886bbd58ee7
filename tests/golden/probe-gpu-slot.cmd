probe -F examples/gpu-workstation.lspci -n 03:00
